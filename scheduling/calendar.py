"""The port every calendar source plugs into (``convene.calendars`` entry points).

Instants are timezone-aware UTC ``datetime``s everywhere in this port; providers convert at their edge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Interval:
    """Half-open ``[start, end)`` in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class CalendarRef:
    id: str
    name: str
    primary: bool = False
    writable: bool = True


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


@dataclass(frozen=True)
class EventSpec:
    """What we write to an agent's calendar for one booked meeting."""

    meeting_id: str
    subject: str
    start: datetime
    end: datetime
    timezone: str  # IANA zone of the agent, for display in the calendar
    description: str = ""
    attendees: tuple[Attendee, ...] = ()
    sequence: int = 0


@dataclass(frozen=True)
class WorkingHours:
    """What a calendar source knows of an agent's week (Outlook mailboxSettings, for example)."""

    timezone: str  # IANA
    working_hours: Mapping[str, Sequence[tuple[str, str]]]  # {"mon": [("09:00", "17:00")], ...}


@dataclass(frozen=True)
class EventChange:
    """A change made on the calendar side (moved or deleted): to an event we wrote (``meeting_id``), or
    to one with an iCalendar UID the assistant may follow (``ical_uid``; empty on a bare deletion)."""

    meeting_id: str
    external_event_id: str
    deleted: bool
    start: datetime | None = None
    end: datetime | None = None
    ical_uid: str = ""
    sequence: int | None = None  # the event's SEQUENCE when the calendar says it (Google; not Graph)
    occurrence: bool = False  # one occurrence or changed instance of a series, not the event itself


@dataclass
class CalendarAccount:
    """One agent's connection to a source. ``credentials`` is decrypted provider data (tokens);
    ``save_credentials`` persists refreshed credentials (encrypted) without the provider knowing how."""

    agent_slug: str
    email: str
    credentials: dict[str, Any] = field(default_factory=dict)
    external_user_id: str | None = None
    save_credentials: Callable[[dict[str, Any]], Awaitable[None]] | None = None


@runtime_checkable
class CalendarProvider(Protocol):
    name: str

    async def busy(
        self, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
    ) -> list[Interval]: ...

    async def list_calendars(self, account: CalendarAccount) -> list[CalendarRef]: ...

    async def create_event(self, account: CalendarAccount, calendar_id: str, spec: EventSpec) -> str:
        """Returns the provider's event id."""
        ...

    async def update_event(
        self, account: CalendarAccount, calendar_id: str, event_id: str, spec: EventSpec
    ) -> None: ...

    async def delete_event(self, account: CalendarAccount, calendar_id: str, event_id: str) -> None: ...

    async def working_hours(self, account: CalendarAccount) -> WorkingHours | None: ...
