"""In-memory fakes of the core repositories (agents, services, guests, conversations, messages,
bindings, tokens, jobs, inbound ids) and the state every fake shares. Same behaviour, no database."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.meetings.model import CalendarConnection, Meeting
from bot.model import Agent, Binding, Conversation, DigestState, Guest, Member, Message, Service
from bot.ports import ConversationSummary, TokenUse


class FakeState:
    """What the fake database holds; shared by every unit of work made from one factory."""

    def __init__(self) -> None:
        self.agents: dict[str, Agent] = {}
        self.services: dict[str, Service] = {}
        self.guests: dict[str, Guest] = {}
        self.conversations: dict[str, Conversation] = {}
        self.members: dict[str, list[Member]] = {}
        self.messages: list[Message] = []
        self.bindings: list[Binding] = []
        self.service_channels: dict[tuple[str, str], dict[str, Any]] = {}
        self.tokens: dict[str, tuple[str, str, datetime | None, bool]] = {}
        self.jobs: list[dict[str, Any]] = []
        self.inbound: set[tuple[str, str]] = set()
        self.outbox: list[dict[str, Any]] = []
        self.deliveries: set[str] = set()
        self.erased: set[int] = set()  # outbox rows whose sealed secrets were erased after delivery
        self.reactions: list[tuple[str, str, str]] = []  # (message id, member key, emoji), oldest first
        self.digests: dict[tuple[str, str], DigestState] = {}  # (kind, person id)
        self.meetings: dict[str, Meeting] = {}
        self.connections: dict[str, CalendarConnection] = {}  # by agent: one calendar source each
        self.token_uses: dict[str, datetime] = {}  # token hash → issued or last used (bot/sessions)
        self.unproven_mail: list[tuple[str, datetime]] = []  # (guest id, sent at)
        self.removals: set[tuple[str, str, str]] = set()  # (conversation, kind, member id)
        self.saved_replies: dict[str, Any] = {}  # id → bot.saved_replies.SavedReply (tests/fakes/inbox)
        self.contact_notes: dict[str, Any] = {}  # guest id → bot.contacts.ContactNote
        self.attachments: dict[str, Any] = {}  # id → bot.attachments.Attachment (tests/fakes/attachments)
        self.preferences: dict[str, Any] = {}  # agent slug → bot.preferences choices (tests/fakes/inbox)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Repos:
    def __init__(self, state: FakeState, now: Callable[[], datetime] = _utc_now) -> None:
        self.st = state
        self._now = now


class FakeAgents(_Repos):
    async def get(self, slug: str) -> Agent | None:
        return copy.deepcopy(self.st.agents.get(slug))

    async def get_by_email(self, email: str) -> Agent | None:
        return next(
            (copy.deepcopy(a) for a in self.st.agents.values() if a.email.lower() == email.lower()), None
        )

    async def list(self) -> list[Agent]:
        return [copy.deepcopy(a) for a in sorted(self.st.agents.values(), key=lambda a: a.slug)]

    async def add(self, agent: Agent) -> None:
        self.st.agents[agent.slug] = copy.deepcopy(agent)

    save = add

    async def lock(self, slug: str) -> None:
        return None


class FakeServices(_Repos):
    async def get(self, slug: str) -> Service | None:
        return copy.deepcopy(self.st.services.get(slug))

    async def list(self) -> list[Service]:
        return [copy.deepcopy(s) for s in sorted(self.st.services.values(), key=lambda s: s.slug)]

    async def add(self, service: Service) -> None:
        self.st.services[service.slug] = copy.deepcopy(service)

    save = add

    async def of_agent(self, agent_slug: str) -> list[Service]:
        return [copy.deepcopy(s) for s in await self.list() if agent_slug in s.members]


class FakeGuests(_Repos):
    async def get(self, guest_id: str) -> Guest | None:
        return copy.deepcopy(self.st.guests.get(guest_id))

    async def add(self, guest: Guest) -> None:
        self.st.guests[guest.id] = copy.deepcopy(guest)

    async def lock(self, guest_id: str) -> None:
        """One coroutine at a time uses the fake: nothing to serialise."""

    save = add

    async def mails_since(self, guest_id: str, since: datetime) -> int:
        return sum(1 for g, at in self.st.unproven_mail if g == guest_id and at > since)

    async def note_mail(self, guest_id: str, at: datetime) -> None:
        self.st.unproven_mail.append((guest_id, at))

    async def latest_typed(self, email: str) -> Guest | None:
        typed = [
            g
            for g in self.st.guests.values()
            if (g.email or "").lower() == email.lower() and g.email_proven_at is None
        ]
        return copy.deepcopy(typed[-1]) if typed else None

    async def set_email(self, guest_id: str, email: str) -> None:
        self.st.guests[guest_id].email = email


class FakeConversations(_Repos):
    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        return copy.deepcopy(self.st.conversations.get(conversation_id))

    async def add(self, conversation: Conversation) -> None:
        self.st.conversations[conversation.id] = copy.deepcopy(conversation)

    save = add

    async def find_for_guest(
        self, guest_id: str, *, service: str | None = None, agent: str | None = None
    ) -> Conversation | None:
        def order(c: Conversation) -> tuple[bool, datetime]:
            return (c.first_service != service, c.created_at or datetime.min)

        for c in sorted(self.st.conversations.values(), key=order):
            if c.guest_id != guest_id:
                continue
            agent_members = {m.id for m in self.st.members.get(c.id, []) if m.kind == "agent"}
            if agent is not None and (agent in (c.agent, c.assignee) or agent in agent_members):
                return copy.deepcopy(c)
            if (
                agent is None
                and c.first_service is not None
                and service in (c.service, c.first_service)
                and c.agent is None
            ):
                return copy.deepcopy(c)
        return None

    async def list_for_guest(self, guest_id: str) -> list[Conversation]:
        return [copy.deepcopy(c) for c in self.st.conversations.values() if c.guest_id == guest_id]

    async def list_for_agent(
        self, agent_slug: str, services: Sequence[str], *, mine_only: bool = False, limit: int = 200
    ) -> list[ConversationSummary]:
        result = []
        for c in self.st.conversations.values():
            mine = agent_slug in (c.assignee, c.agent)
            if mine or (not mine_only and c.service in services):
                guest = self.st.guests[c.guest_id]
                result.append(ConversationSummary(copy.deepcopy(c), guest.name, None, 0))
        return result[:limit]

    async def members(self, conversation_id: str) -> list[Member]:
        return copy.deepcopy(self.st.members.get(conversation_id, []))

    async def add_member(self, conversation_id: str, member: Member) -> None:
        self.st.members.setdefault(conversation_id, []).append(copy.deepcopy(member))

    async def save_member(self, conversation_id: str, member: Member) -> None:
        rows = self.st.members.setdefault(conversation_id, [])
        rows[:] = [copy.deepcopy(member) if m.key == member.key else m for m in rows]

    async def get_many(
        self, conversation_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, Conversation]:
        return {
            c: copy.deepcopy(self.st.conversations[c]) for c in conversation_ids if c in self.st.conversations
        }

    async def save_many(self, conversations: Sequence[Conversation]) -> None:
        for conversation in conversations:
            await self.save(conversation)

    async def members_of(self, conversation_ids: Sequence[str]) -> dict[str, list[Member]]:
        return {c: await self.members(c) for c in conversation_ids}

    async def save_members(self, members: Sequence[tuple[str, Member]]) -> None:
        for conversation_id, member in members:
            await self.save_member(conversation_id, member)


class FakeMessages(_Repos):
    async def add(self, message: Message) -> None:
        self.st.messages.append(copy.deepcopy(message))

    async def add_many(self, messages: Sequence[Message]) -> None:
        for message in messages:
            await self.add(message)

    async def by_client_ids(self, keys: Sequence[tuple[str, str, str]]) -> list[Message]:
        wanted = set(keys)
        return [
            copy.deepcopy(m)
            for m in self.st.messages
            if (m.conversation_id, m.author.key, m.client_id) in wanted
        ]

    async def by_client_id(self, conversation_id: str, author_key: str, client_id: str) -> Message | None:
        return next(
            (
                copy.deepcopy(m)
                for m in self.st.messages
                if m.conversation_id == conversation_id
                and m.author.key == author_key
                and m.client_id == client_id
            ),
            None,
        )

    async def list(
        self, conversation_id: str, *, after_seq: int = 0, limit: int = 500, include_internal: bool = True
    ) -> list[Message]:
        found = [m for m in self.st.messages if m.conversation_id == conversation_id and m.seq > after_seq]
        if not include_internal:
            found = [m for m in found if not m.internal]
        return copy.deepcopy(sorted(found, key=lambda m: m.seq)[:limit])

    async def guest_position(self, conversation_id: str, seq: int) -> int:
        seen = [
            m.guest_seq or 0
            for m in self.st.messages
            if m.conversation_id == conversation_id and m.seq <= seq
        ]
        return max(seen, default=0)

    async def seq_at_guest_position(self, conversation_id: str, guest_seq: int) -> int:
        found = [
            m.seq
            for m in self.st.messages
            if m.conversation_id == conversation_id and m.guest_seq is not None and m.guest_seq <= guest_seq
        ]
        return max(found, default=0)


class FakeBindings(_Repos):
    async def for_conversation(self, conversation_id: str) -> list[Binding]:
        return copy.deepcopy([b for b in self.st.bindings if b.conversation_id == conversation_id])

    async def add(self, binding: Binding) -> None:
        self.st.bindings.append(copy.deepcopy(binding))

    async def save(self, binding: Binding) -> None:
        self.st.bindings[:] = [copy.deepcopy(binding) if b.id == binding.id else b for b in self.st.bindings]

    async def service_channels(self, service: str) -> list[tuple[str, dict[str, Any]]]:
        return [(ch, dict(a)) for (s, ch), a in self.st.service_channels.items() if s == service]

    async def link_service_channel(self, service: str, channel: str, address: dict[str, Any]) -> None:
        self.st.service_channels[(service, channel)] = dict(address)

    async def find_by_address(self, channel: str, key: str, value: str) -> Binding | None:
        return next(
            (copy.deepcopy(b) for b in self.st.bindings if b.channel == channel and b.thread_key == value),
            None,
        )


class FakeTokens(_Repos):
    async def add(self, token_hash: str, kind: str, subject: str, expires_at: datetime | None) -> None:
        self.st.tokens[token_hash] = (kind, subject, expires_at, False)
        self.st.token_uses[token_hash] = self._now()

    async def resolve(self, token_hash: str, kind: str, now: datetime) -> str | None:
        row = self.st.tokens.get(token_hash)
        if row is None or row[0] != kind or row[3] or (row[2] is not None and row[2] <= now):
            return None
        return row[1]

    async def lookup(self, token_hash: str, kind: str, now: datetime) -> TokenUse | None:
        subject = await self.resolve(token_hash, kind, now)
        return TokenUse(subject, self.st.token_uses[token_hash]) if subject is not None else None

    async def touch(self, token_hash: str, now: datetime) -> None:
        if token_hash in self.st.tokens and self.st.token_uses.get(token_hash, now) <= now:
            self.st.token_uses[token_hash] = now

    async def revoke(self, token_hash: str, kind: str) -> bool:
        row = self.st.tokens.get(token_hash)
        if row is None or row[0] != kind:
            return False
        del self.st.tokens[token_hash]
        return True

    async def consume(self, token_hash: str, kind: str, now: datetime) -> str | None:
        subject = await self.resolve(token_hash, kind, now)
        if subject is not None:
            kind_, subject_, expires, _ = self.st.tokens[token_hash]
            self.st.tokens[token_hash] = (kind_, subject_, expires, True)
        return subject


class FakeJobs(_Repos):
    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], *, key: str | None = None
    ) -> None:
        existing = next((j for j in self.st.jobs if key is not None and j["key"] == key), None)
        if existing is not None:
            existing.update(
                kind=kind, run_at=run_at, payload=payload, status="pending", attempts=0, claimed_by=None
            )
        else:
            self.st.jobs.append(
                dict(
                    id=len(self.st.jobs) + 1,
                    kind=kind,
                    key=key,
                    payload=payload,
                    run_at=run_at,
                    status="pending",
                    attempts=0,
                    claimed_by=None,
                    claimed_until=None,
                )
            )

    async def cancel(self, key: str) -> None:
        for job in self.st.jobs:
            if job["key"] == key and job["status"] in {"pending", "running"}:
                job["status"] = "cancelled"

    async def complete(self, job_id: int, worker: str, now: datetime) -> bool:
        job = next(j for j in self.st.jobs if j["id"] == job_id)
        if job["status"] != "running" or job["claimed_by"] != worker:
            return False
        job["status"] = "done"
        return True


class FakeInbound(_Repos):
    async def first_time(self, channel: str, external_id: str, now: datetime) -> bool:
        if (channel, external_id) in self.st.inbound:
            return False
        self.st.inbound.add((channel, external_id))
        return True
