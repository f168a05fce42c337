"""Facts of the assistant. Each is a mail to one person, so none goes to the conversation's threads
(``conversation_id`` is empty; ``conversation`` says which one it is about). What the thread shows is
the system notice the handler posts alongside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.events import Event


@dataclass(frozen=True, kw_only=True)
class AssistantMail(Event):
    conversation_id: str = ""
    conversation: str = ""
    email: str
    name: str

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [("email", {"email": self.email, "name": self.name})]


@dataclass(frozen=True, kw_only=True)
class MeetingDetails(AssistantMail):
    title: str
    summary: str
    start: datetime  # UTC
    end: datetime  # UTC
    timezone: str  # IANA: the reader sees the time where the meeting is
    location: str = ""
    join_url: str = ""
    rrule: str = ""
    assistant_address: str = ""  # the conversation's own address
    member_kind: str = "agent"  # who the mail is for, so a reply to it lands as that member
    member_id: str = ""


@dataclass(frozen=True, kw_only=True)
class AssistantConversationOpened(MeetingDetails):
    """To the organiser: the conversation exists, here is its link and its own assistant address."""


@dataclass(frozen=True, kw_only=True)
class CalendarMeetingReady(MeetingDetails):
    """To the organiser: the meeting is recorded in the conversation, with its details."""


@dataclass(frozen=True, kw_only=True)
class ConversationInvitationMailed(MeetingDetails):
    """To a participant: come into the conversation. Guests get a one-time link (``join_token``)."""

    organizer_name: str
    join_token: str = ""


@dataclass(frozen=True, kw_only=True)
class CalendarMeetingChanged(MeetingDetails):
    """To a member: a meeting was added, moved, changed, cancelled, or is about to start."""

    change: str  # "added" | "moved" | "updated" | "cancelled" | "reminder"
    previous_start: datetime | None = None
    previous_end: datetime | None = None
    minutes_before: int = 0


@dataclass(frozen=True, kw_only=True)
class CalendarReplyDue(AssistantMail):
    """To the organiser's calendar client: the assistant's iTIP REPLY (it accepts)."""

    uid: str
    sequence: int
    summary: str
    start: datetime | None
    end: datetime | None
    recurrence_id: datetime | None
    assistant_address: str
    assistant_name: str
    partstat: str = "ACCEPTED"
    dtstamp: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class InvitationRefused(AssistantMail):
    """To whoever sent mail we could not act on: what was wrong, in plain words."""

    subject: str
    code: str
    reason: str
    in_reply_to: str = ""


ASSISTANT_EVENT_TYPES = frozenset(
    {
        "AssistantConversationOpened",
        "CalendarMeetingReady",
        "ConversationInvitationMailed",
        "CalendarMeetingChanged",
        "CalendarReplyDue",
        "InvitationRefused",
    }
)
