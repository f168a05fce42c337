"""What the assistant follows: ``uow.assistant`` — conversations' own addresses and calendar meetings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column

from bot.assistant.model import AssistantConversation, CalendarMeeting
from storage.models import Base
from storage.repositories import _Repo


class AssistantConversationRow(Base):
    __tablename__ = "assistant_conversations"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    organizer: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class CalendarMeetingRow(Base):
    __tablename__ = "calendar_meetings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    uid: Mapped[str] = mapped_column(String(500))
    instance: Mapped[str] = mapped_column(String(40), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    summary: Mapped[str] = mapped_column(String(300))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    organizer: Mapped[str] = mapped_column(String(64))
    organizer_email: Mapped[str] = mapped_column(String(320))
    location: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    join_url: Mapped[str] = mapped_column(String(1000), default="")
    rrule: Mapped[str] = mapped_column(String(500), default="")
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)
    attendees: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    reminder_key: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("uid", "instance"),)


_FIELDS = (
    "conversation_id uid instance sequence status summary timezone organizer organizer_email location "
    "description join_url rrule exdates attendees reminder_key created_at updated_at"
).split()


def _meeting(row: CalendarMeetingRow) -> CalendarMeeting:
    values: dict[str, Any] = {f: getattr(row, f) for f in _FIELDS}
    values["exdates"] = list(values["exdates"] or [])
    values["attendees"] = [dict(a) for a in values["attendees"] or []]
    return CalendarMeeting(start=row.start_at, end=row.end_at, id=row.id, **values)


def _values(meeting: CalendarMeeting) -> dict[str, Any]:
    values = {f: getattr(meeting, f) for f in _FIELDS}
    values.update(start_at=meeting.start, end_at=meeting.end, summary=meeting.summary[:300])
    values["attendees"] = [dict(a) for a in meeting.attendees]
    return values


class SqlAssistant(_Repo):
    async def conversation_by_token(self, token: str) -> AssistantConversation | None:
        row = (
            await self.s.execute(
                select(AssistantConversationRow).where(AssistantConversationRow.token == token)
            )
        ).scalar_one_or_none()
        return AssistantConversation(row.conversation_id, row.token, row.organizer) if row else None

    async def conversation(self, conversation_id: str) -> AssistantConversation | None:
        row = await self.s.get(AssistantConversationRow, conversation_id)
        return AssistantConversation(row.conversation_id, row.token, row.organizer) if row else None

    async def add_conversation(self, conversation: AssistantConversation) -> None:
        self.s.add(
            AssistantConversationRow(
                conversation_id=conversation.conversation_id,
                token=conversation.token,
                organizer=conversation.organizer,
                created_at=self._now(),
            )
        )
        await self.s.flush()

    async def meeting(self, uid: str, instance: str, *, for_update: bool = False) -> CalendarMeeting | None:
        query = select(CalendarMeetingRow).where(
            CalendarMeetingRow.uid == uid, CalendarMeetingRow.instance == instance
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.s.execute(query)).scalar_one_or_none()
        return _meeting(row) if row else None

    async def meeting_by_id(self, meeting_id: str, *, for_update: bool = False) -> CalendarMeeting | None:
        query = select(CalendarMeetingRow).where(CalendarMeetingRow.id == meeting_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.s.execute(query)).scalar_one_or_none()
        return _meeting(row) if row else None

    async def followed_uids(self, organizer: str, uids: list[str]) -> set[str]:
        found: set[str] = set()
        for at in range(0, len(uids), 500):  # a full calendar listing: stay under SQLite's bind limit
            rows = await self.s.execute(
                select(CalendarMeetingRow.uid).where(
                    CalendarMeetingRow.organizer == organizer,
                    CalendarMeetingRow.instance == "",
                    CalendarMeetingRow.status == "active",
                    CalendarMeetingRow.uid.in_(uids[at : at + 500]),
                )
            )
            found.update(rows.scalars())
        return found

    async def instances(self, uid: str) -> list[CalendarMeeting]:
        rows = await self.s.execute(
            select(CalendarMeetingRow)
            .where(CalendarMeetingRow.uid == uid)
            .order_by(CalendarMeetingRow.instance)
        )
        return [_meeting(r) for r in rows.scalars()]

    async def of_conversation(self, conversation_id: str) -> list[CalendarMeeting]:
        rows = await self.s.execute(
            select(CalendarMeetingRow)
            .where(CalendarMeetingRow.conversation_id == conversation_id)
            .order_by(CalendarMeetingRow.start_at)
        )
        return [_meeting(r) for r in rows.scalars()]

    async def add_meeting(self, meeting: CalendarMeeting) -> None:
        self.s.add(CalendarMeetingRow(id=meeting.id, **_values(meeting)))
        await self.s.flush()

    async def save_meeting(self, meeting: CalendarMeeting) -> None:
        values = _values(meeting)
        values.pop("created_at")
        await self.s.execute(
            update(CalendarMeetingRow).where(CalendarMeetingRow.id == meeting.id).values(**values)
        )
