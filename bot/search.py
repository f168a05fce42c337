"""Inbox search: what an agent may find, and how a match is shown.

The storage port (``SearchRepository``) runs the query with the access rule of ``bot.access.agent_can_see``
inside it, so a conversation the agent may not see never leaves the database. This module owns the rest:
which words a query holds, and the highlight, as plain segments (``{"text", "match"}``) that a client
renders as text: nothing here is HTML, so nothing the client shows needs trusting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from bot.errors import InvalidInput

if TYPE_CHECKING:  # bot.ports names this module's port
    from bot.ports import UnitOfWork

HitKind = Literal["message", "guest", "meeting"]

MAX_TERMS = 8
MAX_QUERY = 200
SNIPPET_CHARS = 160
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    """One thing found: a message (``message_id`` and ``seq`` set), a guest or a meeting subject."""

    kind: HitKind
    conversation_id: str
    text: str  # the message text, guest "name <email>", or meeting subject
    at: datetime | None
    guest_name: str
    message_id: str | None = None
    seq: int | None = None
    internal: bool = False


class SearchRepository(Protocol):
    async def search(
        self, terms: Sequence[str], agent_slug: str, services: Sequence[str], *, limit: int = 30
    ) -> list[SearchHit]:
        """Messages, guest names and emails, meeting subjects holding every term (as a word prefix),
        only in conversations ``agent_can_see`` lets the agent into; newest first."""
        ...


def terms_of(query: str) -> list[str]:
    """The words of a query, lower-cased, at most ``MAX_TERMS``; refuses an empty or long one."""
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"A search is at most {MAX_QUERY} characters.", code="invalid_query", field="q")
    terms = list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:MAX_TERMS]
    if not terms:
        raise InvalidInput("Type a word to search for.", code="invalid_query", field="q")
    return terms


def segments(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> list[dict[str, object]]:
    """The text around the first match, cut to ``width``, split into matched and plain pieces.

    A word matches when it starts with a term, as the full-text indexes match prefixes."""
    spans = [
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if any(m.group().lower().startswith(t) for t in terms)
    ]
    start = 0
    if spans and spans[0][0] > width // 3:
        start = spans[0][0] - width // 3
    end = min(len(text), start + width)
    pieces: list[dict[str, object]] = []
    if start > 0:
        pieces.append({"text": "…", "match": False})
    cursor = start
    for s, e in spans:
        if e <= cursor or s >= end:
            continue
        s, e = max(s, cursor), min(e, end)
        if s > cursor:
            pieces.append({"text": text[cursor:s], "match": False})
        pieces.append({"text": text[s:e], "match": True})
        cursor = e
    if cursor < end:
        pieces.append({"text": text[cursor:end], "match": False})
    if end < len(text):
        pieces.append({"text": "…", "match": False})
    return pieces


def matches(text: str, terms: Sequence[str]) -> bool:
    """Every term starts some word of the text, accents aside (what the indexes answer; the fakes and
    SQLite's messages not yet indexed use it)."""
    words = [_folded(w) for w in _WORD.findall(text)]
    return all(any(w.startswith(_folded(t)) for w in words) for t in terms)


def _folded(word: str) -> str:
    """Lower case without accents ("Zoë" → "zoe"), as the indexes fold words."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


async def find(uow: UnitOfWork, agent_slug: str, query: str, *, limit: int = 30) -> list[dict[str, object]]:
    """What an agent finds for a query, each hit with its highlight segments."""
    terms = terms_of(query)
    services = [s.slug for s in await uow.services.of_agent(agent_slug)]
    hits = await uow.search.search(terms, agent_slug, services, limit=max(1, min(limit, 100)))
    return [
        {
            "kind": hit.kind,
            "conversation_id": hit.conversation_id,
            "message_id": hit.message_id,
            "seq": hit.seq,
            "internal": hit.internal,
            "guest_name": hit.guest_name,
            "at": hit.at.isoformat() if hit.at else None,
            "segments": segments(hit.text, terms),
        }
        for hit in hits
    ]
