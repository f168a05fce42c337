"""The assistant's mails: the organiser's confirmation and "meeting ready", participants' invitations,
changes and reminders, the iTIP REPLY to the organiser's calendar, and explanations of refused mail.

None carries an ``.ics`` REQUEST: the organiser's calendar client owns the event and sends it to the
attendees itself; only the REPLY (the assistant accepts) goes back, so that client shows the answer.
Conversation mails are ``conversation_mail``s: a reply to them is a message in the conversation.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from adapters.email.compose import conversation_link, conversation_mail
from adapters.email.headers import business_name
from adapters.email.letter import Letter, fill
from adapters.email.reply_address import mail_domain
from bot.assistant.events import (
    AssistantConversationOpened,
    AssistantMail,
    CalendarMeetingChanged,
    CalendarMeetingReady,
    CalendarReplyDue,
    ConversationInvitationMailed,
    InvitationRefused,
    MeetingDetails,
)
from bot.assistant.texts import when
from scheduling.itip import CalendarEvent, Person, build_reply


def _details(event: MeetingDetails) -> list[str]:
    lines = [f"When: {when(event.start, event.end, event.timezone)}"]
    if event.rrule:
        lines.append(f"Repeats: {event.rrule}")
    if event.location:
        lines.append(f"Where: {event.location}")
    if event.join_url:
        lines.append(f"Join: {event.join_url}")
    return ["\n".join(lines)]


def _key(event: AssistantMail, *parts: object) -> str:
    digest = hashlib.sha256(repr((event.type, event.conversation, event.email, *parts)).encode()).hexdigest()
    return f"assistant-{digest[:32]}"


def _organizer_mail(
    config: dict[str, Any], event: MeetingDetails, subject: str, lead: list[str]
) -> EmailMessage:
    return conversation_mail(
        config,
        to_name=event.name,
        to_email=event.email,
        subject=subject,
        paragraphs=lead,
        conversation_id=event.conversation,
        member_kind="agent",
        member_id=event.member_id,
        message_key=_key(event, event.start.isoformat()),
    )


def opened_mail(config: dict[str, Any], event: AssistantConversationOpened) -> EmailMessage:
    link = conversation_link(config, event.conversation, "agent")
    lead = [
        f"the assistant opened the conversation “{event.title}” for your event, with everyone you invited.",
        f"Open it here: {link}",
        f"This conversation has its own assistant address: {event.assistant_address}\n"
        "Invite that address to another event to add the meeting to this conversation, "
        "or write to it to post in the conversation.",
    ]
    return _organizer_mail(config, event, f"Conversation ready: {event.title}", lead)


def ready_mail(config: dict[str, Any], event: CalendarMeetingReady) -> EmailMessage:
    lead = [f"your meeting “{event.summary}” is ready in the conversation “{event.title}”.", *_details(event)]
    return _organizer_mail(config, event, f"Meeting ready: {event.summary}", lead)


def invitation_mail(config: dict[str, Any], event: ConversationInvitationMailed) -> EmailMessage:
    base = str(config.get("public_url") or "").rstrip("/")
    if event.member_kind == "guest" and event.join_token:
        link = f"{base}/assistant/join?token={event.join_token}"
        how = f"Join the conversation (this link works once and signs you in as {event.email}):\n{link}"
    else:
        how = (
            f"Open the conversation in your inbox:\n{conversation_link(config, event.conversation, 'agent')}"
        )
    lead = [
        f"{event.organizer_name} invited you to “{event.summary}” and opened a conversation for it, "
        "where everyone invited can write before and after the meeting.",
        *_details(event),
        how,
    ]
    return conversation_mail(
        config,
        to_name=event.name,
        to_email=event.email,
        subject=f"Conversation for “{event.summary}”",
        paragraphs=lead,
        conversation_id=event.conversation,
        member_kind=event.member_kind,
        member_id=event.member_id,
        message_key=_key(event, event.member_id),
    )


def change_mail(config: dict[str, Any], event: CalendarMeetingChanged) -> EmailMessage:
    if event.change == "moved" and event.previous_start and event.previous_end:
        lead = [
            f"“{event.summary}” moved from {when(event.previous_start, event.previous_end, event.timezone)}."
        ]
        subject = f"Moved: {event.summary}"
    elif event.change == "cancelled":
        lead = [f"“{event.summary}” was cancelled."]
        subject = f"Cancelled: {event.summary}"
    elif event.change == "added":
        lead = [f"“{event.summary}” was added to the conversation “{event.title}”."]
        subject = f"New meeting: {event.summary}"
    elif event.change == "reminder":
        lead = [f"“{event.summary}” starts in {event.minutes_before} minutes."]
        subject = f"Reminder: {event.summary}"
    else:
        lead = [f"“{event.summary}” was updated."]
        subject = f"Updated: {event.summary}"
    return conversation_mail(
        config,
        to_name=event.name,
        to_email=event.email,
        subject=subject,
        paragraphs=[*lead, *_details(event)],
        conversation_id=event.conversation,
        member_kind=event.member_kind,
        member_id=event.member_id,
        message_key=_key(event, event.change, event.start.isoformat(), event.member_id),
    )


def reply_mail(config: dict[str, Any], event: CalendarReplyDue) -> EmailMessage:
    """The iTIP REPLY (RFC 6047): ``text/calendar; method=REPLY`` from the assistant's address."""
    assistant = Person(event.assistant_address, event.assistant_name, "ACCEPTED")
    itip = CalendarEvent(
        uid=event.uid,
        sequence=event.sequence,
        summary=event.summary,
        start=event.start,
        end=event.end,
        timezone="UTC",
        organizer=Person(event.email, event.name),
        recurrence_id=event.recurrence_id,
    )
    assert event.dtstamp is not None
    data = build_reply(itip, assistant, event.partstat, event.dtstamp)
    message = EmailMessage()
    message["From"] = formataddr((event.assistant_name, event.assistant_address))
    message["To"] = formataddr((event.name, event.email))
    message["Subject"] = f"Accepted: {event.summary}"
    message["Auto-Submitted"] = "auto-replied"
    digest = hashlib.sha256(f"{event.uid}|{event.recurrence_id}|{event.sequence}".encode()).hexdigest()[:32]
    message["Message-ID"] = f"<reply-{digest}@{mail_domain(config)}>"
    message.set_content(f"{event.assistant_name} accepted “{event.summary}”.\n")
    message.add_alternative(
        data, maintype="text", subtype="calendar", params={"method": "REPLY", "charset": "utf-8"}
    )
    return message


def refused_mail(config: dict[str, Any], event: InvitationRefused) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Convene assistant", str(config.get("assistant_address") or "")))
    message["To"] = event.email
    message["Subject"] = f"Could not schedule: {event.subject}" if event.subject else "Could not schedule"
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: nobody answers this automatically
    if event.in_reply_to:
        message["In-Reply-To"] = event.in_reply_to
    letter = Letter(
        business=business_name(config),
        greeting="Hello,",
        paragraphs=[
            "the assistant could not act on your mail:",
            event.reason,
            "Nothing was created. Fix the event in your calendar and invite the assistant again.",
        ],
    )
    return fill(message, letter)


def render(config: dict[str, Any], event: AssistantMail) -> EmailMessage:
    if isinstance(event, AssistantConversationOpened):
        return opened_mail(config, event)
    if isinstance(event, CalendarMeetingReady):
        return ready_mail(config, event)
    if isinstance(event, ConversationInvitationMailed):
        return invitation_mail(config, event)
    if isinstance(event, CalendarMeetingChanged):
        return change_mail(config, event)
    if isinstance(event, CalendarReplyDue):
        return reply_mail(config, event)
    if isinstance(event, InvitationRefused):
        return refused_mail(config, event)
    raise TypeError(f"not an assistant mail: {event.type}")
