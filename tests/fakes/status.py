"""Fake of ``uow.conversation_filters`` (bot/status): the filters in Python, with
``bot.access.agent_can_see`` for what the agent may see, as the SQL store writes it into its query."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from bot.access import agent_can_see
from bot.model import Conversation
from bot.ports import ConversationSummary
from bot.status.ports import FILTERS
from tests.fakes.repositories import _Repos


def _rules(agent_slug: str, services: Sequence[str]) -> dict[str, Callable[[Conversation], bool]]:
    return {
        "mine": lambda c: c.status == "open" and agent_slug in (c.assignee, c.agent),
        "unassigned": lambda c: c.status == "open" and c.service in services and c.assignee is None,
        "services": lambda c: c.status == "open",
        "snoozed": lambda c: c.status == "snoozed",
        "resolved": lambda c: c.status == "resolved",
    }


class FakeConversationFilters(_Repos):
    def _visible(self, agent_slug: str, services: Sequence[str]) -> list[Conversation]:
        return [
            c
            for c in self.st.conversations.values()
            if agent_can_see(c, agent_slug, services, self.st.members.get(c.id, []))
        ]

    async def list_filtered(
        self, agent_slug: str, services: Sequence[str], name: str, *, limit: int = 200
    ) -> list[ConversationSummary]:
        """Newest first; ``name`` is one of ``FILTERS``."""
        rule = _rules(agent_slug, services)[name]
        found = sorted(
            (c for c in self._visible(agent_slug, services) if rule(c)),
            key=lambda c: c.last_message_at or c.created_at,  # type: ignore[arg-type,return-value]
            reverse=True,
        )
        return [
            ConversationSummary(copy.deepcopy(c), self.st.guests[c.guest_id].name, None, 0)
            for c in found[:limit]
        ]

    async def counts(self, agent_slug: str, services: Sequence[str]) -> dict[str, int]:
        """How many conversations each of ``FILTERS`` holds (unread or not)."""
        rules = _rules(agent_slug, services)
        visible = self._visible(agent_slug, services)
        return {name: sum(1 for c in visible if rules[name](c)) for name in FILTERS}
