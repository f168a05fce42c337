"""Header values from cleaned text: a name or subject with a line break never makes a mail fail.

The engine already cleans names and subjects where they enter (``bot/names``); rows written before
that, or text from elsewhere (a calendar, an inbound mail), still pass through here. ``EmailMessage``
raises on CR or LF in a header value, and that mail could then never be sent.

``finish`` adds what every mail carries, whoever wrote it: the business as the sender (From), a Date and
a Message-ID on our mail domain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from bot.names import one_line


def header_text(value: object) -> str:
    return one_line(str(value or ""))


def mailbox(name: object, address: str) -> str:
    """``"Name" <address>``, with the name on one line (formataddr quotes what needs quoting)."""
    return formataddr((header_text(name), header_text(address)))


def business_name(config: dict[str, Any]) -> str:
    """The sender people know: ``CONVENE_MAIL_FROM_NAME`` (resolved in ``bot.settings``)."""
    return header_text(
        config.get("mail_from_name") or parseaddr(str(config.get("mail_from") or ""))[0] or "Convene"
    )


def sender(config: dict[str, Any]) -> str:
    """``"Acme Sales" <convene@acme.example>``: the business's name on the configured address."""
    address = parseaddr(str(config.get("mail_from") or ""))[1] or "convene@localhost"
    return mailbox(business_name(config), address)


def finish(message: EmailMessage, config: dict[str, Any], domain: str) -> EmailMessage:
    """What every mail carries, whoever wrote it: From (the business), Date, and a Message-ID on our own
    mail domain (a writer that sets a stable one keeps it: a redelivery then replaces, not doubles)."""
    if "From" not in message:
        message["From"] = sender(config)
    if "Date" not in message:
        clock = config.get("clock")
        now = clock.now() if clock is not None else datetime.now(UTC)
        message["Date"] = format_datetime(now.astimezone(UTC))
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=domain)
    return message
