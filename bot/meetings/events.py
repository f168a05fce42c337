"""Facts about meetings. Each goes to the conversation's bindings and, by mail, to agent and guest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.events import Audience, Event
from bot.model import Actor


@dataclass(frozen=True, kw_only=True)
class MeetingEvent(Event):
    """What every meeting notice needs to be rendered anywhere without another lookup."""

    conversation_id: str
    meeting_id: str
    agent: str
    agent_name: str
    agent_email: str
    guest_id: str
    guest_name: str
    guest_email: str | None
    subject: str
    start: datetime  # UTC
    end: datetime  # UTC
    sequence: int
    by: Actor
    guest_timezone: str | None = None
    agent_timezone: str | None = None
    # A team meeting's members besides the lead, (slug, name, email, time zone): mailed like the lead.
    members: tuple[tuple[str, str, str, str], ...] = ()
    # An invitation's confirmation settings (bot.invitations): False keeps this event's mail from the
    # customer (``guest_mail``) or the customer off the .ics attendees (``guest_on_event``).
    guest_mail: bool = True
    guest_on_event: bool = True
    # Guests and agents both; the addresses in it are for the mail channel (bot.access.hidden_from_guests).
    audience: Audience = Audience.EVERYONE

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        # Both sides get every booking, change, cancellation and reminder in their mailbox.
        found = [("email", {"email": self.agent_email, "name": self.agent_name, "role": "agent"})]
        if self.guest_email and self.guest_mail:
            found.append(("email", {"email": self.guest_email, "name": self.guest_name, "role": "guest"}))
        found += [
            ("email", {"email": email, "name": name, "role": "member", "agent": slug, "timezone": tz})
            for slug, name, email, tz in self.members
        ]
        return found


@dataclass(frozen=True, kw_only=True)
class MeetingBooked(MeetingEvent):
    service: str | None = None


@dataclass(frozen=True, kw_only=True)
class MeetingRescheduled(MeetingEvent):
    previous_start: datetime
    previous_end: datetime


@dataclass(frozen=True, kw_only=True)
class MeetingDurationChanged(MeetingEvent):
    previous_end: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class MeetingCancelled(MeetingEvent):
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReminderDue(MeetingEvent):
    minutes_before: int = 15


MEETING_EVENT_TYPES = frozenset(
    {"MeetingBooked", "MeetingRescheduled", "MeetingDurationChanged", "MeetingCancelled", "ReminderDue"}
)
