"""``uow.conversation_filters``: the inbox's filters and how many conversations each holds.

What each filter holds, for one agent (only what ``bot.access.agent_can_see`` lets them see):

- ``mine``: open, assigned to them (or written to them directly);
- ``unassigned``: open, in one of their services, assigned to nobody in particular;
- ``services``: open, everything they may see;
- ``snoozed`` and ``resolved``: everything they may see with that status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.ports import ConversationSummary

FILTERS = ("mine", "unassigned", "services", "snoozed", "resolved")


class ConversationFilterRepository(Protocol):
    async def list_filtered(
        self, agent_slug: str, services: Sequence[str], name: str, *, limit: int = 200
    ) -> list[ConversationSummary]:
        """Newest first; ``name`` is one of ``FILTERS``."""
        ...

    async def counts(self, agent_slug: str, services: Sequence[str]) -> dict[str, int]:
        """How many conversations each of ``FILTERS`` holds (unread or not)."""
        ...
