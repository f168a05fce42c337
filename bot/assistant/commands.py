"""Orders from the assistant's mailbox: one per iTIP method, plus the answer to unreadable mail.

The SMTP adapter has parsed the mail (``scheduling/itip.py``) and checked who sent it; everything else
(who may open a conversation, whether a SEQUENCE is newer, what changes) is decided by the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from scheduling.itip import CalendarEvent


@dataclass(frozen=True)
class CalendarMail(Command):
    sender: str  # the From address, lower-case, as authenticated by the adapter
    events: tuple[CalendarEvent, ...]  # the series first, then changed instances
    message_id: str  # the same mail twice changes nothing
    token: str = ""  # the conversation's own address it was sent to; "" for the assistant address


@dataclass(frozen=True)
class AcceptCalendarInvitation(CalendarMail):
    """METHOD:REQUEST: a new event opens a conversation (or joins the token's); a known UID with a
    higher SEQUENCE is an update; the same SEQUENCE again is a repeat and changes nothing."""


@dataclass(frozen=True)
class CancelCalendarEvent(CalendarMail):
    """METHOD:CANCEL: the whole event, or one instance (RECURRENCE-ID)."""


@dataclass(frozen=True)
class RecordAttendeeReply(CalendarMail):
    """METHOD:REPLY: an attendee accepted, declined or said maybe."""


@dataclass(frozen=True)
class ExplainRefusedInvitation(Command):
    """Mail we could not act on: the sender gets a reply that says why. Nothing else is stored."""

    to: str
    subject: str
    code: str
    reason: str
    message_id: str = ""


@dataclass(frozen=True)
class RedeemConversationInvitation(Command):
    """A participant's one-time link: it becomes a guest session for the conversation it names."""

    token: str
