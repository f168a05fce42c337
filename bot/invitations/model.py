"""An invitation to self-schedule, the rooms it may take, and what storage must provide for them.

An invitation names its team (agent slugs), rooms, resource pools and time frame; the customer picks
one of its free slots through the token link (only the token's sha256 is stored) and the booking becomes an ordinary meeting whose
``agent`` is the first team member. Every member and room of that meeting is an attendee row
(``meeting_attendees``): they block their time for every other booking, and on PostgreSQL an exclusion
constraint refuses two booked overlaps of one attendee, as ``meetings_no_overlap`` does for agents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from bot.model import new_id
from scheduling.calendar import Interval
from scheduling.invitation_slots import TimeFrame

OPEN, BOOKED, WITHDRAWN = "open", "booked", "withdrawn"
MEETING_TYPES = ("video", "phone", "in_person")
TIMEZONE_MODES = ("customer", "fixed")


def agent_key(slug: str) -> str:
    return f"agent:{slug}"


def room_key(room_id: str) -> str:
    return f"room:{room_id}"


@dataclass
class Room:
    name: str
    email: str
    capacity: int | None = None
    pool: str | None = None
    id: str = field(default_factory=new_id)
    # Where its calendar lives: "google" (a resource calendar, ``calendar_id``), "microsoft" (the room
    # mailbox ``email``) or "local"; None: Microsoft 365 when it is configured, else local.
    provider: str | None = None
    calendar_id: str | None = None  # Google: the resource calendar's id (default: the room's address)


ROOM_PROVIDERS = ("google", "microsoft", "local")


@dataclass
class Invitation:
    organizer: str  # agent slug
    guest_id: str
    guest_name: str
    guest_email: str
    conversation_id: str
    subject: str
    duration: int
    members: list[str]  # agent slugs, all attend
    rooms: list[str]  # room ids, each must be free
    pools: list[str]  # pool names, any one room of each
    start_date: date
    end_date: date
    day_start: str
    day_end: str
    timezone: str
    token_hash: str  # sha256 of the link token; the token itself is never stored
    description: str = ""
    description_private: bool = False  # kept out of what the customer sees
    conferencing: str = ""
    meeting_type: str = "video"
    location: str = ""
    guest_timezone: str | None = None
    # Confirmation and advanced settings (bot.invitations.rules.check_draft): the customer is an attendee
    # of the calendar events written for the meeting (and so sees their description), the customer gets
    # the booking mail with its .ics, and the customer's page shows times in the customer's zone
    # ("customer") or fixed in the invitation's ("fixed").
    add_to_calendar: bool = True
    send_confirmation: bool = True
    timezone_mode: str = "customer"
    promoted: list[datetime] = field(default_factory=list)  # UTC
    status: str = OPEN
    meeting_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: str = field(default_factory=new_id)
    # The link token, known only in the command that issued it (creation, resend): the answer shows the
    # links once; afterwards only its hash is known and the links cannot be shown again.
    token: str = field(default="", compare=False, repr=False)

    @property
    def frame(self) -> TimeFrame:
        return TimeFrame(self.start_date, self.end_date, self.day_start, self.day_end, self.timezone)

    def expired(self, now: datetime) -> bool:
        return self.status == OPEN and now >= self.frame.closes_at()

    def state(self, now: datetime) -> str:
        """open, booked, withdrawn or expired, as lists and pages show it."""
        return "expired" if self.expired(now) else self.status


@dataclass(frozen=True)
class MeetingAttendee:
    """One member or room of a meeting, and where its own calendar shows the meeting."""

    meeting_id: str
    key: str  # agent:<slug> or room:<id>
    calendar_provider: str | None = None
    calendar_id: str | None = None
    event_id: str | None = None


class InvitationRepository(Protocol):
    """``uow.invitations`` (registered by the storage plugin)."""

    async def add(self, invitation: Invitation) -> None: ...
    async def save(self, invitation: Invitation) -> None: ...
    async def get(self, invitation_id: str, *, for_update: bool = False) -> Invitation | None: ...
    async def by_token_hash(self, token_hash: str, *, for_update: bool = False) -> Invitation | None: ...
    async def by_meeting(self, meeting_id: str) -> Invitation | None: ...
    async def of_organizer(self, organizer: str, status: str | None = None) -> list[Invitation]: ...
    async def rooms(self) -> list[Room]: ...
    async def add_room(self, room: Room) -> None: ...
    async def remove_room(self, name_or_email: str) -> bool: ...
    async def attendee_busy(
        self, keys: list[str], start: datetime, end: datetime, *, exclude: str | None = None
    ) -> dict[str, list[Interval]]:
        """Booked attendee rows of these keys (``agent:…``, ``room:…``) overlapping [start, end);
        ``exclude``: a meeting being moved, which must not block itself."""
        ...

    async def add_attendees(self, meeting_id: str, keys: list[str], start: datetime, end: datetime) -> None:
        """Raises ``SlotTaken`` when the database refuses a booked overlap of one attendee."""
        ...

    async def attendees(self, meeting_id: str) -> list[MeetingAttendee]: ...
    async def record_event(
        self, meeting_id: str, key: str, provider: str | None, calendar_id: str | None, event_id: str | None
    ) -> None: ...
    async def room_load(self, room_ids: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        """Per room: meetings booked since ``since`` and when the last one was booked (pool fairness)."""
        ...


def repository(uow: Any) -> InvitationRepository:
    return uow.invitations  # type: ignore[no-any-return]
