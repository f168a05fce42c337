"""Domain objects. Plain data with the rules that belong to one object; no I/O."""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from bot.attachments import Attachment
from bot.errors import InvalidInput, NotAMember, NotFound

ActorKind = Literal["agent", "guest", "system"]
MAX_MESSAGE_LENGTH = 10_000
MAX_NAME_LENGTH = 200
MAX_MEMBERS = 1_000
_T = TypeVar("_T")


def new_id() -> str:
    return str(uuid.uuid4())


def time_ordered_id() -> str:
    """A UUID version 7 (RFC 9562): milliseconds since 1970, then 74 random bits. Rows that are only ever
    added (messages) then go to the end of their primary-key index instead of a random page of it: each
    commit rewrites a few pages rather than one per message (a fifth fewer WAL bytes for a batch). It
    tells when it was made, which a message says anyway. (Python 3.14 has ``uuid.uuid7``.) Written out
    by hand, and the random bits taken from the OS a few hundred ids at a time: every message makes one,
    and ``str(uuid.UUID(...))`` with a system call each cost a thirtieth of the server's time."""
    value = (time.time_ns() // 1_000_000) << 80 | _random_bits()
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC's variant
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_RANDOM_BYTES = 10  # 80 bits, of which the version and variant overwrite 6
_random = bytearray()
_random_lock = threading.Lock()


def _random_bits() -> int:
    """80 bits from ``os.urandom``, read 4 KiB at a time; each is used once (a lock, for threads), and a
    forked process starts afresh (``os.register_at_fork`` below), so no two processes share them."""
    global _random
    with _random_lock:
        if len(_random) < _RANDOM_BYTES:
            _random = bytearray(os.urandom(4096))
        bits = int.from_bytes(_random[-_RANDOM_BYTES:])
        del _random[-_RANDOM_BYTES:]
    return bits


def _forget_random() -> None:
    global _random
    _random = bytearray()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_random)


@dataclass(frozen=True)
class Actor:
    """Who did something, whichever channel they used."""

    kind: ActorKind
    id: str  # agent slug, guest id, or "system"
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor("system", "system", "Convene")


@dataclass
class Agent:
    slug: str
    name: str
    email: str
    timezone: str = "Europe/Berlin"
    settings: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)
    avatar_url: str | None = None  # an uploaded picture; otherwise avatars are generated initials

    @property
    def actor(self) -> Actor:
        return Actor("agent", self.slug, self.name)


@dataclass
class Service:
    """A call group: the agents who answer for it."""

    slug: str
    name: str
    members: list[str] = field(default_factory=list)  # agent slugs
    id: str = field(default_factory=new_id)

    def require_member(self, agent_slug: str) -> None:
        if agent_slug not in self.members:
            raise NotAMember(f"{agent_slug} is not a member of {self.name}.", agent=agent_slug)


@dataclass
class Guest:
    name: str
    email: str | None = None
    timezone: str | None = None
    id: str = field(default_factory=new_id)
    # An address counts only once proven: set only by redeeming a one-time emailed link (bot/identity).
    email_proven_at: datetime | None = None
    email_origin: Literal["guest", "agent"] = "guest"  # who wrote the address down
    page_url: str | None = None  # the page the session started on (bot.origin): its conversations' origin

    @property
    def email_proven(self) -> bool:
        return self.email is not None and self.email_proven_at is not None

    @property
    def actor(self) -> Actor:
        return Actor("guest", self.id, self.name)


@dataclass
class Member:
    """A participant of a conversation; read markers and notification state hang off it."""

    kind: Literal["agent", "guest"]
    id: str
    name: str
    email: str | None
    external: bool = False
    last_read_seq: int = 0

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass
class Conversation:
    guest_id: str
    service: str | None = None  # the call group it is routed to
    agent: str | None = None  # set when the guest wrote to (or booked with) one agent
    title: str | None = None  # set only by a rename; otherwise the title depends on the viewer
    assigned_service: str | None = None
    assignee: str | None = None
    last_seq: int = 0
    created_at: datetime | None = None
    last_message_at: datetime | None = None
    link_token: str | None = None
    read_only_external: bool = False
    id: str = field(default_factory=new_id)
    # Guests number only the messages they see, so neither a gap nor a count reveals an internal note.
    guest_seq: int = 0
    # The service the guest first wrote to: writing to it again continues here even after a move.
    first_service: str | None = None
    # The conversation's own picture (a URL the adapter stored); shown with the conversation's own title.
    picture: str | None = None
    # Where it stands in the inbox (bot/status): "open", "snoozed" (until a UTC time) or "resolved".
    status: str = "open"
    snoozed_until: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None  # the agent's slug
    # Where it came from (bot.origin): widget, personal_link, invitation, assistant or agent, and the
    # page (the widget's embedding page, the personal link) when there was one. None: before 0019.
    origin: str | None = None
    origin_url: str | None = None

    def next_seq(self) -> int:
        self.last_seq += 1
        return self.last_seq

    def next_guest_seq(self) -> int:
        self.guest_seq += 1
        return self.guest_seq

    def assign(self, service: Service, assignee: str | None) -> None:
        if assignee is not None:
            service.require_member(assignee)
        # Routing follows an assignment: handing a conversation to Support moves it to Support's inbox.
        self.assigned_service = service.slug
        self.assignee = assignee
        self.service = service.slug


@dataclass
class Message:
    conversation_id: str
    seq: int
    author: Actor
    text: str
    created_at: datetime
    client_id: str | None = None
    internal: bool = False
    id: str = field(default_factory=time_ordered_id)
    guest_seq: int | None = None  # its place among the messages guests see; None for an internal note
    attachments: list[Attachment] = field(default_factory=list)  # its files, filled in by bot.queries


@dataclass
class Binding:
    """Where a conversation's notices go: a guest's web session, a Slack thread, a Teams thread, a mailbox."""

    conversation_id: str
    channel: str
    address: dict[str, Any]
    thread_key: str | None = None  # how the channel finds this binding from an inbound reply
    id: str = field(default_factory=new_id)


@dataclass
class DigestState:
    """Where one person stands with unread-message emails, across all their conversations
    (see bot/email_digest)."""

    person_kind: str
    person_id: str
    pending_since: datetime | None = None  # the oldest unread message not yet emailed (a cache)
    sends: list[datetime] = field(default_factory=list)  # emails of this unread streak, newest last
    # Every conversation where the person has unread messages → the newest seq already emailed there.
    # Empty means they have read everything: the streak is over.
    conversations: dict[str, int] = field(default_factory=dict)
    unsubscribed: bool = False  # they turned these emails off (the List-Unsubscribe link)


def clean_text(text: object, *, limit: int = MAX_MESSAGE_LENGTH, what: str = "message") -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"The {what} is empty.", code=f"empty_{what}")
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} is longer than {limit:,} characters.", code=f"{what}_too_long", limit=limit
        )
    return text.strip()


MAX_CLIENT_ID = 100


def clean_client_id(value: object) -> str | None:
    """The sender's own id for a message (resends find the first): short, or it would be stored and
    echoed at any size (and PostgreSQL, whose column is 100 wide, would lose the message)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_CLIENT_ID or not value.isprintable():
        raise InvalidInput(
            f"The client_id is at most {MAX_CLIENT_ID} printable characters.",
            code="invalid_client_id",
            field="client_id",
        )
    return value


def require(value: _T | None, what: str) -> _T:
    if value is None:
        raise NotFound(f"No such {what}.", code=f"unknown_{what}")
    return value
