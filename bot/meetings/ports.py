"""What the meeting rules need from storage: ``uow.meetings``, a Protocol the storage plugin implements.

Kept next to the rules that use it; ``bot.ports.UnitOfWork`` names it as one of its repositories.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.meetings.model import CalendarConnection, Meeting
from scheduling.calendar import Interval


class MeetingRepository(Protocol):
    """``uow.meetings``: meetings as rows. ``add`` and ``save`` raise ``SlotTaken`` when the database
    itself refuses an overlap (PostgreSQL's exclusion constraint), ``Conflict`` on a repeated key."""

    async def add(self, meeting: Meeting) -> None: ...
    async def save(self, meeting: Meeting) -> None: ...
    async def get(self, meeting_id: str, *, for_update: bool = False) -> Meeting | None: ...
    async def by_idempotency_key(self, key: str) -> Meeting | None: ...
    async def busy(
        self, agents: list[str], start: datetime, end: datetime, *, exclude: str | None = None
    ) -> dict[str, list[Interval]]:
        """Booked meetings of these agents overlapping [start, end): ONE query for a whole service."""
        ...

    async def load(self, agents: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        """Per agent: meetings booked since ``since`` (not cancelled) and when the last one was booked."""
        ...

    async def upcoming(
        self,
        *,
        agents: list[str] | None = None,
        services: list[str] | None = None,
        guest_id: str | None = None,
        conversation_id: str | None = None,
    ) -> list[Meeting]:
        """Booked meetings that have not ended, soonest first; ``agents`` and ``services`` widen each
        other (an agent sees their own and their services'), the other filters narrow."""
        ...

    async def connections(self, agents: list[str]) -> dict[str, CalendarConnection]:
        """Every agent's calendar connection, broken ones too (a broken grant makes the agent
        unreadable instead of quietly free)."""
        ...
