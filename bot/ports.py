"""What the engine needs from the outside world, as Protocols. Storage and channels implement them.

The unit of work lists every repository a handler may use. The meeting and calendar-connection
repositories live next to the rules that use them (``bot/meetings/ports.py``, ``bot/calendars/ports.py``);
``tests/unit/test_ports.py`` holds the fakes and the SQLAlchemy stores to these signatures.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.attachments import AttachmentRepository
from bot.calendars.ports import CalendarConnectionRepository
from bot.contacts import ContactRepository
from bot.events import Event
from bot.meetings.ports import MeetingRepository
from bot.model import Agent, Binding, Conversation, DigestState, Guest, Member, Message, Service
from bot.preferences import PreferenceRepository
from bot.saved_replies import SavedReplyRepository
from bot.search import SearchRepository
from bot.settings import Settings
from bot.status.ports import ConversationFilterRepository


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class ConversationSummary:
    """A row of an inbox: enough to list, without loading the thread."""

    conversation: Conversation
    guest_name: str
    last_text: str | None
    unread: int


class AgentRepository(Protocol):
    async def get(self, slug: str) -> Agent | None: ...
    async def get_by_email(self, email: str) -> Agent | None: ...
    async def list(self) -> list[Agent]: ...
    async def add(self, agent: Agent) -> None: ...
    async def save(self, agent: Agent) -> None: ...

    async def lock(self, slug: str) -> None:
        """Holds the agent's row until commit: two bookings of one agent take turns."""
        ...


class ServiceRepository(Protocol):
    async def get(self, slug: str) -> Service | None: ...
    async def list(self) -> builtins.list[Service]: ...
    async def add(self, service: Service) -> None: ...
    async def save(self, service: Service) -> None: ...
    async def of_agent(self, agent_slug: str) -> builtins.list[Service]: ...


class GuestRepository(Protocol):
    async def get(self, guest_id: str) -> Guest | None: ...
    async def add(self, guest: Guest) -> None: ...
    async def lock(self, guest_id: str) -> None:
        """Serialises one guest's bookings (the upcoming-meetings limit) until the transaction ends."""
        ...

    async def save(self, guest: Guest) -> None: ...

    async def mails_since(self, guest_id: str, since: datetime) -> int:
        """Mails sent to the guest's unproven address since then (bot/identity's daily limit)."""
        ...

    async def note_mail(self, guest_id: str, at: datetime) -> None: ...

    async def latest_typed(self, email: str) -> Guest | None:
        """The newest guest who typed this address and never proved it (bot/returning)."""
        ...

    async def set_email(self, guest_id: str, email: str) -> None: ...


class ConversationRepository(Protocol):
    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None: ...
    async def add(self, conversation: Conversation) -> None: ...
    async def save(self, conversation: Conversation) -> None: ...
    async def find_for_guest(
        self, guest_id: str, *, service: str | None = None, agent: str | None = None
    ) -> Conversation | None: ...
    async def list_for_guest(self, guest_id: str) -> list[Conversation]: ...
    async def list_for_agent(
        self, agent_slug: str, services: Sequence[str], *, mine_only: bool = False, limit: int = 200
    ) -> list[ConversationSummary]: ...
    async def members(self, conversation_id: str) -> list[Member]: ...
    async def add_member(self, conversation_id: str, member: Member) -> None: ...
    async def save_member(self, conversation_id: str, member: Member) -> None: ...

    # Set-wise forms for a batch of messages (group commit): one statement each.
    async def get_many(
        self, conversation_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, Conversation]: ...
    async def save_many(self, conversations: Sequence[Conversation]) -> None:
        """After messages were appended to them: their sequence numbers and last message time."""
        ...

    async def members_of(self, conversation_ids: Sequence[str]) -> dict[str, list[Member]]: ...
    async def save_members(self, members: Sequence[tuple[str, Member]]) -> None:
        """Members' read markers (``last_read_seq``)."""
        ...


class MessageRepository(Protocol):
    async def add(self, message: Message) -> None: ...
    async def add_many(self, messages: Sequence[Message]) -> None: ...
    async def by_client_ids(self, keys: Sequence[tuple[str, str, str]]) -> builtins.list[Message]:
        """The messages with any of these (conversation id, author key, client id)."""
        ...

    async def by_client_id(self, conversation_id: str, author_key: str, client_id: str) -> Message | None: ...
    async def list(
        self, conversation_id: str, *, after_seq: int = 0, limit: int = 500, include_internal: bool = True
    ) -> list[Message]: ...
    async def guest_position(self, conversation_id: str, seq: int) -> int:
        """How many messages a guest sees up to ``seq``: a read marker in the guest's numbering."""
        ...

    async def seq_at_guest_position(self, conversation_id: str, guest_seq: int) -> int:
        """The ``seq`` of the guest's ``guest_seq``-th message (0 before the first)."""
        ...


class BindingRepository(Protocol):
    async def for_conversation(self, conversation_id: str) -> list[Binding]: ...
    async def add(self, binding: Binding) -> None: ...
    async def save(self, binding: Binding) -> None: ...
    async def service_channels(self, service: str) -> list[tuple[str, dict[str, Any]]]: ...
    async def link_service_channel(self, service: str, channel: str, address: dict[str, Any]) -> None: ...
    async def find_by_address(self, channel: str, key: str, value: str) -> Binding | None: ...


@dataclass(frozen=True)
class TokenUse:
    subject: str
    last_used_at: datetime  # the last authenticated request (within an hour), else when it was issued


class TokenRepository(Protocol):
    async def add(self, token_hash: str, kind: str, subject: str, expires_at: datetime | None) -> None: ...
    async def resolve(self, token_hash: str, kind: str, now: datetime) -> str | None: ...
    async def consume(self, token_hash: str, kind: str, now: datetime) -> str | None: ...

    async def lookup(self, token_hash: str, kind: str, now: datetime) -> TokenUse | None:
        """Like ``resolve``, with when the token was last used (bot/sessions decides if it is idle)."""
        ...

    async def touch(self, token_hash: str, now: datetime) -> None: ...

    async def revoke(self, token_hash: str, kind: str) -> bool:
        """Sign-out: the token stops working at once. False when there was no such token."""
        ...


class JobRepository(Protocol):
    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], *, key: str | None = None
    ) -> None:
        """With a key, scheduling again moves the one pending job instead of adding a second."""
        ...

    async def cancel(self, key: str) -> None: ...

    async def complete(self, job_id: int, worker: str, now: datetime) -> bool:
        """Marks a claimed job done in the caller's transaction; False if another worker took it over."""
        ...


class InboundRepository(Protocol):
    async def first_time(self, channel: str, external_id: str, now: datetime) -> bool:
        """True once per (channel, id): the guard against platform retries doing things twice."""
        ...


class MembershipRepository(Protocol):
    """``uow.membership``: the member list's own questions, links and reactions. Adding a member goes
    through ``conversations.add_member``; removing one drops their web binding too."""

    async def guest_by_email(self, email: str) -> Guest | None:
        """The oldest guest who proved this address (case-insensitive): one person, one guest. An
        address a guest merely typed never matches (see bot/identity)."""
        ...

    async def by_link_token(self, token: str, *, for_update: bool = False) -> Conversation | None: ...
    async def count(self, conversation_id: str) -> int: ...
    async def remove(self, conversation_id: str, kind: str, member_id: str) -> None:
        """Drops the member and records the removal: a removed guest cannot come back by link."""
        ...

    async def was_removed(self, conversation_id: str, kind: str, member_id: str) -> bool: ...
    async def forget_removal(self, conversation_id: str, kind: str, member_id: str) -> None: ...
    async def message(self, conversation_id: str, message_id: str) -> Message | None: ...

    async def add_reaction(self, message_id: str, member_key: str, emoji: str) -> bool:
        """False when this member already reacted so: nothing changed, no event."""
        ...

    async def remove_reaction(self, message_id: str, member_key: str, emoji: str) -> bool: ...

    async def reactions(
        self, conversation_id: str, *, include_internal: bool = True
    ) -> builtins.list[tuple[str, str, str]]:
        """(message id, member key, emoji) of one conversation, oldest first."""
        ...

    async def guest_names(self, conversation_ids: Sequence[str]) -> dict[str, builtins.list[str]]:
        """Names of guest members per conversation, in joining order (for inbox titles)."""
        ...


class DigestRepository(Protocol):
    """``uow.digests``: each person's unread-email state, across their conversations (see bot/email_digest)."""

    async def get(self, kind: str, person_id: str) -> DigestState | None: ...
    async def existing(self, people: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (kind, id) have a state at all: one read for a batch's readers."""
        ...

    async def save(self, state: DigestState) -> None: ...
    async def delete(self, kind: str, person_id: str) -> None: ...


class UnitOfWork(Protocol):
    agents: AgentRepository
    services: ServiceRepository
    guests: GuestRepository
    conversations: ConversationRepository
    messages: MessageRepository
    bindings: BindingRepository
    tokens: TokenRepository
    jobs: JobRepository
    inbound: InboundRepository
    membership: MembershipRepository
    digests: DigestRepository
    meetings: MeetingRepository
    calendar_connections: CalendarConnectionRepository
    search: SearchRepository  # the inbox's search (bot/search)
    saved_replies: SavedReplyRepository
    contacts: ContactRepository  # the contact panel (bot/contacts)
    conversation_filters: ConversationFilterRepository  # the inbox's filters and counts (bot/status)
    attachments: AttachmentRepository  # files attached to messages (bot/attachments)
    preferences: PreferenceRepository  # notification preferences (bot/preferences)

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    def record(self, event: Event) -> None:
        """Queue an event; it is written to the outbox by ``commit``, in the same transaction."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


class Channel(Protocol):
    """A channel plugin (``convene.channels``): turns events into notices at one kind of destination."""

    name: str

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        """Send one notice. Returning an address updates the binding (a Slack thread's ts, for example).
        Raising means: try again later."""
        ...


@dataclass(frozen=True)
class OutboxItem:
    id: int
    event: Event
    attempts: int


class OutboxStore(Protocol):
    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxItem]: ...
    async def delivered(self, keys: Sequence[str]) -> set[str]: ...
    async def mark_delivered(self, key: str, now: datetime) -> None: ...
    async def finish(self, item_id: int, now: datetime) -> None: ...
    async def retry(self, item_id: int, at: datetime, error: str) -> None: ...
    async def pending(self) -> int: ...

    async def older_pending(
        self, conversation_ids: Sequence[str], before_id: int, now: datetime
    ) -> list[tuple[int, str, datetime]]:
        """Undelivered events of these conversations older than ``before_id``: (id, conversation, when to
        look again — ``now`` while another dispatcher holds it, since it is done in moments; else its
        next attempt)."""
        ...

    async def destinations(self, conversation_ids: Sequence[str]) -> dict[str, list[Binding]]: ...

    async def complete(
        self,
        delivered: Sequence[str],
        finished: Sequence[int],
        retries: dict[int, tuple[datetime, str]],
        now: datetime,
        sealed: Sequence[int] = (),
    ) -> None:
        """One transaction for a batch's bookkeeping; ``sealed``: finished events whose payload holds
        secrets (``Event.secret_fields``), erased now that they are delivered."""
        ...

    async def dead_letter(self, item_id: int, now: datetime, error: str) -> None:
        """Give the event up: never claimed again until an operator revives it."""
        ...


@dataclass(frozen=True)
class JobItem:
    id: int
    kind: str
    key: str | None
    payload: dict[str, Any]
    run_at: datetime
    attempts: int


class JobStore(Protocol):
    async def claim(self, now: datetime, worker: str, limit: int, lease_seconds: float) -> list[JobItem]: ...
    async def retry(self, job_id: int, worker: str, at: datetime, error: str) -> None: ...
    async def fail(self, job_id: int, worker: str, error: str) -> None: ...
    async def next_due(self) -> datetime | None: ...


class MeetingRuntime(Protocol):
    """What booking and changes need besides their own unit of work: short read-only units of work
    (calendars are read outside the writing transaction), the calendar providers by name, and the
    settings (how long a calendar may take). ``bot.bootstrap.Runtime`` is one; tests pass a fake."""

    @property
    def calendars(self) -> Mapping[str, Any]: ...

    @property
    def settings(self) -> Settings: ...

    def uow(self, *, read_only: bool = False) -> UnitOfWork: ...
