"""The personal invitation email (plain and HTML): one link to pick any free time and, when the agent
promoted slots, one link per slot, written in the customer's time zone when it is known.

A link only opens the page; the customer confirms there, so a mail scanner that follows every link
books nothing.
"""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from adapters.email.headers import header_text, mailbox
from bot.invitations.events import InvitationSent
from bot.invitations.links import invitation_link


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
