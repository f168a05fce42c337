"""Facts about invitations. ``InvitationSent`` carries the links the invitation email shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.events import Audience, Event
from bot.model import Actor


@dataclass(frozen=True, kw_only=True)
class InvitationSent(Event):
    """An invitation to email to the customer (on creation with "send by email", and on resend)."""

    conversation_id: str
    invitation_id: str
    sending_id: str  # one per sending: a redelivered mail replaces itself, a resend is a new mail
    token: str
    organizer_name: str
    organizer_email: str
    guest_name: str
    guest_email: str
    subject: str
    duration: int
    description: str  # empty when it is kept from the customer
    timezone: str  # the customer's when known, else the invitation's
    promoted: tuple[str, ...] = field(default=())  # ISO UTC starts
    by: Actor
    audience: Audience = Audience.AGENTS  # the email goes to the guest directly, never to a thread
    # A live credential: sealed in the outbox while it waits, erased once delivered (storage/sealed_payloads).
    secret_fields: ClassVar[tuple[str, ...]] = ("token",)

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [("email", {"email": self.guest_email, "name": self.guest_name, "role": "invitee"})]


@dataclass(frozen=True, kw_only=True)
class InvitationWithdrawn(Event):
    conversation_id: str
    invitation_id: str
    by: Actor
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True, kw_only=True)
class InvitationBooked(Event):
    """The customer booked: every team member but the lead (who gets ``MeetingBooked``) is told by mail,
    with the description even when it is kept from the customer."""

    conversation_id: str
    invitation_id: str
    meeting_id: str
    subject: str
    start: datetime
    end: datetime
    sequence: int
    guest_name: str
    guest_email: str
    organizer_name: str
    organizer_email: str
    members: tuple[tuple[str, str, str], ...]  # (name, email, time zone) of each member to tell
    description: str = ""
    conferencing: str = ""
    location: str = ""
    rooms: tuple[str, ...] = field(default=())
    guest_on_event: bool = True  # False: the .ics lists only the team, not the customer
    audience: Audience = Audience.AGENTS

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            ("email", {"email": email, "name": name, "role": "member", "timezone": tz})
            for name, email, tz in self.members
        ]


INVITATION_EVENT_TYPES = frozenset({"InvitationSent", "InvitationWithdrawn", "InvitationBooked"})
