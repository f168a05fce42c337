"""The ``email`` channel: mail through SMTP when configured, otherwise ``.eml`` files under ./var/outbox/."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from bot.events import Event, LoginLinkIssued
from bot.model import Binding

log = logging.getLogger(__name__)


class Mailer:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.sender = config.get("mail_from") or "Convene <convene@localhost>"
        self.folder = Path(config.get("data_dir") or "./var") / "outbox"

    async def send(self, message: EmailMessage) -> None:
        if "From" not in message:
            message["From"] = self.sender
        message["Message-ID"] = message.get("Message-ID") or make_msgid(domain="convene.local")
        if self.config.get("smtp_host"):
            import aiosmtplib

            tls = self.config.get("smtp_tls", "starttls")
            await aiosmtplib.send(
                message,
                hostname=self.config["smtp_host"],
                port=int(self.config.get("smtp_port") or 587),
                username=self.config.get("smtp_user") or None,
                password=self.config.get("smtp_password") or None,
                use_tls=tls == "tls",
                start_tls=True if tls == "starttls" else False,
            )
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        path = self.folder / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(message))
        tmp.rename(path)  # a reader never sees half a mail


class EmailChannel:
    name = "email"

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.mailer = Mailer(config)

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        if isinstance(event, LoginLinkIssued):
            link = f"{self.config['public_url']}/inbox/login?token={event.token}"
            message = EmailMessage()
            message["To"] = f"{event.name} <{event.email}>"
            message["Subject"] = "Your Convene sign-in link"
            message.set_content(
                f"Hello {event.name},\n\nsign in to your Convene inbox:\n{link}\n\nThe link works once, for 30 minutes.\n"
            )
            message.add_alternative(
                f'<p>Hello {_html(event.name)},</p><p><a href="{_html(link)}">Sign in to your Convene inbox</a></p>'
                "<p>The link works once, for 30 minutes.</p>",
                subtype="html",
            )
            await self.mailer.send(message)
        return None


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def plugin(config: dict[str, Any]) -> EmailChannel:
    return EmailChannel(config)
