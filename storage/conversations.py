"""Conversations, their members and messages: ``uow.conversations`` and ``uow.messages`` (the hot path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Actor, Conversation, Member, Message
from bot.ports import ConversationSummary
from storage import batch_writes
from storage.batch_statements import GET_MANY, GET_MANY_FOR_UPDATE, MEMBER_ORDER, MEMBERS_OF, MESSAGES_BY_ID
from storage.batch_writes import _message_values
from storage.guest_lookup import FOR_GUEST_AGENT, FOR_GUEST_SERVICE
from storage.models import ConversationRow, GuestRow, MemberRow, MessageRow
from storage.repositories import _Repo


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
        guest_seq=row.guest_seq,
        first_service=row.first_service,
        picture=row.picture,
        status=row.status,
        snoozed_until=row.snoozed_until,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        origin=row.origin,
        origin_url=row.origin_url,
    )


_CONVERSATION_COLUMNS = tuple(column.key for column in ConversationRow.__table__.c)
if set(_CONVERSATION_COLUMNS) != {f.name for f in fields(Conversation)}:
    raise RuntimeError("the conversations table's columns and the Conversation's fields differ")


def _conversation_of(row: Sequence[Any]) -> Conversation:
    """From a Core row of every column of the table, by position: a Row's attribute access fails a
    generic lookup first (it builds and drops an AttributeError per field), which cost more than the
    rest of the read."""
    return Conversation(**dict(zip(_CONVERSATION_COLUMNS, row, strict=True)))


_CONVERSATION_FIELDS = (
    "guest_id service agent title assigned_service assignee last_seq created_at last_message_at "
    "link_token read_only_external guest_seq first_service picture status snoozed_until resolved_at resolved_by"
    " origin origin_url"
).split()


# The message path runs these for every message: built once, as Core statements (no ORM loading or
# statement construction per call, which costs several times the SQLite work itself).
_conversations = ConversationRow.__table__
_members_table = MemberRow.__table__
_MEMBER_COLUMNS = ("conversation_id", "kind", "member_id", "name", "email", "external", "last_read_seq")
if tuple(column.key for column in _members_table.c)[:7] != _MEMBER_COLUMNS or len(_members_table.c) != 8:
    raise RuntimeError("the members table's columns moved: members_of reads them by position")
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
    .order_by(*MEMBER_ORDER)
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

_ADD_CONVERSATION = insert(_conversations)
_ADD_MEMBER = insert(_members_table)


_MESSAGES = MessageRow.__table__
_ADD_MESSAGE = insert(_MESSAGES)


class SqlConversations(_Repo):
    async def get_many(
        self, conversation_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, Conversation]:
        """Several at once (a batch of messages); locked in id order so two writers never deadlock."""
        query = GET_MANY_FOR_UPDATE if for_update else GET_MANY
        rows = await self.s.execute(query, {"ids": sorted(set(conversation_ids))})
        return {row[0]: _conversation_of(row) for row in rows}  # the id first

    async def save_many(self, conversations: Sequence[Conversation]) -> None:
        """After messages were appended to them: the fields that move (the sequence numbers and the
        time of the last message), in one statement."""
        await batch_writes.save_positions(self.s, conversations)

    async def members_of(self, conversation_ids: Sequence[str]) -> dict[str, list[Member]]:
        result: dict[str, list[Member]] = {c: [] for c in conversation_ids}
        rows = await self.s.execute(MEMBERS_OF, {"ids": sorted(set(conversation_ids))})
        for conversation_id, kind, member_id, name, email, external, read, _ in rows:  # see _conversation_of
            result[conversation_id].append(Member(kind, member_id, name, email, external, read))
        return result

    async def save_members(self, members: Sequence[tuple[str, Member]]) -> None:
        """Members' read markers (``last_read_seq``), in one statement."""
        await batch_writes.save_read_markers(self.s, members)

    async def get(self, conversation_id: str, *, for_update: bool = False) -> Conversation | None:
        query = _GET_CONVERSATION_FOR_UPDATE if for_update else _GET_CONVERSATION
        row = (await self.s.execute(query, {"id": conversation_id})).first()
        return _conversation_of(row) if row else None

    async def add(self, conversation: Conversation) -> None:
        values = {f: getattr(conversation, f) for f in _CONVERSATION_FIELDS}
        values["created_at"] = values["created_at"] or self._now()
        await self.s.flush()  # rows it refers to may still wait in the session (a new guest)
        await self.s.execute(_ADD_CONVERSATION, {"id": conversation.id, **values})

    async def save(self, conversation: Conversation) -> None:
        values = {f: getattr(conversation, f) for f in _CONVERSATION_FIELDS if f != "created_at"}
        await self.s.execute(_SAVE_CONVERSATION, {"key": conversation.id, **values})

    async def find_for_guest(
        self, guest_id: str, *, service: str | None = None, agent: str | None = None
    ) -> Conversation | None:
        # A conversation with the agent directly, one the agent was assigned, or one they are a member
        # of: all are "with" them; a direct one wins, then an assigned one. With a service: the service
        # routes it now, or the guest first wrote to it (it moved since): theirs either way.
        if agent is not None:
            result = await self.s.execute(FOR_GUEST_AGENT, {"guest_id": guest_id, "agent": agent})
        else:
            result = await self.s.execute(FOR_GUEST_SERVICE, {"guest_id": guest_id, "service": service})
        row = result.first()
        return _conversation(row) if row else None  # type: ignore[arg-type]

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
        return await summaries(self.s, agent_slug, visible, limit)

    async def members(self, conversation_id: str) -> list[Member]:
        rows = await self.s.execute(_MEMBERS, {"conversation_id": conversation_id})
        return [
            Member(m.kind, m.member_id, m.name, m.email, m.external, m.last_read_seq)  # type: ignore[arg-type]
            for m in rows
        ]

    async def add_member(self, conversation_id: str, member: Member) -> None:
        await self.s.flush()  # the conversation (or others) may still wait in the session
        await self.s.execute(
            _ADD_MEMBER,
            {
                "conversation_id": conversation_id,
                "kind": member.kind,
                "member_id": member.id,
                "name": member.name,
                "email": member.email,
                "external": member.external,
                "last_read_seq": member.last_read_seq,
                "joined_at": self._now(),
            },
        )

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


async def summaries(
    session: AsyncSession, agent_slug: str, where: Any, limit: int
) -> list[ConversationSummary]:
    """Inbox rows (the guest's name, the last message, what the agent has not read) matching ``where``,
    newest first; the inbox filters (storage/status.py) use it too."""
    c = ConversationRow
    read = (
        select(MemberRow.last_read_seq)
        .where(MemberRow.conversation_id == c.id, MemberRow.kind == "agent")
        .where(MemberRow.member_id == agent_slug)
        .correlate(c)  # nested in ``unread``: without this it reads some other conversation's marker
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
    rows = await session.execute(
        select(c, GuestRow.name, last_text, unread)
        .join(GuestRow, GuestRow.id == c.guest_id)
        .where(where)
        .order_by(c.last_message_at.desc())
        .limit(limit)
    )
    return [ConversationSummary(_conversation(r), name, text, n or 0) for r, name, text, n in rows]


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
        guest_seq=row.guest_seq,
    )


class SqlMessages(_Repo):
    async def add(self, message: Message) -> None:
        # A Core insert: messages are the hot path, and the ORM flush costs more than the write itself.
        await self.s.execute(_ADD_MESSAGE, _message_values(message))

    async def add_many(self, messages: Sequence[Message]) -> None:
        """One statement for a batch: on SQLite one multi-row insert, on PostgreSQL an executemany."""
        await batch_writes.add_messages(self.s, messages)

    async def by_client_ids(self, keys: Sequence[tuple[str, str, str]]) -> list[Message]:
        """The messages with these (conversation id, author key, client id): a batch's resends."""
        ids = await batch_writes.resend_ids_of(self.s, keys)
        if not ids:
            return []
        return [_message(r) for r in await self.s.execute(MESSAGES_BY_ID, {"ids": ids})]  # type: ignore[arg-type]

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

    async def guest_position(self, conversation_id: str, seq: int) -> int:
        """How many messages a guest sees up to ``seq``: a read marker in the guest's numbering.

        Guest numbers grow with ``seq``, so the last message the guest sees at or before ``seq`` has the
        answer: read backwards on the conversation's ``seq`` index, past any internal notes (there is no
        index of guest numbers: every message written would pay for it, issue 17)."""
        query = (
            select(MessageRow.guest_seq)
            .where(
                MessageRow.conversation_id == conversation_id,
                MessageRow.seq <= seq,
                MessageRow.guest_seq.is_not(None),
            )
            .order_by(MessageRow.seq.desc())
            .limit(1)
        )
        return (await self.s.execute(query)).scalar_one_or_none() or 0

    async def seq_at_guest_position(self, conversation_id: str, guest_seq: int) -> int:
        """The ``seq`` of the guest's ``guest_seq``-th message (0 before the first): read backwards from
        the conversation's last message, so it costs what the messages after that position cost to
        list (its callers list them, or mark them read)."""
        if guest_seq <= 0:
            return 0
        query = (
            select(MessageRow.seq)
            .where(MessageRow.conversation_id == conversation_id, MessageRow.guest_seq <= guest_seq)
            .order_by(MessageRow.seq.desc())
            .limit(1)
        )
        return (await self.s.execute(query)).scalar_one_or_none() or 0
