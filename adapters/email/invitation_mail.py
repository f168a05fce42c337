"""The personal invitation email (plain and HTML): one link to pick any free time and, when the agent
promoted slots, one link per slot, written in the customer's time zone when it is known.

A link only opens the page; the customer confirms there, so a mail scanner that follows every link
books nothing.
"""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from adapters.email.headers import header_text, mailbox
from bot.invitations.events import InvitationBooked, InvitationSent
from bot.invitations.links import invitation_link
from scheduling.ics import build_ics, meeting_uid


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _slot(start: datetime, duration: int, tz: str) -> str:
    local = start.astimezone(_zone(tz))
    return f"{local:%a %d %b %Y, %H:%M} ({tz}, {duration} min)"


def render_invitation_mail(config: dict[str, Any], event: InvitationSent) -> EmailMessage:
    base = str(config.get("public_url") or "")
    any_time = invitation_link(base, event.token)
    promoted = [datetime.fromisoformat(p.replace("Z", "+00:00")) for p in event.promoted]
    message = EmailMessage()
    message["To"] = mailbox(event.guest_name, event.guest_email)
    message["Subject"] = header_text(f"{event.organizer_name} invites you to schedule: {event.subject}")
    # One Message-ID per sending: a redelivery after a crash replaces the file, a resend is a new mail.
    message["Message-ID"] = f"<invitation.{event.invitation_id}.{event.sending_id}@convene.local>"
    message["Reply-To"] = mailbox(event.organizer_name, event.organizer_email)
    lines = [
        f"Hello {event.guest_name},",
        "",
        f"{event.organizer_name} invites you to a {event.duration}-minute meeting: {event.subject}.",
    ]
    if event.description:
        lines += ["", event.description]
    if promoted:
        lines += ["", "Suggested times (one click opens the confirmation):"]
        lines += [
            f"- {_slot(p, event.duration, event.timezone)}: {invitation_link(base, event.token, p)}"
            for p in promoted
        ]
    lines += [
        "",
        f"Pick any free time: {any_time}",
        "",
        f"Questions? Reply to this email to reach {event.organizer_name}.",
    ]
    message.set_content("\n".join(lines) + "\n")
    h = html.escape
    parts = [
        f"<p>Hello {h(event.guest_name)},</p>",
        f"<p>{h(event.organizer_name)} invites you to a {event.duration}-minute meeting: <strong>{h(event.subject)}</strong>.</p>",
    ]
    if event.description:
        parts.append(f"<p>{h(event.description)}</p>")
    if promoted:
        items = "".join(
            f'<li><a href="{h(invitation_link(base, event.token, p))}">{h(_slot(p, event.duration, event.timezone))}</a></li>'
            for p in promoted
        )
        parts.append(f"<p>Suggested times:</p><ul>{items}</ul>")
    parts.append(f'<p><a href="{h(any_time)}">Pick any free time</a></p>')
    message.add_alternative("\n".join(parts), subtype="html")
    return message


def render_member_mail(event: InvitationBooked, address: dict[str, Any]) -> EmailMessage:
    """To a team member who is not the lead: the booked meeting, its description (even one kept from the
    customer), conferencing, location and rooms, with an ``.ics`` carrying the meeting's one UID."""
    tz = str(address.get("timezone") or "UTC")
    start, end = event.start.astimezone(_zone(tz)), event.end.astimezone(_zone(tz))
    when = f"{start:%a %d %b %Y %H:%M}–{end:%H:%M} ({tz})"
    name, email = str(address.get("name") or ""), str(address["email"])
    message = EmailMessage()
    message["To"] = mailbox(name, email)
    message["Subject"] = header_text(f"Meeting booked: {event.subject} — {when}")
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:12]
    message["Message-ID"] = (
        f"<meeting.{event.meeting_id}.InvitationBooked.{event.sequence}.{digest}@convene.local>"
    )
    details = [f"When: {when}"]
    details += [
        f"{label}: {value}"
        for label, value in (
            ("Rooms", ", ".join(event.rooms)),
            ("Conferencing", event.conferencing),
            ("Location", event.location),
        )
        if value
    ]
    lead = f"{event.guest_name} booked {event.subject}, invited by {event.organizer_name}."
    body = [f"Hello {name},", "", lead, *details]
    if event.description:
        body += ["", event.description]
    message.set_content("\n".join(body) + "\n")
    h = html.escape
    parts = [f"<p>Hello {h(name)},</p>", f"<p>{h(lead)}</p>", *(f"<p>{h(d)}</p>" for d in details)]
    if event.description:
        parts.append(f"<p>{h(event.description)}</p>")
    message.add_alternative("\n".join(parts), subtype="html")
    ics = build_ics(
        method="REQUEST",
        uid=meeting_uid(event.meeting_id),
        sequence=event.sequence,
        subject=event.subject,
        start=event.start,
        end=event.end,
        organizer=(header_text(event.organizer_name), event.organizer_email),
        attendees=[(header_text(event.guest_name), event.guest_email)],
        description=event.description,
    )
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename="invite.ics", params={"method": "REQUEST"}
    )
    return message
