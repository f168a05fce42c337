"""``uow.conversation_filters``: the inbox's filters (Mine, Unassigned, All my services, Snoozed,
Resolved) and their counts, as SQL over ``conversations.status`` (migration 0016; see bot/status)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from bot.ports import ConversationSummary
from bot.status.ports import FILTERS
from storage.conversations import summaries
from storage.models import ConversationRow, MemberRow
from storage.repositories import _Repo


def _conditions(agent_slug: str, services: Sequence[str]) -> dict[str, Any]:
    """Each filter as a condition; ``visible`` is the rule of ``bot.access.agent_can_see``."""
    c = ConversationRow
    is_member = (
        select(MemberRow.member_id)
        .where(MemberRow.conversation_id == c.id, MemberRow.kind == "agent")
        .where(MemberRow.member_id == agent_slug)
        .exists()
    )
    in_services = c.service.in_(list(services))
    visible = or_(in_services, c.agent == agent_slug, c.assignee == agent_slug, is_member)
    is_open = c.status == "open"
    return {
        "mine": and_(is_open, or_(c.assignee == agent_slug, c.agent == agent_slug)),
        "unassigned": and_(is_open, in_services, c.assignee.is_(None)),
        "services": and_(is_open, visible),
        "snoozed": and_(c.status == "snoozed", visible),
        "resolved": and_(c.status == "resolved", visible),
        "visible": visible,
    }


class SqlConversationFilters(_Repo):
    async def list_filtered(
        self, agent_slug: str, services: Sequence[str], name: str, *, limit: int = 200
    ) -> list[ConversationSummary]:
        """Newest first; ``name`` is one of ``FILTERS``."""
        return await summaries(self.s, agent_slug, _conditions(agent_slug, services)[name], limit)

    async def counts(self, agent_slug: str, services: Sequence[str]) -> dict[str, int]:
        """How many conversations each of ``FILTERS`` holds (unread or not): one scan of what the agent
        may see."""
        conditions = _conditions(agent_slug, services)
        columns = [func.sum(case((conditions[name], 1), else_=0)).label(name) for name in FILTERS]
        row = (await self.s.execute(select(*columns).where(conditions["visible"]))).one()
        return {name: int(getattr(row, name) or 0) for name in FILTERS}
