"""``uow.attachments``: files attached to messages (rules in ``bot.attachments``). The rows say what
each file is and whose message it belongs to; the bytes live under the data folder (the web adapter
stores and serves them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.attachments import Attachment
from storage.models import Base
from storage.repositories import _Repo


class AttachmentRow(Base):
    __tablename__ = "attachments"  # migration 0017
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # as its message: agents only
    __table_args__ = (Index("ix_attachments_message", "message_id"),)


def _attachment(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=row.id,
        conversation_id=row.conversation_id,
        message_id=row.message_id,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        created_at=row.created_at,
        internal=row.internal,
    )


class SqlAttachments(_Repo):
    async def add(self, attachment: Attachment) -> None:
        # A Core insert, like the message it follows: the message row is already written.
        await self.s.execute(
            insert(AttachmentRow).values(
                id=attachment.id,
                conversation_id=attachment.conversation_id,
                message_id=attachment.message_id,
                name=attachment.name,
                content_type=attachment.content_type,
                size=attachment.size,
                created_at=attachment.created_at,
                internal=attachment.internal,
            )
        )

    async def get(self, attachment_id: str) -> Attachment | None:
        row = await self.s.get(AttachmentRow, attachment_id)
        return _attachment(row) if row is not None else None

    async def of_messages(self, message_ids: Sequence[str]) -> dict[str, list[Attachment]]:
        if not message_ids:
            return {}
        rows = await self.s.execute(
            select(AttachmentRow)
            .where(AttachmentRow.message_id.in_(list(message_ids)))
            .order_by(AttachmentRow.created_at, AttachmentRow.id)
        )
        found: dict[str, list[Attachment]] = {}
        for row in rows.scalars():
            found.setdefault(row.message_id, []).append(_attachment(row))
        return found
