"""Members, links, reactions and the per-member email digest state: ``uow.membership`` and ``uow.digests``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, delete, func, select
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


class EmailDigestRow(Base):
    """Where one member stands with unread-message emails in one conversation (see bot/email_digest)."""

    __tablename__ = "email_digests"
    conversation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    emailed_seq: Mapped[int] = mapped_column(Integer, default=0)
    pending_since: Mapped[datetime | None]
    sends: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO times, this unread streak
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


class SqlDigests:
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.s = session
        self._now = now

    @staticmethod
    def _to(row: EmailDigestRow) -> DigestState:
        return DigestState(
            row.conversation_id,
            row.member_kind,
            row.member_id,
            emailed_seq=row.emailed_seq,
            pending_since=row.pending_since,
            sends=[datetime.fromisoformat(t) for t in row.sends or []],
        )

    async def get(self, conversation_id: str, kind: str, member_id: str) -> DigestState | None:
        row = await self.s.get(EmailDigestRow, (conversation_id, kind, member_id))
        return self._to(row) if row else None

    async def for_conversation(self, conversation_id: str) -> list[DigestState]:
        rows = await self.s.execute(
            select(EmailDigestRow).where(EmailDigestRow.conversation_id == conversation_id)
        )
        return [self._to(r) for r in rows.scalars()]

    async def for_conversations(self, conversation_ids: Sequence[str]) -> list[DigestState]:
        """One read for a batch of messages (most conversations have no state at all)."""
        rows = await self.s.execute(
            select(EmailDigestRow).where(EmailDigestRow.conversation_id.in_(sorted(set(conversation_ids))))
        )
        return [self._to(r) for r in rows.scalars()]

    async def save(self, state: DigestState) -> None:
        values: dict[str, Any] = dict(
            emailed_seq=state.emailed_seq,
            pending_since=state.pending_since,
            sends=[t.isoformat() for t in state.sends],
            updated_at=self._now(),
        )
        row = await self.s.get(EmailDigestRow, (state.conversation_id, state.member_kind, state.member_id))
        if row is None:
            self.s.add(
                EmailDigestRow(
                    conversation_id=state.conversation_id,
                    member_kind=state.member_kind,
                    member_id=state.member_id,
                    **values,
                )
            )
        else:
            for name, value in values.items():
                setattr(row, name, value)
        await self.s.flush()

    async def delete(self, conversation_id: str, kind: str, member_id: str) -> None:
        await self.s.execute(
            delete(EmailDigestRow).where(
                EmailDigestRow.conversation_id == conversation_id,
                EmailDigestRow.member_kind == kind,
                EmailDigestRow.member_id == member_id,
            )
        )
