"""Facts the engine records, in the past tense. They travel through the outbox as JSON.

Each event says who may see it (its ``audience``), decided here when it is recorded: an internal note,
and every reaction or read marker, reaches agents only. Channels ask ``bot.access`` and never decide.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

import orjson

from bot.json_text import dumps
from bot.model import Actor


class Audience(StrEnum):
    """Who may see an event: guests and agents, or agents only."""

    EVERYONE = "everyone"
    AGENTS = "agents"


class Event:
    registry: ClassVar[dict[str, type[Event]]] = {}
    # Live secrets (a sign-in link's token): sealed in the outbox, erased once delivered
    # (storage/sealed_payloads).
    secret_fields: ClassVar[tuple[str, ...]] = ()
    conversation_id: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Event.registry[cls.__name__] = cls

    @property
    def type(self) -> str:
        return type(self).__name__

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        """Destinations beyond the conversation's bindings, for notices that belong to no thread."""
        return []


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Actor):
        return {"kind": value.kind, "id": value.id, "name": value.name}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_PLAIN = frozenset({str, int, bool, float, type(None)})  # exactly these types (no subclass) go as they are


def to_json(event: Event) -> dict[str, Any]:
    # Every message's event passes here (the outbox row): the field names are read once per class.
    cls = type(event)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(event))  # type: ignore[arg-type]
    return {name: (v if type(v := getattr(event, name)) in _PLAIN else _encode(v)) for name in names}


def to_json_text(event: Event) -> str:
    """``to_json`` written as JSON text (``bot/json_text``), byte for byte, without building the dict:
    orjson writes the dataclass itself, its datetimes as ``isoformat`` does and its actors' three
    fields; anything else it would write differently goes the long way (tested for every event)."""
    try:
        return orjson.dumps(event).decode()
    except TypeError:
        return dumps(to_json(event))


def from_json(type_name: str, data: dict[str, Any]) -> Event:
    cls = Event.registry[type_name]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        raw, hint = data[f.name], str(f.type)  # annotations are strings here (postponed evaluation)
        if raw is not None and "datetime" in hint:
            raw = datetime.fromisoformat(raw)
        elif raw is not None and "Actor" in hint:
            raw = Actor(**raw)
        elif raw is not None and "Audience" in hint:
            raw = Audience(raw)
        elif isinstance(raw, list):
            raw = tuple(raw)
        values[f.name] = raw
    return cls(**values)


@dataclass(frozen=True)
class ConversationStarted(Event):
    conversation_id: str
    guest_id: str
    guest_name: str
    guest_email: str | None
    service: str | None
    agent: str | None
    text: str
    started_by: str | None = None  # the agent who created it (the inbox's "+", Slack, Teams); None: a guest
    # For agents, who learn of it here; the guest sees the system notice that follows.
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class MessagePosted(Event):
    conversation_id: str
    message_id: str
    seq: int
    author: Actor
    text: str
    created_at: datetime
    internal: bool = False
    client_id: str | None = None
    kind: str = "text"  # "system" for notices the engine writes itself
    audience: Audience = Audience.EVERYONE
    guest_seq: int | None = None  # its number for guests, who count only what they see
    attachments: tuple[dict[str, Any], ...] = ()  # files (bot.attachments: id, name, type, size, url)
    mentions: tuple[str, ...] = ()  # agents an internal note mentions (@slug): bot.notices

    def __post_init__(self) -> None:
        # An internal note is for agents whatever the caller said (and in outbox rows from before audiences).
        if self.internal and self.audience is not Audience.AGENTS:
            object.__setattr__(self, "audience", Audience.AGENTS)


@dataclass(frozen=True)
class ConversationAssigned(Event):
    conversation_id: str
    service: str
    assignee: str | None
    assignee_name: str | None
    by: Actor
    # Routing among agents; the guest sees the system notice that follows.
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class MessagesRead(Event):
    conversation_id: str
    reader: Actor
    seq: int
    # Read markers are for agents, and count notes the guest never sees.
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class ConversationSeen(Event):
    """An agent has read the conversation up to the guest's ``seq``-th message: the widget's "Seen"."""

    conversation_id: str
    seq: int  # in the guest's numbering (messages guests see), never the agents' own
    audience: Audience = Audience.EVERYONE


@dataclass(frozen=True)
class LoginLinkIssued(Event):
    """Not about a conversation: delivered to the agent's mailbox only."""

    # A live one-time token: storage keeps it encrypted in the outbox and erases it once delivered.
    secret_fields: ClassVar[tuple[str, ...]] = ("token",)

    conversation_id: str  # empty
    email: str
    name: str
    token: str
    audience: Audience = Audience.AGENTS
    next_path: str = ""  # a deep link into the inbox (bot.links) the sign-in lands on; "" the inbox

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [("email", {"email": self.email, "name": self.name})]


@dataclass(frozen=True)
class MemberAdded(Event):
    conversation_id: str
    kind: str
    member_id: str
    name: str
    external: bool
    by: Actor
    # Not every guest may see the member list; guests see the system notice that follows.
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class MemberRemoved(Event):
    conversation_id: str
    kind: str
    member_id: str
    name: str
    by: Actor
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class ConversationRenamed(Event):
    conversation_id: str
    title: str
    by: Actor
    audience: Audience = Audience.EVERYONE


@dataclass(frozen=True)
class ConversationPictureChanged(Event):
    """The picture changed (or went): viewers ask again, since whether a guest sees it depends on
    their title (bot/titles.py); so the event carries no URL."""

    conversation_id: str
    by: Actor
    audience: Audience = Audience.EVERYONE


@dataclass(frozen=True)
class ReactionAdded(Event):
    conversation_id: str
    message_id: str
    emoji: str
    by: Actor
    count: int  # how many reacted with this emoji now
    audience: Audience = Audience.EVERYONE  # AGENTS when the message is an internal note


@dataclass(frozen=True)
class ReactionRemoved(Event):
    conversation_id: str
    message_id: str
    emoji: str
    by: Actor
    count: int
    audience: Audience = Audience.EVERYONE  # AGENTS when the message is an internal note


@dataclass(frozen=True)
class UnreadDigestReady(Event):
    """One person's unread messages, in every conversation, due by mail now. Goes to that mailbox only,
    never to the threads."""

    conversation_id: str  # empty, so no conversation's bindings get it
    person_kind: str
    person_id: str
    name: str
    email: str
    # One entry per conversation with unread messages: {conversation_id, title, more, messages:
    # ({seq, author, text, created_at}, …) oldest first, seq in the reader's numbering}.
    conversations: tuple[dict[str, Any], ...]
    sent_at: str = ""  # ISO time of this email; with the person, it names the mail
    timezone: str = ""  # the reader's IANA zone, for the times in the mail (empty: not known, UTC)
    audience: Audience = Audience.EVERYONE  # its one addressee, whose digest lists only what they see

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [("email", {"email": self.email, "name": self.name})]
