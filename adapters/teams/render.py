"""Engine events → what a conversation's Teams thread shows: a reply line, the card drawn again, or both.

Each event type has its own renderer reading its typed fields (``thread_update`` dispatches on the
event's class), so a renamed field fails the type check and the tests instead of rendering nothing.
Event types Teams shows nothing for are listed in ``NOT_SHOWN``; a test checks every event type of the
engine is one or the other. The card's state (the next meeting) lives in the binding's address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import singledispatch
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams import cards
from bot.assistant.events import (
    AssistantConversationOpened,
    CalendarMeetingChanged,
    CalendarMeetingReady,
    CalendarReplyDue,
    ConversationInvitationMailed,
    InvitationRefused,
)
from bot.calendars.connections import CalendarConnectionBroken
from bot.channel_replies import ChannelReplyQueued
from bot.events import (
    ConversationAssigned,
    ConversationPictureChanged,
    ConversationRenamed,
    ConversationSeen,
    ConversationStarted,
    Event,
    LoginLinkIssued,
    MemberAdded,
    MemberRemoved,
    MessagePosted,
    MessagesRead,
    ReactionAdded,
    ReactionRemoved,
    UnreadDigestReady,
)
from bot.identity import EmailProofIssued
from bot.invitations.events import InvitationBooked, InvitationSent, InvitationWithdrawn
from bot.meetings.events import (
    MeetingBooked,
    MeetingCancelled,
    MeetingDurationChanged,
    MeetingEvent,
    MeetingRescheduled,
    ReminderDue,
)
from bot.notices import AgentNotified
from bot.status.events import ConversationReopened, ConversationResolved, ConversationSnoozed

ECHO_PREFIX = "teams:"  # client ids of messages written in Teams: never echoed back into Teams

# Facts with no place in a Teams thread (the inbox and mail show them). The engine writes its own
# notice (a system ``MessagePosted``) for a rename and for a reminder, so those reach the thread as lines.
NOT_SHOWN: frozenset[type[Event]] = frozenset(
    {
        # the assistant's mails (its changes reach the thread as the engine's own notices)
        AssistantConversationOpened,
        CalendarMeetingChanged,
        CalendarMeetingReady,
        CalendarReplyDue,
        ConversationInvitationMailed,
        InvitationRefused,
        CalendarConnectionBroken,
        ChannelReplyQueued,  # a direct answer: ``TeamsChannel.deliver`` sends it where it was owed
        AgentNotified,  # a direct message to one agent (bot.notices), never a thread's business
        EmailProofIssued,  # a mail to one address, never a thread's business
        ConversationPictureChanged,  # its notice reaches the thread as a line
        ConversationRenamed,
        ConversationSeen,  # the widget's "Seen"; Teams has its own read state
        InvitationBooked,  # invitations (issue 12): mails; their notices reach the thread as lines
        InvitationSent,
        InvitationWithdrawn,
        LoginLinkIssued,
        MemberAdded,
        MemberRemoved,
        MessagesRead,
        ReactionAdded,
        ReactionRemoved,
        ReminderDue,
        UnreadDigestReady,
    }
)


@dataclass(frozen=True)
class ThreadUpdate:
    """What one event changes in a conversation's Teams thread."""

    start_thread: bool = False  # a new channel post with the conversation card; replies form the thread
    line: str | None = None  # a reply in the thread
    redraw_card: bool = False  # the conversation card is drawn again, in place
    address: dict[str, Any] | None = None  # the binding's new address; None: unchanged

    @property
    def shows_anything(self) -> bool:
        return self.start_thread or self.line is not None or self.redraw_card


@singledispatch
def thread_update(event: Event, address: dict[str, Any]) -> ThreadUpdate:
    """Event types in ``NOT_SHOWN`` (and any the engine adds before Teams learns them) show nothing."""
    return ThreadUpdate()


@thread_update.register
def _started(event: ConversationStarted, address: dict[str, Any]) -> ThreadUpdate:
    return ThreadUpdate(start_thread=True)


@thread_update.register
def _posted(event: MessagePosted, address: dict[str, Any]) -> ThreadUpdate:
    return ThreadUpdate(line=message_text(event))


@thread_update.register
def _assigned(event: ConversationAssigned, address: dict[str, Any]) -> ThreadUpdate:
    return ThreadUpdate(redraw_card=True)  # the engine's notice ("Alice took …") comes as a message


@thread_update.register(ConversationResolved)
@thread_update.register(ConversationReopened)
@thread_update.register(ConversationSnoozed)
def _status_changed(event: Event, address: dict[str, Any]) -> ThreadUpdate:
    """The card shows the status and Resolve or Reopen (the engine's notice comes as a message)."""
    return ThreadUpdate(redraw_card=True)


@thread_update.register(MeetingBooked)
@thread_update.register(MeetingRescheduled)
@thread_update.register(MeetingDurationChanged)
def _meeting_set(event: MeetingEvent, address: dict[str, Any]) -> ThreadUpdate:
    """The card shows this meeting next (the engine's notice about it comes as a message)."""
    return ThreadUpdate(redraw_card=True, address=showing(address, event.meeting_id, event.start))


@thread_update.register
def _meeting_cancelled(event: MeetingCancelled, address: dict[str, Any]) -> ThreadUpdate:
    return ThreadUpdate(redraw_card=True, address=showing(address, event.meeting_id, None))


def showing(address: dict[str, Any], meeting_id: str, start: datetime | None) -> dict[str, Any]:
    """The address with the card showing this meeting at ``start``; None: it is cancelled, and the
    card drops it (a different meeting shown stays)."""
    if start is not None:
        return {**address, "meeting_id": meeting_id, "meeting_start": start.isoformat()}
    if address.get("meeting_id") not in (None, meeting_id):
        return dict(address)
    return {k: v for k, v in address.items() if k not in ("meeting_id", "meeting_start")}


def message_text(event: MessagePosted) -> str | None:
    """The thread line for a message, or None when it must not appear (it was written in Teams)."""
    if event.client_id and event.client_id.startswith(ECHO_PREFIX):
        return None
    if event.author.kind == "system":
        return event.text
    if event.internal:
        return f"{event.author.name} (internal note): {event.text}"
    return f"{event.author.name}: {event.text}"


def when(moment: datetime | str, tz: str) -> str:
    """``Tue 24.11.2026 10:00 CET``: a moment in the reader's zone."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%a %d.%m.%Y %H:%M ") + (local.tzname() or tz)


def next_meeting(address: dict[str, Any], tz: str) -> str | None:
    """The card's "Next meeting" line, from what the binding's address remembers."""
    start = address.get("meeting_start")
    return when(start, tz) if start else None


def text_activity(text: str) -> Activity:
    # Plain text: Teams shows what people wrote, without interpreting markdown or HTML.
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


def card_activity(content: dict[str, Any] | cards.ConversationView) -> Activity:
    if isinstance(content, cards.ConversationView):
        content = cards.conversation_card(content)
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=cards.CARD_CONTENT_TYPE, content=content)],
    )
