"""Orders about invitations, from the inbox API, the customer's page, Slack or Teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.commands import Command
from bot.model import Actor


@dataclass(frozen=True)
class InvitationDraft:
    """What the agent filled in; validated by ``bot.invitations.rules.check_draft``."""

    guest_name: str
    guest_email: str
    subject: str
    duration: int
    members: tuple[str, ...]
    start_date: date
    end_date: date
    day_start: str = "09:00"
    day_end: str = "17:00"
    timezone: str | None = None  # default: the organiser's
    rooms: tuple[str, ...] = ()
    pools: tuple[str, ...] = ()
    description: str = ""
    description_private: bool = False
    conferencing: str = ""
    meeting_type: str = "video"
    location: str = ""
    guest_timezone: str | None = None
    add_to_calendar: bool = True  # the customer is on the calendar event (and sees its description)
    send_confirmation: bool = True  # the customer gets the booking mail and its .ics
    timezone_mode: str = "customer"  # the customer's page: "customer" (detected zone) or "fixed"
    promoted: tuple[datetime, ...] = ()
    send_email: bool = True  # False: the agent copies the links and sends them themselves


@dataclass(frozen=True)
class CreateInvitation(Command):
    draft: InvitationDraft
    by: Actor  # the organiser


@dataclass(frozen=True)
class BookInvitation(Command):
    token: str
    start: datetime
    guest_timezone: str | None = None


@dataclass(frozen=True)
class WithdrawInvitation(Command):
    invitation_id: str
    by: Actor


@dataclass(frozen=True)
class ResendInvitation(Command):
    invitation_id: str
    by: Actor


@dataclass(frozen=True)
class AddRoom(Command):
    name: str
    email: str
    capacity: int | None = None
    pool: str | None = None
    provider: str | None = None  # google | microsoft | local; None: from the configuration
    calendar_id: str | None = None  # a Google resource calendar's id


@dataclass(frozen=True)
class RemoveRoom(Command):
    name_or_email: str


@dataclass(frozen=True)
class RescheduleByInvitation(Command):
    """The customer moves the meeting their invitation booked, within its time frame."""

    token: str
    start: datetime


@dataclass(frozen=True)
class CancelByInvitation(Command):
    token: str
    reason: str | None = None
