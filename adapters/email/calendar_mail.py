"""The mail that tells an agent their calendar connection broke (and how to reconnect)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from adapters.email.headers import business_name, mailbox
from adapters.email.letter import Letter, fill

LABELS = {"google": "Google Calendar", "microsoft": "Microsoft 365"}


def calendar_disconnected_mail(event: Any, config: dict[str, Any] | None = None) -> EmailMessage:
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
    letter = Letter(
        business=business_name(config or {}),
        greeting=f"Hello {event.agent_name},",
        paragraphs=paragraphs,
        button=(action, event.reconnect_url),
    )
    return fill(message, letter)
