"""What the calendar modules need from storage: ``uow.calendar_connections``, one row per agent's
calendar source with its grant. A Protocol the storage plugin implements (encrypting grants at rest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.meetings.model import CalendarConnection


class CalendarConnectionRepository(Protocol):
    async def get(self, agent: str) -> CalendarConnection | None:
        """The agent's connection (an agent has at most one calendar source), whatever its status."""
        ...

    async def connect(
        self,
        agent: str,
        provider: str,
        *,
        account_email: str | None,
        external_user_id: str | None = None,
        credentials: dict[str, Any] | None = None,
    ) -> None:
        """(Re)connects: replaces any other source of the agent, clears a broken status and the sync
        cursors (a new grant may see another account's calendars)."""
        ...

    async def save_credentials(self, agent: str, provider: str, credentials: dict[str, Any]) -> None: ...

    async def mark_broken(self, agent: str, provider: str) -> bool:
        """True only for the call that broke it: the agent is told once, not on every failed read."""
        ...

    async def remove(self, agent: str) -> bool: ...
    async def set_sync_state(self, agent: str, provider: str, state: dict[str, Any]) -> None: ...

    async def connected(self, providers: list[str] | None = None) -> list[tuple[str, str]]:
        """(agent, provider) of every working connection."""
        ...

    async def meetings_for_events(self, agent: str, event_ids: list[str]) -> dict[str, str]:
        """External event id → meeting id, for this agent's meetings."""
        ...

    async def pending_writes(self, kind: str, meeting_ids: list[str]) -> set[str]:
        """Meetings whose calendar write (a job of ``kind``) is still queued."""
        ...

    async def upcoming_meeting_ids(self, agent: str, since: datetime) -> list[str]: ...
