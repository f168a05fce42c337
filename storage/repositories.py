"""Repositories: rows in, domain objects out. One class per aggregate the engine loads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Actor, Agent, Binding, Conversation, Guest, Member, Message, Service
from bot.ports import ConversationSummary
from storage.models import (
    AgentRow,
    BindingRow,
    ConversationRow,
    GuestRow,
    InboundRow,
    MemberRow,
    MessageRow,
    ServiceChannelRow,
    ServiceMemberRow,
    ServiceRow,
    TokenRow,
)


class _Repo:
    def __init__(self, session: AsyncSession, now: Any) -> None:
        self.s = session
        self._now = now  # a callable: the unit of work's clock


class SqlAgents(_Repo):
    @staticmethod
    def _to(row: AgentRow) -> Agent:
        return Agent(
            row.slug,
            row.name,
            row.email,
            row.timezone,
            dict(row.settings or {}),
            id=row.id,
            avatar_url=row.avatar_url,
        )

    async def get(self, slug: str) -> Agent | None:
        row = (await self.s.execute(select(AgentRow).where(AgentRow.slug == slug))).scalar_one_or_none()
        return self._to(row) if row else None

    async def get_by_email(self, email: str) -> Agent | None:
        row = (
            await self.s.execute(select(AgentRow).where(func.lower(AgentRow.email) == email.lower()))
        ).scalar_one_or_none()
        return self._to(row) if row else None

    async def list(self) -> list[Agent]:
        rows = (await self.s.execute(select(AgentRow).order_by(AgentRow.slug))).scalars()
        return [self._to(r) for r in rows]

    async def add(self, agent: Agent) -> None:
        self.s.add(
            AgentRow(
                id=agent.id,
                slug=agent.slug,
                name=agent.name,
                email=agent.email,
                timezone=agent.timezone,
                settings=agent.settings,
                avatar_url=agent.avatar_url,
                created_at=self._now(),
            )
        )

    async def save(self, agent: Agent) -> None:
        await self.s.execute(
            update(AgentRow)
            .where(AgentRow.slug == agent.slug)
            .values(
                name=agent.name,
                email=agent.email,
                timezone=agent.timezone,
                settings=agent.settings,
                avatar_url=agent.avatar_url,
            )
        )

    async def lock(self, slug: str) -> None:
        """Serialises bookings per agent on PostgreSQL (SQLite serialises all writes anyway)."""
        await self.s.execute(select(AgentRow.id).where(AgentRow.slug == slug).with_for_update())


class SqlServices(_Repo):
    async def _members(self, slugs: Sequence[str]) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {s: [] for s in slugs}
        rows = await self.s.execute(
            select(ServiceMemberRow).where(ServiceMemberRow.service_slug.in_(list(slugs)))
        )
        for m in rows.scalars():
            result[m.service_slug].append(m.agent_slug)
        for members in result.values():
            members.sort()
        return result

    async def _build(self, rows: Sequence[ServiceRow]) -> list[Service]:
        members = await self._members([r.slug for r in rows])
        return [Service(r.slug, r.name, members[r.slug], id=r.id) for r in rows]

    async def get(self, slug: str) -> Service | None:
        row = (await self.s.execute(select(ServiceRow).where(ServiceRow.slug == slug))).scalar_one_or_none()
        return (await self._build([row]))[0] if row else None

    async def list(self) -> list[Service]:
        rows = (await self.s.execute(select(ServiceRow).order_by(ServiceRow.slug))).scalars().all()
        return await self._build(rows)

    async def add(self, service: Service) -> None:
        self.s.add(ServiceRow(id=service.id, slug=service.slug, name=service.name, created_at=self._now()))
        await self.s.flush()
        await self.save(service)

    async def save(self, service: Service) -> None:
        await self.s.execute(
            update(ServiceRow).where(ServiceRow.slug == service.slug).values(name=service.name)
        )
        await self.s.execute(delete(ServiceMemberRow).where(ServiceMemberRow.service_slug == service.slug))
        for agent in service.members:
            self.s.add(ServiceMemberRow(service_slug=service.slug, agent_slug=agent))
        await self.s.flush()

    async def of_agent(self, agent_slug: str) -> list[Service]:
        rows = (
            (
                await self.s.execute(
                    select(ServiceRow)
                    .join(ServiceMemberRow, ServiceMemberRow.service_slug == ServiceRow.slug)
                    .where(ServiceMemberRow.agent_slug == agent_slug)
                    .order_by(ServiceRow.slug)
                )
            )
            .scalars()
            .all()
        )
        return await self._build(rows)


class SqlGuests(_Repo):
    async def get(self, guest_id: str) -> Guest | None:
        row = await self.s.get(GuestRow, guest_id)
        return Guest(row.name, row.email, row.timezone, id=row.id) if row else None

    async def add(self, guest: Guest) -> None:
        self.s.add(
            GuestRow(
                id=guest.id,
                name=guest.name,
                email=guest.email,
                timezone=guest.timezone,
                created_at=self._now(),
            )
        )

    async def lock(self, guest_id: str) -> None:
        """Serialises a guest's bookings on PostgreSQL (SQLite serialises all writes anyway)."""
        await self.s.execute(select(GuestRow.id).where(GuestRow.id == guest_id).with_for_update())


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        guest_id=row.guest_id,
        service=row.service,
        agent=row.agent,
        title=row.title,
        assigned_service=row.assigned_service,
        assignee=row.assignee,
        last_seq=row.last_seq,
        created_at=row.created_at,
        last_message_at=row.last_message_at,
        link_token=row.link_token,
        read_only_external=row.read_only_external,
        id=row.id,
    )


_CONVERSATION_FIELDS = (
    "guest_id service agent title assigned_service assignee last_seq created_at last_message_at "
    "link_token read_only_external"
).split()


# The message path runs these for every message: built once, as Core statements (no ORM loading or
# statement construction per call, which costs several times the SQLite work itself).
_conversations = ConversationRow.__table__
_members_table = MemberRow.__table__
_GET_CONVERSATION = select(*_conversations.c).where(_conversations.c.id == bindparam("id"))
_GET_CONVERSATION_FOR_UPDATE = _GET_CONVERSATION.with_for_update()
_SAVE_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("key"))
    .values({f: bindparam(f) for f in _CONVERSATION_FIELDS if f != "created_at"})
)
_MEMBERS = (
    select(*_members_table.c)
    .where(_members_table.c.conversation_id == bindparam("conversation_id"))
    .order_by(_members_table.c.joined_at, _members_table.c.kind.desc(), _members_table.c.member_id)
)
_SAVE_MEMBER = (
    update(_members_table)
    .where(
        _members_table.c.conversation_id == bindparam("c"),
        _members_table.c.kind == bindparam("k"),
        _members_table.c.member_id == bindparam("m"),
    )
    .values(
        name=bindparam("name"),
        email=bindparam("email"),
        external=bindparam("external"),
        last_read_seq=bindparam("last_read_seq"),
    )
)


class SqlConversations(_Repo):
    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        query = _GET_CONVERSATION_FOR_UPDATE if for_update else _GET_CONVERSATION
        row = (await self.s.execute(query, {"id": conversation_id})).first()
        return _conversation(row) if row else None  # type: ignore[arg-type]

    async def add(self, conversation: Conversation) -> None:
        values = {f: getattr(conversation, f) for f in _CONVERSATION_FIELDS}
        values["created_at"] = values["created_at"] or self._now()
        self.s.add(ConversationRow(id=conversation.id, **values))
        await self.s.flush()

    async def save(self, conversation: Conversation) -> None:
        values = {f: getattr(conversation, f) for f in _CONVERSATION_FIELDS if f != "created_at"}
        await self.s.execute(_SAVE_CONVERSATION, {"key": conversation.id, **values})

    async def find_for_guest(
        self, guest_id: str, *, service: str | None = None, agent: str | None = None
    ) -> Conversation | None:
        query = select(ConversationRow).where(ConversationRow.guest_id == guest_id)
        if agent is not None:
            # A conversation with the agent directly, one the agent was assigned, or one they are a member
            # of: all are "with" them. A direct one wins, then an assigned one.
            is_member = (
                select(MemberRow.member_id)
                .where(MemberRow.conversation_id == ConversationRow.id, MemberRow.kind == "agent")
                .where(MemberRow.member_id == agent)
                .exists()
            )
            query = query.where(
                or_(ConversationRow.agent == agent, ConversationRow.assignee == agent, is_member)
            ).order_by(
                case((ConversationRow.agent == agent, 0), (ConversationRow.assignee == agent, 1), else_=2)
            )
        else:
            query = query.where(ConversationRow.service == service, ConversationRow.agent.is_(None))
        query = query.order_by(ConversationRow.created_at).limit(1)
        row = (await self.s.execute(query)).scalar_one_or_none()
        return _conversation(row) if row else None

    async def list_for_guest(self, guest_id: str) -> list[Conversation]:
        # Their own conversations and those they were added to or joined by link.
        is_member = (
            select(MemberRow.member_id)
            .where(MemberRow.conversation_id == ConversationRow.id, MemberRow.kind == "guest")
            .where(MemberRow.member_id == guest_id)
            .exists()
        )
        rows = await self.s.execute(
            select(ConversationRow)
            .where(or_(ConversationRow.guest_id == guest_id, is_member))
            .order_by(ConversationRow.last_message_at.desc())
        )
        return [_conversation(r) for r in rows.scalars()]

    async def list_for_agent(
        self, agent_slug: str, services: Sequence[str], *, mine_only: bool = False, limit: int = 200
    ) -> list[ConversationSummary]:
        c = ConversationRow
        if mine_only:
            visible = or_(c.assignee == agent_slug, c.agent == agent_slug)
        else:
            is_member = (
                select(MemberRow.member_id)
                .where(MemberRow.conversation_id == c.id, MemberRow.kind == "agent")
                .where(MemberRow.member_id == agent_slug)
                .exists()
            )
            visible = or_(
                c.service.in_(list(services)), c.agent == agent_slug, c.assignee == agent_slug, is_member
            )
        read = (
            select(MemberRow.last_read_seq)
            .where(MemberRow.conversation_id == c.id, MemberRow.kind == "agent")
            .where(MemberRow.member_id == agent_slug)
            .scalar_subquery()
        )
        unread = (
            select(func.count(MessageRow.id))
            .where(MessageRow.conversation_id == c.id, MessageRow.seq > func.coalesce(read, 0))
            .where(MessageRow.author_kind == "guest")
            .scalar_subquery()
        )
        last_text = (
            select(MessageRow.text)
            .where(MessageRow.conversation_id == c.id, MessageRow.seq == c.last_seq)
            .scalar_subquery()
        )
        rows = await self.s.execute(
            select(c, GuestRow.name, last_text, unread)
            .join(GuestRow, GuestRow.id == c.guest_id)
            .where(visible)
            .order_by(c.last_message_at.desc())
            .limit(limit)
        )
        return [ConversationSummary(_conversation(r), name, text, n or 0) for r, name, text, n in rows]

    async def members(self, conversation_id: str) -> list[Member]:
        rows = await self.s.execute(_MEMBERS, {"conversation_id": conversation_id})
        return [
            Member(m.kind, m.member_id, m.name, m.email, m.external, m.last_read_seq)  # type: ignore[arg-type]
            for m in rows
        ]

    async def add_member(self, conversation_id: str, member: Member) -> None:
        self.s.add(
            MemberRow(
                conversation_id=conversation_id,
                kind=member.kind,
                member_id=member.id,
                name=member.name,
                email=member.email,
                external=member.external,
                last_read_seq=member.last_read_seq,
                joined_at=self._now(),
            )
        )
        await self.s.flush()

    async def save_member(self, conversation_id: str, member: Member) -> None:
        await self.s.execute(
            _SAVE_MEMBER,
            {
                "c": conversation_id,
                "k": member.kind,
                "m": member.id,
                "name": member.name,
                "email": member.email,
                "external": member.external,
                "last_read_seq": member.last_read_seq,
            },
        )


def _message(row: MessageRow) -> Message:
    return Message(
        conversation_id=row.conversation_id,
        seq=row.seq,
        author=Actor(row.author_kind, row.author_id, row.author_name),  # type: ignore[arg-type]
        text=row.text,
        created_at=row.created_at,
        client_id=row.client_id,
        internal=row.internal,
        id=row.id,
    )


class SqlMessages(_Repo):
    async def add(self, message: Message) -> None:
        # A Core insert: messages are the hot path, and the ORM flush costs more than the write itself.
        await self.s.execute(
            insert(MessageRow).values(
                id=message.id,
                conversation_id=message.conversation_id,
                seq=message.seq,
                author_kind=message.author.kind,
                author_id=message.author.id,
                author_name=message.author.name,
                text=message.text,
                client_id=message.client_id,
                internal=message.internal,
                created_at=message.created_at,
            )
        )

    async def by_client_id(self, conversation_id: str, author_key: str, client_id: str) -> Message | None:
        kind, _, author_id = author_key.partition(":")
        row = (
            await self.s.execute(
                select(MessageRow).where(
                    MessageRow.conversation_id == conversation_id,
                    MessageRow.author_kind == kind,
                    MessageRow.author_id == author_id,
                    MessageRow.client_id == client_id,
                )
            )
        ).scalar_one_or_none()
        return _message(row) if row else None

    async def list(
        self, conversation_id: str, *, after_seq: int = 0, limit: int = 500, include_internal: bool = True
    ) -> list[Message]:
        query = select(MessageRow).where(
            MessageRow.conversation_id == conversation_id, MessageRow.seq > after_seq
        )
        if not include_internal:
            query = query.where(MessageRow.internal.is_(False))
        rows = await self.s.execute(query.order_by(MessageRow.seq).limit(limit))
        return [_message(r) for r in rows.scalars()]


class SqlBindings(_Repo):
    @staticmethod
    def _to(row: BindingRow) -> Binding:
        return Binding(row.conversation_id, row.channel, dict(row.address or {}), row.thread_key, id=row.id)

    async def for_conversation(self, conversation_id: str) -> list[Binding]:
        rows = await self.s.execute(
            select(BindingRow)
            .where(BindingRow.conversation_id == conversation_id)
            .order_by(BindingRow.created_at)
        )
        return [self._to(r) for r in rows.scalars()]

    async def add(self, binding: Binding) -> None:
        self.s.add(
            BindingRow(
                id=binding.id,
                conversation_id=binding.conversation_id,
                channel=binding.channel,
                address=binding.address,
                thread_key=binding.thread_key,
                created_at=self._now(),
            )
        )

    async def save(self, binding: Binding) -> None:
        await self.s.execute(
            update(BindingRow)
            .where(BindingRow.id == binding.id)
            .values(address=binding.address, thread_key=binding.thread_key)
        )

    async def service_channels(self, service: str) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.s.execute(select(ServiceChannelRow).where(ServiceChannelRow.service == service))
        return [(r.channel, dict(r.address)) for r in rows.scalars()]

    async def link_service_channel(self, service: str, channel: str, address: dict[str, Any]) -> None:
        row = await self.s.get(ServiceChannelRow, (service, channel))
        if row is None:
            self.s.add(ServiceChannelRow(service=service, channel=channel, address=address))
        else:
            row.address = address

    async def find_by_address(self, channel: str, key: str, value: str) -> Binding | None:
        del key  # the thread key is the channel's own compound key
        row = (
            await self.s.execute(
                select(BindingRow)
                .where(BindingRow.channel == channel, BindingRow.thread_key == value)
                .limit(1)
            )
        ).scalar_one_or_none()
        return self._to(row) if row else None


class SqlTokens(_Repo):
    async def add(self, token_hash: str, kind: str, subject: str, expires_at: datetime | None) -> None:
        self.s.add(
            TokenRow(
                token_hash=token_hash,
                kind=kind,
                subject=subject,
                expires_at=expires_at,
                created_at=self._now(),
            )
        )

    async def resolve(self, token_hash: str, kind: str, now: datetime) -> str | None:
        row = await self.s.get(TokenRow, token_hash)
        if row is None or row.kind != kind or row.used_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        return row.subject

    async def consume(self, token_hash: str, kind: str, now: datetime) -> str | None:
        subject = await self.resolve(token_hash, kind, now)
        if subject is not None:
            # Conditional update: two concurrent redemptions cannot both succeed.
            result = await self.s.execute(
                update(TokenRow)
                .where(TokenRow.token_hash == token_hash, TokenRow.used_at.is_(None))
                .values(used_at=now)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
        return subject


class SqlInbound(_Repo):
    async def first_time(self, channel: str, external_id: str, now: datetime) -> bool:
        if await self.s.get(InboundRow, (channel, external_id)) is not None:
            return False
        self.s.add(InboundRow(channel=channel, external_id=external_id, received_at=now))
        await self.s.flush()
        return True
