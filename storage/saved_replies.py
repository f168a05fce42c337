"""``uow.saved_replies``: an agent's and their services' saved replies (rules in ``bot.saved_replies``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Index, String, Text, delete, false, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.saved_replies import SavedReply
from storage.models import Base
from storage.repositories import _Repo


class SavedReplyRow(Base):
    __tablename__ = "saved_replies"  # migration 0014
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    __table_args__ = (
        Index("ix_saved_replies_agent", "agent"),
        Index("ix_saved_replies_service", "service"),
    )


def _reply(row: SavedReplyRow) -> SavedReply:
    return SavedReply(row.title, row.body, row.agent, row.service, row.id, row.updated_at)


class SqlSavedReplies(_Repo):
    async def visible(self, agent_slug: str, services: Sequence[str]) -> list[SavedReply]:
        r = SavedReplyRow
        of_service = r.service.in_(list(services)) if services else false()
        rows = await self.s.execute(
            select(r).where(or_(r.agent == agent_slug, of_service)).order_by(r.title, r.id)
        )
        return [_reply(row) for row in rows.scalars()]

    async def get(self, reply_id: str) -> SavedReply | None:
        row = await self.s.get(SavedReplyRow, reply_id)
        return _reply(row) if row else None

    async def save(self, reply: SavedReply) -> None:
        await self.s.merge(
            SavedReplyRow(
                id=reply.id,
                agent=reply.agent,
                service=reply.service,
                title=reply.title,
                body=reply.body,
                updated_at=reply.updated_at or self._now(),
            )
        )
        await self.s.flush()

    async def delete(self, reply_id: str) -> None:
        await self.s.execute(delete(SavedReplyRow).where(SavedReplyRow.id == reply_id))
