"""Header values from cleaned text: a name or subject with a line break never makes a mail fail.

The engine already cleans names and subjects where they enter (``bot/names``); rows written before
that, or text from elsewhere (a calendar, an inbound mail), still pass through here. ``EmailMessage``
raises on CR or LF in a header value, and that mail could then never be sent.
"""

from __future__ import annotations

from email.utils import formataddr

from bot.names import one_line


def header_text(value: object) -> str:
    return one_line(str(value or ""))


def mailbox(name: object, address: str) -> str:
    """``"Name" <address>``, with the name on one line (formataddr quotes what needs quoting)."""
    return formataddr((header_text(name), header_text(address)))
