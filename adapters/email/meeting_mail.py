"""The mail each side gets for a booking, change, cancellation or reminder: plain text and HTML,
an ``.ics`` (REQUEST with the meeting's SEQUENCE, or CANCEL) and an "add to Google Calendar" link."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from typing import Any

from adapters.email.headers import business_name, header_text, mailbox
from adapters.email.letter import Letter, fill
from adapters.email.links import meeting_links
from adapters.email.reply_address import mail_domain
from adapters.email.times import span
from bot.meetings.events import MeetingEvent
from scheduling.ics import build_ics, google_calendar_link, meeting_uid

HEADLINES = {
    "MeetingBooked": "Meeting booked",
    "MeetingRescheduled": "Meeting rescheduled",
    "MeetingDurationChanged": "Meeting changed",
    "MeetingCancelled": "Meeting cancelled",
    "ReminderDue": "Reminder",
}


# For an address nobody proved: the subject is Convene's sentence with the guest's words in quotes.
QUOTED_SUBJECTS = {
    "MeetingBooked": "Your meeting “{}” is booked",
    "MeetingRescheduled": "Your meeting “{}” was moved",
    "MeetingDurationChanged": "Your meeting “{}” was changed",
    "MeetingCancelled": "Your meeting “{}” was cancelled",
}
QUOTED_SUBJECT_LENGTH = 60


def _quoted(text: str, limit: int = QUOTED_SUBJECT_LENGTH) -> str:
    text = header_text(text).replace("“", '"').replace("”", '"')
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _done_by(e: MeetingEvent, is_agent: bool, verb: str, other: str, member: str | None = None) -> str:
    """Who did it, from the reader's point of view: "You cancelled Demo with Ann.", "Ann cancelled Demo
    with you.", or, for a colleague of the agent, "Bob cancelled Demo with Ann." (never "Nora cancelled
    … with Nora"). ``member``: the reader is a team member besides the lead."""
    reader = ("agent", member or e.agent) if is_agent else ("guest", e.guest_id)
    other_side = ("guest", e.guest_id) if is_agent else ("agent", e.agent)
    actor = (e.by.kind, e.by.id)
    if actor == reader:
        return f"You {verb} {e.subject} with {other}."
    if actor == other_side:
        return f"{other} {verb} {e.subject} with you."
    return f"{e.by.name} {verb} {e.subject} with {other}."


def render_meeting_mail(
    event: MeetingEvent,
    recipient_email: str,
    recipient_name: str,
    public_url: str,
    *,
    quoted: bool = False,
    config: dict[str, Any] | None = None,
    member: tuple[str, str] | None = None,
    manage_link: str | None = None,
) -> EmailMessage:
    """``quoted``: the address is unproven, so a stranger may have typed the name and subject. They then
    appear only as quoted text (never as the To name or the start of the subject). Times are in the
    reader's zone first, then the other side's. ``member``: (slug, time zone) of a team member besides
    the lead, who reads it as the agent side does. ``manage_link``: the guest's page to reschedule or
    cancel (bot.meetings.manage_links)."""
    e = event
    config = config if config is not None else {"public_url": public_url}
    is_agent = member is not None or recipient_email.lower() == e.agent_email.lower()
    own, theirs = (e.agent_timezone, e.guest_timezone) if is_agent else (e.guest_timezone, e.agent_timezone)
    if member is not None:
        own = member[1] or own
    other = e.guest_name if is_agent else e.agent_name
    cancelled = e.type == "MeetingCancelled"
    when = span(e.start, e.end, own or e.agent_timezone or "UTC", theirs)
    headline = HEADLINES.get(e.type, "Meeting")
    if e.type == "ReminderDue":
        lead = f"{e.subject} with {other} starts in {getattr(e, 'minutes_before', 15)} minutes."
    elif cancelled:
        lead = _done_by(e, is_agent, "cancelled", other, member and member[0])
        if getattr(e, "reason", None):
            lead += f" Reason: {getattr(e, 'reason', '')}"
    elif e.type == "MeetingBooked":
        lead = f"{e.subject} with {other} is booked."
    else:
        lead = _done_by(e, is_agent, "changed", other, member and member[0])
    links = meeting_links(
        config,
        meeting_id=e.meeting_id,
        conversation_id=e.conversation_id,
        reader_kind="agent" if is_agent else "guest",
        manage_link=manage_link,
    )
    link = links.conversation
    google = None if cancelled else google_calendar_link(e.subject, e.start, e.end, f"With {other}")

    message = EmailMessage()
    if quoted:
        message["To"] = header_text(recipient_email)
        template = QUOTED_SUBJECTS.get(e.type, "Your meeting “{}”")
        message["Subject"] = template.format(_quoted(e.subject))
        lead = f"{template.format(_quoted(e.subject, 300))} (with {e.agent_name})."
        greeting = f"Hello (the name given was “{_quoted(recipient_name, 100)}”),"
    else:
        message["To"] = mailbox(recipient_name, recipient_email)
        message["Subject"] = header_text(f"{headline}: {e.subject} — {when}")
        greeting = f"Hello {recipient_name},"
    digest = hashlib.sha256(recipient_email.lower().encode()).hexdigest()[:12]
    # One Message-ID per (meeting, change, recipient): a redelivery after a crash replaces, not doubles.
    domain = mail_domain(config) if config.get("mail_from") or config.get("mail_domain") else "convene.local"
    message["Message-ID"] = f"<meeting.{e.meeting_id}.{e.type}.{e.sequence}.{digest}@{domain}>"
    extra = [("Add to Google Calendar", google)] if google else []
    if links.manage != link:
        extra.insert(0, ("Conversation", link))
    fill(
        message,
        Letter(
            business=business_name(config),
            greeting=greeting,
            paragraphs=[lead],
            details=[("When", when), ("With", other)],
            button=(links.manage_label, links.manage),
            links=extra,
        ),
    )
    method = "CANCEL" if cancelled else "REQUEST"
    # Everyone the meeting is for: the customer and every team member besides the lead (the organiser).
    with_guest = e.guest_email and getattr(e, "guest_on_event", True)
    attendees = [(header_text(e.guest_name), e.guest_email)] if with_guest else []
    attendees += [(header_text(name), email) for _, name, email, _ in e.members if email]
    ics = build_ics(
        method=method,
        uid=meeting_uid(e.meeting_id),
        sequence=e.sequence,
        subject=e.subject,
        start=e.start,
        end=e.end,
        organizer=(header_text(e.agent_name), e.agent_email),
        attendees=attendees,
        description=f"Meeting with {other}. {link}",
        url=link,
    )
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename="invite.ics", params={"method": method}
    )
    return message
