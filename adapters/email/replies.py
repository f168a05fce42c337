"""What a person wrote in a reply by email: the new text above the quote, our marker or the signature.
Used by replies to conversations and by mail to the assistant alike."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage

from adapters.email.reply_address import REPLY_MARKER

_WROTE = re.compile(r"wrote:\s*$|schrieb:\s*$|a écrit\s*:\s*$", re.IGNORECASE)
_HEADER_BLOCK = ("-----Original Message-----", "________________________________")


def strip_quoted(text: str) -> str:
    """The new part of a reply: what is above the quote, our marker or the signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if REPLY_MARKER in line or stripped in _HEADER_BLOCK or line == "-- ":
            break
        # "On Mon, 23 Nov 2026, Convene <...> wrote:", which some clients wrap over two lines.
        if stripped.startswith(("On ", "Am ", "Le ")):
            window = " ".join(s.strip() for s in lines[index : index + 2])
            if _WROTE.search(stripped) or _WROTE.search(window):
                break
        if not stripped.startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def reply_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_subtype() == "html":
        content = re.sub(r"(?is)<(script|style|blockquote).*?</\1>", "", content)
        content = html.unescape(re.sub(r"<br\s*/?>|</p>", "\n", content, flags=re.IGNORECASE))
        content = re.sub(r"<[^>]+>", "", content)
    return strip_quoted(content)
