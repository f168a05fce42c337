"""The meeting: a booked time between one agent and one guest, living in a conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.model import new_id
from scheduling.calendar import Interval

BOOKED, CANCELLED = "booked", "cancelled"


@dataclass
class Meeting:
    conversation_id: str
    agent: str
    guest_id: str
    subject: str
    start: datetime  # UTC
    end: datetime  # UTC
    service: str | None = None  # set when booked through a service (group booking)
    guest_timezone: str | None = None
    status: str = BOOKED
    sequence: int = 0  # iCalendar SEQUENCE: every change sends a higher one
    idempotency_key: str | None = None
    calendar_provider: str | None = None
    calendar_id: str | None = None
    external_event_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @property
    def duration(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def booked(self) -> bool:
        return self.status == BOOKED


@dataclass(frozen=True)
class CalendarConnection:
    """Which calendar source an agent connected; no row means the built-in ``local`` calendar."""

    agent: str
    provider: str
    account_email: str | None = None
    external_user_id: str | None = None
    credentials: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"  # "broken": the grant was revoked or expired; the agent must reconnect
    sync_state: dict[str, Any] = field(default_factory=dict)  # change-pickup cursors per calendar


class MeetingRepository(Protocol):
    """``uow.meetings`` (registered by the storage plugin)."""

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
    ) -> list[Meeting]: ...

    async def connections(self, agents: list[str]) -> dict[str, CalendarConnection]: ...
