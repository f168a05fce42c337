"""``uow.contacts``: one person across guest sessions, their meetings, where conversations started,
and the agents' private note (rules in ``bot.contacts``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.contacts import ContactMeeting, ContactNote
from bot.model import Guest
from storage.assistant import AssistantConversationRow
from storage.models import Base, ConversationRow, GuestRow, MeetingRow
from storage.people import guest_of
from storage.repositories import _Repo


class ContactNoteRow(Base):
    __tablename__ = "contact_notes"  # migration 0014; keyed by the person's first proven guest
    guest_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class SqlContacts(_Repo):
    async def same_person(self, guest_id: str) -> list[Guest]:
        row = await self.s.get(GuestRow, guest_id)
        if row is None:
            return []
        if row.email is None or row.email_proven_at is None:
            return [guest_of(row)]
        rows = await self.s.execute(
            select(GuestRow)
            .where(func.lower(GuestRow.email) == row.email.lower(), GuestRow.email_proven_at.is_not(None))
            .order_by(GuestRow.email_proven_at, GuestRow.created_at, GuestRow.id)
        )
        return [guest_of(r) for r in rows.scalars()]

    async def meetings(self, guest_ids: Sequence[str]) -> list[ContactMeeting]:
        m = MeetingRow
        rows = await self.s.execute(
            select(m.id, m.conversation_id, m.subject, m.start_at, m.end_at, m.status)
            .where(m.guest_id.in_(list(guest_ids)))
            .order_by(m.start_at)
        )
        return [ContactMeeting(*row) for row in rows]

    async def origins(self, conversation_ids: Sequence[str]) -> dict[str, str]:
        c, a = ConversationRow, AssistantConversationRow
        rows = await self.s.execute(
            select(c.id, c.service, c.agent, a.conversation_id)
            .outerjoin(a, a.conversation_id == c.id)
            .where(c.id.in_(list(conversation_ids)))
        )
        return {
            cid: "assistant"
            if by_assistant
            else "widget"
            if service
            else "personal_link"
            if agent
            else "agent"
            for cid, service, agent, by_assistant in rows
        }

    async def note(self, guest_id: str) -> ContactNote | None:
        row = await self.s.get(ContactNoteRow, guest_id)
        return ContactNote(row.note, row.updated_by, row.updated_at) if row else None

    async def save_note(self, guest_id: str, note: ContactNote) -> None:
        await self.s.merge(
            ContactNoteRow(
                guest_id=guest_id, note=note.text, updated_by=note.updated_by, updated_at=note.updated_at
            )
        )
        await self.s.flush()
