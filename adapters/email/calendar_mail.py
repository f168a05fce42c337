"""The mail that tells an agent their calendar connection broke (and how to reconnect)."""

from __future__ import annotations

import html
from email.message import EmailMessage
from typing import Any

from adapters.email.headers import mailbox

LABELS = {"google": "Google Calendar", "microsoft": "Microsoft 365"}


def calendar_disconnected_mail(event: Any) -> EmailMessage:
    label = LABELS.get(event.provider, event.provider)
    paragraphs = [
        f"Convene can no longer read your {label} ({event.reason}).",
        "Until you reconnect, guests are not offered your free times, so nobody books a time you are busy.",
    ]
    action = "Reconnect" if event.provider == "google" else "Open the inbox to reconnect"
    message = EmailMessage()
    message["To"] = mailbox(event.agent_name, event.agent_email)
    message["Subject"] = f"Your {label} is disconnected from Convene"
    message["Auto-Submitted"] = "auto-generated"
    text = [f"Hello {event.agent_name},", "", *paragraphs, "", f"{action}: {event.reconnect_url}", ""]
    message.set_content("\n".join(text))
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    message.add_alternative(
        f"<p>Hello {html.escape(event.agent_name)},</p>{body}"
        f'<p><a href="{html.escape(event.reconnect_url, quote=True)}">{html.escape(action)}</a></p>',
        subtype="html",
    )
    return message
