"""Files in a conversation: a picture (PNG, JPEG, GIF, WebP) or a PDF, at most 10 MB, attached to a
message by a guest or an agent.

An attachment always belongs to one message: ``AttachFile`` posts the message (an optional caption as
its text) and records the file with it in the same unit of work, so who may see the file is exactly
who may see the message: everyone in the conversation, or agents only for an internal note. The
command and its handler are ``bot.handlers.attaching``; this module holds the rules and the port. The
message's ``MessagePosted`` carries the files' names, types and sizes, so live updates show them.

What a file is, is decided from its bytes (``sniff``), never from its name or the sender's
Content-Type; the adapter that receives the bytes stores them (it also decodes pictures, which is
I/O-heavy work the engine leaves to it) and passes what it learned here. The name people see keeps
an extension that matches the type, so a download never becomes a different kind of file on disk.
"""

from __future__ import annotations

import builtins
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from bot.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 120
# Content type → the extension its files carry. The bytes decide which one a file is (``sniff``).
KINDS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
EXTENSIONS = {"png": ("png",), "jpg": ("jpg", "jpeg"), "gif": ("gif",), "webp": ("webp",), "pdf": ("pdf",)}


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes (magic numbers) say, if it is one we take."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def is_image(content_type: str) -> bool:
    return content_type.startswith("image/")


def refuse_type() -> InvalidInput:
    return InvalidInput(
        "Attach a picture (PNG, JPEG, GIF, WebP) or a PDF.", code="file_type_not_allowed", field="file"
    )


def refuse_size() -> InvalidInput:
    error = InvalidInput(
        "The file is larger than 10 MB.", code="file_too_large", field="file", limit=MAX_BYTES
    )
    error.status = 413  # HTTP's own word for it
    return error


def clean_name(name: object, content_type: str) -> str:
    """A name safe to show and to save: no folders, no control characters, at most 120 characters,
    and ending in the extension of the file's real type (``report.html`` of a PDF: ``report.html.pdf``)."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(c for c in text if c.isprintable() and c not in '"<>:|?*').strip(" .")
    ext = KINDS[content_type]
    stem, dot, given = text.rpartition(".")
    if not (dot and given.lower() in EXTENSIONS[ext]):
        stem = text
    stem = stem[: MAX_NAME - len(ext) - 1].strip(" .") or "file"
    return f"{stem}.{given.lower() if dot and given.lower() in EXTENSIONS[ext] else ext}"


@dataclass(frozen=True)
class Attachment:
    id: str
    conversation_id: str
    message_id: str
    name: str
    content_type: str
    size: int  # bytes
    created_at: datetime
    internal: bool = False  # its message is an internal note: agents only, like the message

    def summary(self) -> dict[str, Any]:
        """What events and the API carry: enough to show a thumbnail or a file card and to fetch it."""
        return describe(self.id, self.name, self.content_type, self.size)


def describe(file_id: str, name: str, content_type: str, size: int) -> dict[str, Any]:
    return {
        "id": file_id,
        "name": name,
        "content_type": content_type,
        "size": size,
        "url": f"/files/{file_id}/{quote(name, safe='')}",
    }


class AttachmentRepository(Protocol):
    async def add(self, attachment: Attachment) -> None: ...
    async def get(self, attachment_id: str) -> Attachment | None: ...
    async def of_messages(self, message_ids: Sequence[str]) -> dict[str, builtins.list[Attachment]]:
        """Each message's attachments (messages without any are left out)."""
        ...


def human_size(size: int) -> str:
    """``512 KB``, ``3.4 MB``: a file card's size, and the chat channels' file lines."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def file_lines(attachments: Sequence[dict[str, Any]], conversation_url: str) -> str:
    """The lines Slack and Teams show for a message's files: text only, each with a link to the
    conversation in the web inbox (where the agent, signed in, opens the file). Empty without files."""
    return "\n".join(
        f"📎 {a['name']} ({human_size(int(a['size']))}): {conversation_url}" for a in attachments
    )


def with_file_lines(text: str, attachments: Sequence[dict[str, Any]], conversation_url: str) -> str:
    """A message's text followed by its files' lines (``file_lines``); only the lines when it has no text."""
    return "\n".join(part for part in (text, file_lines(attachments, conversation_url)) if part)
