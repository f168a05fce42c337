"""A meeting that lives in someone's calendar, followed by Convene through the assistant address.

Unlike a booked meeting (``bot/meetings``), the organiser's calendar client owns this event: Convene
only records what the invitations say (by UID and SEQUENCE) and never writes it to any calendar. A
recurring series is one row with its RRULE; an instance that was moved or cancelled is one more row
with the same UID and the original start of that instance (``instance``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.model import new_id
from scheduling.itip import CalendarEvent

ACTIVE, CANCELLED = "active", "cancelled"
SERIES = ""  # the ``instance`` key of a whole event or series


def instance_key(event: CalendarEvent) -> str:
    return event.recurrence_id.isoformat() if event.recurrence_id is not None else SERIES


@dataclass
class CalendarMeeting:
    conversation_id: str
    uid: str
    instance: str  # SERIES, or the ISO UTC original start of one changed instance
    sequence: int
    summary: str
    start: datetime  # UTC
    end: datetime  # UTC
    timezone: str  # IANA
    organizer: str  # agent slug
    organizer_email: str
    location: str = ""
    description: str = ""
    join_url: str = ""
    rrule: str = ""
    exdates: list[str] = field(default_factory=list)  # ISO UTC
    attendees: list[dict[str, str]] = field(default_factory=list)  # {email, name, partstat}
    status: str = ACTIVE
    reminder_key: str = ""  # the job of the next reminder (one per occurrence of a series)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def apply(self, event: CalendarEvent) -> None:
        """Takes over what a newer invitation says (the caller has checked its SEQUENCE)."""
        self.sequence = event.sequence
        self.summary = event.summary or self.summary
        if event.start is not None and event.end is not None:
            self.start, self.end = event.start, event.end
        self.timezone = event.timezone or self.timezone
        self.location, self.description, self.join_url = event.location, event.description, event.join_url
        if self.instance == SERIES:
            self.rrule = event.rrule
            self.exdates = [d.isoformat() for d in event.exdates]
        self.attendees = [{"email": p.email, "name": p.name, "partstat": p.partstat} for p in event.attendees]
        self.status = ACTIVE


@dataclass(frozen=True)
class AssistantConversation:
    """A conversation opened by inviting the assistant; its own address is ``assistant+<token>@…``."""

    conversation_id: str
    token: str
    organizer: str  # agent slug


class AssistantRepository(Protocol):
    """``uow.assistant`` (registered by the storage plugin)."""

    async def conversation_by_token(self, token: str) -> AssistantConversation | None: ...
    async def conversation(self, conversation_id: str) -> AssistantConversation | None: ...
    async def add_conversation(self, conversation: AssistantConversation) -> None: ...
    async def meeting(
        self, uid: str, instance: str, *, for_update: bool = False
    ) -> CalendarMeeting | None: ...
    async def meeting_by_id(self, meeting_id: str, *, for_update: bool = False) -> CalendarMeeting | None: ...
    async def followed_uids(self, organizer: str, uids: list[str]) -> set[str]:
        """Those of ``uids`` that are the organiser's active meetings (whole events or series)."""
        ...

    async def instances(self, uid: str) -> list[CalendarMeeting]: ...
    async def add_meeting(self, meeting: CalendarMeeting) -> None: ...
    async def save_meeting(self, meeting: CalendarMeeting) -> None: ...


def repository(uow: Any) -> AssistantRepository:
    return uow.assistant  # type: ignore[no-any-return]
