"""In-memory fakes of the engine's ports, for unit tests. Same behaviour, no database."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.events import Event
from bot.model import Agent, Binding, Conversation, Guest, Member, Message, Service
from bot.ports import ConversationSummary, JobItem, OutboxItem


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


class _Repos:
    def __init__(self, state: FakeState) -> None:
        self.st = state


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


class FakeConversations(_Repos):
    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        return copy.deepcopy(self.st.conversations.get(conversation_id))

    async def add(self, conversation: Conversation) -> None:
        self.st.conversations[conversation.id] = copy.deepcopy(conversation)

    save = add

    async def find_for_guest(
        self, guest_id: str, *, service: str | None = None, agent: str | None = None
    ) -> Conversation | None:
        for c in sorted(self.st.conversations.values(), key=lambda c: c.created_at or datetime.min):
            if c.guest_id != guest_id:
                continue
            agent_members = {m.id for m in self.st.members.get(c.id, []) if m.kind == "agent"}
            if agent is not None and (agent in (c.agent, c.assignee) or agent in agent_members):
                return copy.deepcopy(c)
            if agent is None and c.service == service and c.agent is None:
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


class FakeMessages(_Repos):
    async def add(self, message: Message) -> None:
        self.st.messages.append(copy.deepcopy(message))

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

    async def resolve(self, token_hash: str, kind: str, now: datetime) -> str | None:
        row = self.st.tokens.get(token_hash)
        if row is None or row[0] != kind or row[3] or (row[2] is not None and row[2] <= now):
            return None
        return row[1]

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


class FakeUnitOfWork:
    """Commits by swapping in the working copy; rolls back by throwing it away."""

    def __init__(self, state: FakeState) -> None:
        self.committed_state = state
        self.events: list[Event] = []
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self.state = copy.deepcopy(self.committed_state)
        for name, cls in [
            ("agents", FakeAgents),
            ("services", FakeServices),
            ("guests", FakeGuests),
            ("conversations", FakeConversations),
            ("messages", FakeMessages),
            ("bindings", FakeBindings),
            ("tokens", FakeTokens),
            ("jobs", FakeJobs),
            ("inbound", FakeInbound),
        ]:
            setattr(self, name, cls(self.state))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.events.clear()

    def record(self, event: Event) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        for event in self.events:
            self.state.outbox.append(
                {
                    "id": len(self.state.outbox) + 1,
                    "event": event,
                    "done": False,
                    "attempts": 0,
                    "next": datetime.min,
                }
            )
        self.events.clear()
        self.committed_state.__dict__.update(self.state.__dict__)
        self.commits += 1

    async def rollback(self) -> None:
        self.events.clear()


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.state = FakeState()

    def __call__(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.state)

    def events(self) -> list[Event]:
        return [row["event"] for row in self.state.outbox]


class FakeOutboxStore:
    def __init__(self, state: FakeState) -> None:
        self.st = state

    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxItem]:
        def naive(value: datetime) -> datetime:
            return value.replace(tzinfo=None)

        ready = [
            r
            for r in self.st.outbox
            if not r["done"]
            and naive(r["next"]) <= naive(now)
            and (r.get("claimed_until") is None or naive(r["claimed_until"]) < naive(now))
        ][:limit]
        for row in ready:
            row["attempts"] += 1
            row["claimed_until"] = now + timedelta(seconds=lease_seconds)  # leased, like the SQL store
        return [OutboxItem(r["id"], r["event"], r["attempts"]) for r in ready]

    async def delivered(self, keys: Sequence[str]) -> set[str]:
        return {k for k in keys if k in self.st.deliveries}

    async def mark_delivered(self, key: str, now: datetime) -> None:
        self.st.deliveries.add(key)

    async def finish(self, item_id: int, now: datetime) -> None:
        next(r for r in self.st.outbox if r["id"] == item_id)["done"] = True

    async def retry(self, item_id: int, at: datetime, error: str) -> None:
        next(r for r in self.st.outbox if r["id"] == item_id)["next"] = at

    async def pending(self) -> int:
        return sum(1 for r in self.st.outbox if not r["done"])

    async def older_pending(
        self, conversation_ids: Sequence[str], before_id: int, now: datetime
    ) -> list[tuple[int, str, datetime]]:
        return [
            (r["id"], r["event"].conversation_id, r["next"])
            for r in self.st.outbox
            if not r["done"]
            and r["id"] < before_id
            and getattr(r["event"], "conversation_id", "") in conversation_ids
        ]

    async def destinations(self, conversation_ids: Sequence[str]) -> dict[str, list[Binding]]:
        return {
            c: copy.deepcopy([b for b in self.st.bindings if b.conversation_id == c])
            for c in conversation_ids
        }

    async def complete(
        self,
        delivered: Sequence[str],
        finished: Sequence[int],
        retries: dict[int, tuple[datetime, str]],
        now: datetime,
    ) -> None:
        self.st.deliveries.update(delivered)
        for row in self.st.outbox:
            if row["id"] in finished:
                row["done"] = True
            if row["id"] in retries:
                row["next"] = retries[row["id"]][0]
            if row["id"] in finished or row["id"] in retries:
                row["claimed_until"] = None


class FakeJobStore:
    def __init__(self, state: FakeState) -> None:
        self.st = state

    async def claim(self, now: datetime, worker: str, limit: int, lease_seconds: float) -> list[JobItem]:
        due = [
            j
            for j in self.st.jobs
            if (j["status"] == "pending" and j["run_at"] <= now)
            or (j["status"] == "running" and j["claimed_until"] is not None and j["claimed_until"] < now)
        ][:limit]
        for j in due:
            j.update(
                status="running", claimed_by=worker, claimed_until=now + timedelta(seconds=lease_seconds)
            )
            j["attempts"] += 1
        return [JobItem(j["id"], j["kind"], j["key"], j["payload"], j["run_at"], j["attempts"]) for j in due]

    async def retry(self, job_id: int, worker: str, at: datetime, error: str) -> None:
        job = next(j for j in self.st.jobs if j["id"] == job_id)
        job.update(status="pending", run_at=at)

    async def fail(self, job_id: int, worker: str, error: str) -> None:
        next(j for j in self.st.jobs if j["id"] == job_id)["status"] = "failed"

    async def next_due(self) -> datetime | None:
        return min((j["run_at"] for j in self.st.jobs if j["status"] == "pending"), default=None)
