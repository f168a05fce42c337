"""The personal invitation email (plain and HTML): one link to pick any free time and, when the agent
promoted slots, one link per slot, written in the customer's time zone when it is known.

A link only opens the page; the customer confirms there, so a mail scanner that follows every link
books nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from adapters.email.headers import business_name, header_text, mailbox
from adapters.email.letter import Letter, fill
from adapters.email.links import meeting_links
from adapters.email.reply_address import mail_domain
from adapters.email.times import span, zone
from bot.invitations.events import InvitationBooked, InvitationSent
from bot.invitations.links import invitation_link
from scheduling.ics import build_ics, meeting_uid


def _slot(start: datetime, duration: int, tz: str) -> str:
    local = start.astimezone(zone(tz))
    return f"{local:%a %d %b %Y, %H:%M} ({tz}, {duration} min)"


def render_invitation_mail(config: dict[str, Any], event: InvitationSent) -> EmailMessage:
    base = str(config.get("public_url") or "")
    any_time = invitation_link(base, event.token)
    promoted = [datetime.fromisoformat(p.replace("Z", "+00:00")) for p in event.promoted]
    message = EmailMessage()
    message["To"] = mailbox(event.guest_name, event.guest_email)
    message["Subject"] = header_text(f"{event.organizer_name} invites you to schedule: {event.subject}")
    # One Message-ID per sending: a redelivery after a crash replaces the file, a resend is a new mail.
    message["Message-ID"] = f"<invitation.{event.invitation_id}.{event.sending_id}@{mail_domain(config)}>"
    message["Reply-To"] = mailbox(event.organizer_name, event.organizer_email)
    paragraphs = [
        f"{event.organizer_name} invites you to a {event.duration}-minute meeting: {event.subject}."
    ]
    if event.description:
        paragraphs.append(event.description)
    if promoted:
        paragraphs.append("Suggested times (one click opens the confirmation):")
    letter = Letter(
        business=business_name(config),
        greeting=f"Hello {event.guest_name},",
        paragraphs=paragraphs,
        choices=[
            (_slot(p, event.duration, event.timezone), invitation_link(base, event.token, p))
            for p in promoted
        ],
        button=("Pick any free time", any_time),
        footer=[f"Questions? Reply to this email to reach {event.organizer_name}."],
    )
    return fill(message, letter)


def render_member_mail(
    event: InvitationBooked, address: dict[str, Any], config: dict[str, Any] | None = None
) -> EmailMessage:
    """To a team member who is not the lead: the booked meeting, its description (even one kept from the
    customer), conferencing, location and rooms, with an ``.ics`` carrying the meeting's one UID."""
    config = config or {}
    tz = str(address.get("timezone") or "UTC")
    when = span(event.start, event.end, tz)
    name, email = str(address.get("name") or ""), str(address["email"])
    message = EmailMessage()
    message["To"] = mailbox(name, email)
    message["Subject"] = header_text(f"Meeting booked: {event.subject} — {when}")
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:12]
    domain = mail_domain(config) if config.get("mail_from") or config.get("mail_domain") else "convene.local"
    message["Message-ID"] = (
        f"<meeting.{event.meeting_id}.InvitationBooked.{event.sequence}.{digest}@{domain}>"
    )
    details = [("When", when)]
    details += [
        (label, value)
        for label, value in (
            ("Rooms", ", ".join(event.rooms)),
            ("Conferencing", event.conferencing),
            ("Location", event.location),
        )
        if value
    ]
    lead = f"{event.guest_name} booked {event.subject}, invited by {event.organizer_name}."
    paragraphs = [lead, event.description] if event.description else [lead]
    links = meeting_links(
        config, meeting_id=event.meeting_id, conversation_id=event.conversation_id, reader_kind="agent"
    )
    fill(
        message,
        Letter(
            business=business_name(config),
            greeting=f"Hello {name},",
            paragraphs=paragraphs,
            details=details,
            button=(links.manage_label, links.manage),
        ),
    )
    ics = build_ics(
        method="REQUEST",
        uid=meeting_uid(event.meeting_id),
        sequence=event.sequence,
        subject=event.subject,
        start=event.start,
        end=event.end,
        organizer=(header_text(event.organizer_name), event.organizer_email),
        attendees=[(header_text(event.guest_name), event.guest_email)] if event.guest_on_event else [],
        description=event.description,
    )
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename="invite.ics", params={"method": "REQUEST"}
    )
    return message
