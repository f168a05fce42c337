"""Orders to the engine: frozen, no behaviour. Each is handled by one function in ``bot/handlers``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.model import Actor


class Command:
    """Marker base so the bus can refuse anything that is not an order."""


@dataclass(frozen=True)
class CreateService(Command):
    slug: str
    name: str


@dataclass(frozen=True)
class CreateAgent(Command):
    slug: str
    name: str
    email: str
    timezone: str = "Europe/Berlin"
    settings: dict[str, Any] | None = None
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisterGuest(Command):
    name: str
    email: str | None = None
    timezone: str | None = None
    page_url: str | None = None  # the page the session starts on (the widget's embedding page): bot.origin


@dataclass(frozen=True)
class StartConversation(Command):
    guest_id: str
    text: str
    service: str | None = None
    agent: str | None = None
    client_id: str | None = None
    page_url: str | None = None  # the page the guest writes from (bot.origin), if the session's is stale


@dataclass(frozen=True)
class PostMessage(Command):
    conversation_id: str
    author: Actor
    text: str
    client_id: str | None = None
    internal: bool = False  # agents' notes that guests never see


@dataclass(frozen=True)
class AttachFile(Command):
    """Post a message carrying one file (``bot.attachments``) the adapter stored as ``file_id``."""

    conversation_id: str
    author: Actor
    file_id: str
    name: str
    content_type: str  # what the file's bytes are, never what its sender said
    size: int  # bytes
    text: str = ""  # an optional caption
    client_id: str | None = None
    internal: bool = False


@dataclass(frozen=True)
class AssignConversation(Command):
    conversation_id: str
    service: str | None  # None with an assignee: the engine picks the service (see the handler)
    assignee: str | None  # None: the whole service
    by: Actor


@dataclass(frozen=True)
class MarkRead(Command):
    conversation_id: str
    reader: Actor
    seq: int  # in the reader's numbering: a guest's counts only the messages guests see


@dataclass(frozen=True)
class IssueAgentToken(Command):
    email: str
    kind: str = "api"  # "api" for bearer tokens, "login" for one-time links
    next_path: str = ""  # a login link lands here after signing in: a deep link (bot.links), else ignored


@dataclass(frozen=True)
class RedeemLoginLink(Command):
    token: str


@dataclass(frozen=True)
class BindThread(Command):
    """A channel plugin records where a conversation lives on its side (a Slack thread, for example)."""

    conversation_id: str
    channel: str
    address: dict[str, Any]


@dataclass(frozen=True)
class LinkServiceChannel(Command):
    service: str
    channel: str
    address: dict[str, Any]


@dataclass(frozen=True)
class AddMember(Command):
    """An agent adds an agent (by slug) or a guest (by email; a new address becomes a new guest)."""

    conversation_id: str
    by: Actor
    agent: str | None = None
    email: str | None = None
    name: str | None = None  # a new guest's name; the address's local part when absent


@dataclass(frozen=True)
class RemoveMember(Command):
    conversation_id: str
    by: Actor
    kind: str  # "agent" | "guest"
    member_id: str


@dataclass(frozen=True)
class RenameConversation(Command):
    conversation_id: str
    by: Actor
    title: str


@dataclass(frozen=True)
class SetConversationPicture(Command):
    """The conversation's picture (already stored by the adapter); ``None`` goes back to initials."""

    conversation_id: str
    picture: str | None
    by: Actor


@dataclass(frozen=True)
class SetReadOnly(Command):
    """Read-only for external members (guests who joined by link): they read and react, never write."""

    conversation_id: str
    by: Actor
    read_only: bool


@dataclass(frozen=True)
class SetLink(Command):
    """Rotate the conversation's join link (``enabled``: a new token kills the old) or turn it off."""

    conversation_id: str
    by: Actor
    enabled: bool = True


@dataclass(frozen=True)
class JoinByLink(Command):
    guest_id: str
    link_token: str


@dataclass(frozen=True)
class React(Command):
    conversation_id: str
    message_id: str
    by: Actor
    emoji: str


@dataclass(frozen=True)
class Unreact(Command):
    conversation_id: str
    message_id: str
    by: Actor
    emoji: str


@dataclass(frozen=True)
class SetAgentAvatar(Command):
    """An agent's uploaded picture (already stored by the adapter); ``None`` goes back to initials."""

    agent: str
    url: str | None


@dataclass(frozen=True)
class CreateConversation(Command):
    """An agent opens a conversation: a name, an optional description, members (agents by slug, anyone
    else by email), read-only for external members, and whether it is available by link."""

    by: Actor
    name: str
    description: str = ""
    agents: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    read_only_external: bool = False
    available_by_link: bool = False
