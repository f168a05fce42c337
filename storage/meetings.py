"""Meetings as rows, and which calendar each agent connected. Registered as ``uow.meetings``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.errors import Conflict, SlotTaken
from bot.meetings.model import BOOKED, CalendarConnection, Meeting
from scheduling.calendar import Interval
from storage.calendar_connections import to_connection
from storage.invitations import MeetingAttendeeRow, follow_meeting
from storage.models import CalendarConnectionRow, MeetingRow
from storage.repositories import _Repo

_FIELDS = (
    "conversation_id agent guest_id service subject guest_timezone status sequence idempotency_key request_hash "
    "calendar_provider calendar_id external_event_id created_at updated_at"
).split()


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(
        start=row.start_at,
        end=row.end_at,
        id=row.id,
        **{f: getattr(row, f) for f in _FIELDS},
    )


def _values(meeting: Meeting) -> dict[str, Any]:
    values = {f: getattr(meeting, f) for f in _FIELDS}
    values.update(start_at=meeting.start, end_at=meeting.end)
    return values


def _refusal(error: IntegrityError) -> Exception:
    text = str(error.orig)
    if "meetings_no_overlap" in text:  # PostgreSQL's exclusion constraint: a booked overlap
        return SlotTaken("That time is no longer free.")
    # A member or room of an invitation's meeting moved onto another booked meeting of theirs.
    if "meeting_attendees_no_overlap" in text:
        return SlotTaken("That time is no longer free.")
    if "idempotency_key" in text:
        return Conflict("This request was already made.", code="duplicate_request")
    return error


class SqlMeetings(_Repo):
    async def add(self, meeting: Meeting) -> None:
        self.s.add(MeetingRow(id=meeting.id, **_values(meeting)))
        try:
            await self.s.flush()
        except IntegrityError as error:
            raise _refusal(error) from error

    async def save(self, meeting: Meeting) -> None:
        values = _values(meeting)
        values.pop("created_at")
        try:
            await self.s.execute(update(MeetingRow).where(MeetingRow.id == meeting.id).values(**values))
            # An invitation's meeting: its members and rooms move, shrink or free up with it.
            await follow_meeting(self.s, meeting.id, meeting.start, meeting.end, meeting.status)
        except IntegrityError as error:
            raise _refusal(error) from error

    async def get(self, meeting_id: str, *, for_update: bool = False) -> Meeting | None:
        query = select(MeetingRow).where(MeetingRow.id == meeting_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.s.execute(query)).scalar_one_or_none()
        return _meeting(row) if row else None

    async def by_idempotency_key(self, key: str) -> Meeting | None:
        row = (
            await self.s.execute(select(MeetingRow).where(MeetingRow.idempotency_key == key))
        ).scalar_one_or_none()
        return _meeting(row) if row else None

    async def busy(
        self, agents: list[str], start: datetime, end: datetime, *, exclude: str | None = None
    ) -> dict[str, list[Interval]]:
        if not agents:
            return {}
        query = select(MeetingRow.agent, MeetingRow.start_at, MeetingRow.end_at).where(
            MeetingRow.agent.in_(agents),
            MeetingRow.status == BOOKED,
            MeetingRow.start_at < end,
            MeetingRow.end_at > start,
        )
        if exclude is not None:
            query = query.where(MeetingRow.id != exclude)
        found: dict[str, list[Interval]] = defaultdict(list)
        for agent, a, b in (await self.s.execute(query)).all():
            found[agent].append(Interval(a, b))
        # An agent who attends an invitation's meeting led by someone else is busy then too.
        keys = {f"agent:{slug}": slug for slug in agents}
        attending = select(
            MeetingAttendeeRow.attendee, MeetingAttendeeRow.start_at, MeetingAttendeeRow.end_at
        ).where(
            MeetingAttendeeRow.attendee.in_(list(keys)),
            MeetingAttendeeRow.status == BOOKED,
            MeetingAttendeeRow.start_at < end,
            MeetingAttendeeRow.end_at > start,
        )
        if exclude is not None:
            attending = attending.where(MeetingAttendeeRow.meeting_id != exclude)
        for key, a, b in (await self.s.execute(attending)).all():
            found[keys[key]].append(Interval(a, b))
        return dict(found)

    async def load(self, agents: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        recent = func.sum(case((MeetingRow.created_at >= since, 1), else_=0))
        query = (
            select(MeetingRow.agent, recent, func.max(MeetingRow.created_at))
            .where(MeetingRow.agent.in_(agents), MeetingRow.status == BOOKED)
            .group_by(MeetingRow.agent)
        )
        return {agent: (int(count or 0), last) for agent, count, last in (await self.s.execute(query)).all()}

    async def upcoming(
        self,
        *,
        agents: list[str] | None = None,
        services: list[str] | None = None,
        guest_id: str | None = None,
        conversation_id: str | None = None,
    ) -> list[Meeting]:
        query = select(MeetingRow).where(MeetingRow.status == BOOKED, MeetingRow.end_at > self._now())
        whose = []
        if agents:
            whose.append(MeetingRow.agent.in_(agents))
        if services:
            whose.append(MeetingRow.service.in_(services))
        if agents is not None or services is not None:
            query = query.where(or_(*whose) if whose else MeetingRow.id.is_(None))
        if guest_id is not None:
            query = query.where(MeetingRow.guest_id == guest_id)
        if conversation_id is not None:
            query = query.where(MeetingRow.conversation_id == conversation_id)
        rows = (await self.s.execute(query.order_by(MeetingRow.start_at, MeetingRow.id).limit(500))).scalars()
        return [_meeting(r) for r in rows]

    async def connections(self, agents: list[str]) -> dict[str, CalendarConnection]:
        """Every agent's connection, broken ones too: a broken grant must make the agent unreadable,
        not quietly fall back to the local calendar and show them free."""
        if not agents:
            return {}
        rows = (
            await self.s.execute(
                select(CalendarConnectionRow)
                .where(CalendarConnectionRow.agent.in_(agents))
                .order_by(CalendarConnectionRow.updated_at)
            )
        ).scalars()
        found = {}
        for row in rows:  # the most recently updated connection wins
            found[row.agent] = to_connection(self.s, row)  # decrypts the grant
        return found
