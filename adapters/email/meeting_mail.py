"""The mail each side gets for a booking, change, cancellation or reminder: plain text and HTML,
an ``.ics`` (REQUEST with the meeting's SEQUENCE, or CANCEL) and an "add to Google Calendar" link."""

from __future__ import annotations

import hashlib
import html
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from adapters.email.headers import header_text, mailbox
from bot.links import inbox_link
from bot.meetings.events import MeetingEvent
from scheduling.ics import build_ics, google_calendar_link, meeting_uid

HEADLINES = {
    "MeetingBooked": "Meeting booked",
    "MeetingRescheduled": "Meeting rescheduled",
    "MeetingDurationChanged": "Meeting changed",
    "MeetingCancelled": "Meeting cancelled",
    "ReminderDue": "Reminder",
}


def _zone(key: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(key or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _when(event: MeetingEvent, tz: str) -> str:
    zone = _zone(tz)
    a, b = event.start.astimezone(zone), event.end.astimezone(zone)
    utc = f"{event.start:%H:%M}–{event.end:%H:%M} UTC"
    return f"{a:%a %d %b %Y %H:%M}–{b:%H:%M} ({tz}; {utc})"


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


def _done_by(e: MeetingEvent, is_agent: bool, verb: str, other: str) -> str:
    """Who did it, from the reader's point of view: "You cancelled Demo with Ann.", "Ann cancelled Demo
    with you.", or, for a colleague of the agent, "Bob cancelled Demo with Ann." (never "Nora cancelled
    … with Nora")."""
    reader = ("agent", e.agent) if is_agent else ("guest", e.guest_id)
    other_side = ("guest", e.guest_id) if is_agent else ("agent", e.agent)
    actor = (e.by.kind, e.by.id)
    if actor == reader:
        return f"You {verb} {e.subject} with {other}."
    if actor == other_side:
        return f"{other} {verb} {e.subject} with you."
    return f"{e.by.name} {verb} {e.subject} with {other}."


def render_meeting_mail(
    event: MeetingEvent, recipient_email: str, recipient_name: str, public_url: str, *, quoted: bool = False
) -> EmailMessage:
    """``quoted``: the address is unproven, so a stranger may have typed the name and subject. They then
    appear only as quoted text (never as the To name or the start of the subject)."""
    e = event
    is_agent = recipient_email.lower() == e.agent_email.lower()
    tz = (e.agent_timezone if is_agent else e.guest_timezone) or e.agent_timezone or "UTC"
    other = e.guest_name if is_agent else e.agent_name
    cancelled = e.type == "MeetingCancelled"
    when = _when(e, tz)
    headline = HEADLINES.get(e.type, "Meeting")
    if e.type == "ReminderDue":
        lead = f"{e.subject} with {other} starts in {getattr(e, 'minutes_before', 15)} minutes."
    elif cancelled:
        lead = _done_by(e, is_agent, "cancelled", other)
        if getattr(e, "reason", None):
            lead += f" Reason: {getattr(e, 'reason', '')}"
    elif e.type == "MeetingBooked":
        lead = f"{e.subject} with {other} is booked."
    else:
        lead = _done_by(e, is_agent, "changed", other)
    base = public_url.rstrip("/")
    link = inbox_link(base, e.conversation_id) if is_agent else f"{base}/c/{e.conversation_id}"
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
    message["Message-ID"] = f"<meeting.{e.meeting_id}.{e.type}.{e.sequence}.{digest}@convene.local>"
    lines = [greeting, "", lead, f"When: {when}", "", f"Conversation: {link}"]
    if google:
        lines.append(f"Add to Google Calendar: {google}")
    message.set_content("\n".join(lines) + "\n")
    parts = [
        f"<p>{_h(greeting)}</p>",
        f"<p>{_h(lead)}</p>",
        f"<p><strong>When:</strong> {_h(when)}</p>",
        f'<p><a href="{_h(link)}">Open the conversation</a></p>',
    ]
    if google:
        parts.append(f'<p><a href="{_h(google)}">Add to Google Calendar</a></p>')
    message.add_alternative("\n".join(parts), subtype="html")
    method = "CANCEL" if cancelled else "REQUEST"
    attendees = [(header_text(e.guest_name), e.guest_email)] if e.guest_email else []
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


def _h(text: str) -> str:
    return html.escape(text, quote=True)
