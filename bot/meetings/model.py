"""The meeting: a booked time between one agent and one guest, living in a conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.model import new_id

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
    request_hash: str | None = None  # of the request that used idempotency_key (bot.meetings.idempotency)
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
