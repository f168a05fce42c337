"""Members, links, reactions and the per-person unread-email state: ``uow.membership`` and ``uow.digests``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.model import Conversation, DigestState, Guest, Message
from storage.conversations import _conversation, _message
from storage.models import (
    Base,
    BindingRow,
    ConversationRow,
    GuestRow,
    MemberRow,
    MessageRow,
    ReactionRow,
    RemovalRow,
)
from storage.people import guest_of


class UnreadEmailRow(Base):
    """Where one person stands with unread-message emails, across their conversations (bot/email_digest)."""

    __tablename__ = "unread_emails"
    person_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pending_since: Mapped[datetime | None]
    sends: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO times, this unread streak
    conversations: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # id → newest seq emailed
    unsubscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class SqlMembership:
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.s = session
        self._now = now

    async def guest_by_email(self, email: str) -> Guest | None:
        row = (
            await self.s.execute(
                select(GuestRow)
                .where(func.lower(GuestRow.email) == email.lower(), GuestRow.email_proven_at.is_not(None))
                .order_by(GuestRow.email_proven_at, GuestRow.created_at)
                .limit(1)
            )
        ).scalar_one_or_none()
        return guest_of(row) if row else None

    async def by_link_token(self, token: str, *, for_update: bool = False) -> Conversation | None:
        query = select(ConversationRow).where(ConversationRow.link_token == token)
        if for_update:
            query = query.with_for_update()
        row = (await self.s.execute(query)).scalar_one_or_none()
        return _conversation(row) if row else None

    async def count(self, conversation_id: str) -> int:
        return (
            await self.s.execute(
                select(func.count())
                .select_from(MemberRow)
                .where(MemberRow.conversation_id == conversation_id)
            )
        ).scalar_one()

    async def remove(self, conversation_id: str, kind: str, member_id: str) -> None:
        await self.s.execute(
            delete(MemberRow).where(
                MemberRow.conversation_id == conversation_id,
                MemberRow.kind == kind,
                MemberRow.member_id == member_id,
            )
        )
        if await self.s.get(RemovalRow, (conversation_id, kind, member_id)) is None:
            self.s.add(
                RemovalRow(
                    conversation_id=conversation_id, kind=kind, member_id=member_id, removed_at=self._now()
                )
            )
        if kind == "guest":
            # The guest's live binding goes with the membership: no more notices to their widget.
            rows = await self.s.execute(
                select(BindingRow).where(
                    BindingRow.conversation_id == conversation_id, BindingRow.channel == "web"
                )
            )
            for row in rows.scalars():
                if (row.address or {}).get("guest_id") == member_id:
                    await self.s.delete(row)
        await self.s.flush()

    async def was_removed(self, conversation_id: str, kind: str, member_id: str) -> bool:
        return await self.s.get(RemovalRow, (conversation_id, kind, member_id)) is not None

    async def forget_removal(self, conversation_id: str, kind: str, member_id: str) -> None:
        await self.s.execute(
            delete(RemovalRow).where(
                RemovalRow.conversation_id == conversation_id,
                RemovalRow.kind == kind,
                RemovalRow.member_id == member_id,
            )
        )

    async def message(self, conversation_id: str, message_id: str) -> Message | None:
        row = await self.s.get(MessageRow, message_id)
        return _message(row) if row is not None and row.conversation_id == conversation_id else None

    async def add_reaction(self, message_id: str, member_key: str, emoji: str) -> bool:
        if await self.s.get(ReactionRow, (message_id, member_key, emoji)) is not None:
            return False
        self.s.add(
            ReactionRow(message_id=message_id, member_key=member_key, emoji=emoji, created_at=self._now())
        )
        await self.s.flush()
        return True

    async def remove_reaction(self, message_id: str, member_key: str, emoji: str) -> bool:
        result = await self.s.execute(
            delete(ReactionRow).where(
                ReactionRow.message_id == message_id,
                ReactionRow.member_key == member_key,
                ReactionRow.emoji == emoji,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def reactions(
        self, conversation_id: str, *, include_internal: bool = True
    ) -> list[tuple[str, str, str]]:
        """(message id, member key, emoji) of one conversation, oldest first."""
        query = (
            select(ReactionRow.message_id, ReactionRow.member_key, ReactionRow.emoji)
            .join(MessageRow, MessageRow.id == ReactionRow.message_id)
            .where(MessageRow.conversation_id == conversation_id)
            .order_by(ReactionRow.created_at, ReactionRow.member_key)
        )
        if not include_internal:
            query = query.where(MessageRow.internal.is_(False))
        rows = await self.s.execute(query)
        return [(m, k, e) for m, k, e in rows.all()]

    async def guest_names(self, conversation_ids: Sequence[str]) -> dict[str, list[str]]:
        """Names of guest members per conversation, in joining order (for inbox titles)."""
        result: dict[str, list[str]] = {}
        if not conversation_ids:
            return result
        rows = await self.s.execute(
            select(MemberRow.conversation_id, MemberRow.name)
            .where(MemberRow.conversation_id.in_(list(conversation_ids)), MemberRow.kind == "guest")
            .order_by(MemberRow.joined_at, MemberRow.member_id)
        )
        for conversation_id, name in rows.all():
            result.setdefault(conversation_id, []).append(name)
        return result


_unread = UnreadEmailRow.__table__
if tuple(c.key for c in _unread.c) != (
    "person_kind",
    "person_id",
    "pending_since",
    "sends",
    "conversations",
    "unsubscribed",
    "updated_at",
):
    raise RuntimeError("the unread_emails table's columns moved: SqlDigests reads them by position")
# Every message to someone with unread-email state reads and writes it: built once, as Core statements.
_GET_DIGEST = select(*_unread.c).where(
    _unread.c.person_kind == bindparam("kind"), _unread.c.person_id == bindparam("person_id")
)
# A batch's recipients (or readers) at once: the kinds are told apart in Python (a person id is an
# agent's slug or a guest's id, so the few rows of the other kind cost nothing).
_GET_DIGESTS = select(*_unread.c).where(_unread.c.person_id.in_(bindparam("ids", expanding=True)))
_EXISTING = select(_unread.c.person_kind, _unread.c.person_id).where(
    _unread.c.person_id.in_(bindparam("ids", expanding=True))
)
_DIGEST_FIELDS = ("pending_since", "sends", "conversations", "unsubscribed", "updated_at")
_UPDATE_DIGEST = (
    update(_unread)
    .where(_unread.c.person_kind == bindparam("key_kind"), _unread.c.person_id == bindparam("key_id"))
    .values({f: bindparam(f) for f in _DIGEST_FIELDS})
)
_ADD_DIGEST = insert(_unread)


class SqlDigests:
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.s = session
        self._now = now
        # People this transaction found without a state and has not saved one for since: a batch's
        # readers are its authors, whom the message hook already looked up (bot/email_digest.py).
        self._absent: set[tuple[str, str]] = set()

    @staticmethod
    def _to(row: Any) -> DigestState:
        # By position (storage/conversations.py _conversation_of says why).
        kind, person_id, pending_since, sends, conversations, unsubscribed, _ = row
        return DigestState(
            kind,
            person_id,
            pending_since=pending_since,
            sends=[datetime.fromisoformat(t) for t in sends or []],
            conversations={str(k): int(v) for k, v in (conversations or {}).items()},
            unsubscribed=bool(unsubscribed),
        )

    async def get(self, kind: str, person_id: str) -> DigestState | None:
        row = (await self.s.execute(_GET_DIGEST, {"kind": kind, "person_id": person_id})).first()
        if row is None:
            self._absent.add((kind, person_id))
            return None
        return self._to(row)

    async def get_many(self, people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], DigestState]:
        """The states of these people that exist, in one read (each as ``get`` returns it)."""
        if not people:
            return {}
        wanted = set(people) - self._absent
        if not wanted:
            return {}
        rows = await self.s.execute(_GET_DIGESTS, {"ids": sorted({person_id for _, person_id in wanted})})
        found = {(row[0], row[1]): self._to(row) for row in rows if (row[0], row[1]) in wanted}
        self._absent |= wanted - found.keys()
        return found

    async def existing(self, people: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        if not people:
            return set()
        rows = await self.s.execute(_EXISTING, {"ids": sorted({person_id for _, person_id in people})})
        wanted = set(people)
        return {(kind, person_id) for kind, person_id in rows.all() if (kind, person_id) in wanted}

    async def save(self, state: DigestState) -> None:
        self._absent.discard((state.person_kind, state.person_id))
        values: dict[str, Any] = dict(
            key_kind=state.person_kind,
            key_id=state.person_id,
            pending_since=state.pending_since,
            sends=[t.isoformat() for t in state.sends],
            conversations=dict(state.conversations),
            unsubscribed=state.unsubscribed,
            updated_at=self._now(),
        )
        # Most saves change a state that exists: one statement; a person's first, an insert after it.
        updated = await self.s.execute(_UPDATE_DIGEST, values)
        if not updated.rowcount:  # type: ignore[attr-defined]
            del values["key_kind"], values["key_id"]
            await self.s.execute(
                _ADD_DIGEST, {"person_kind": state.person_kind, "person_id": state.person_id, **values}
            )

    async def delete(self, kind: str, person_id: str) -> None:
        await self.s.execute(
            delete(UnreadEmailRow).where(
                UnreadEmailRow.person_kind == kind, UnreadEmailRow.person_id == person_id
            )
        )
