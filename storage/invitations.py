"""Invitations, rooms and meeting attendees as rows: ``uow.invitations``.

``meeting_attendees`` holds one row per team member and room of a meeting booked through an invitation,
with the meeting's time and status copied in (``SqlMeetings.save`` keeps them in step), so that on
PostgreSQL the ``meeting_attendees_no_overlap`` exclusion constraint can refuse a second booked meeting
of one member or room at the same time, as ``meetings_no_overlap`` does for a meeting's agent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.errors import Conflict, SlotTaken
from bot.invitations.model import Invitation, MeetingAttendee, Room
from scheduling.calendar import Interval
from storage.models import Base, MeetingRow
from storage.repositories import _Repo


class RoomRow(Base):
    __tablename__ = "rooms"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    pool: Mapped[str | None] = mapped_column(String(100), index=True)
    provider: Mapped[str | None] = mapped_column(String(16))  # google | microsoft | local; None: derived
    calendar_id: Mapped[str | None] = mapped_column(String(320))  # a Google resource calendar's id
    created_at: Mapped[datetime]


class InvitationRow(Base):
    __tablename__ = "invitations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the link token
    organizer: Mapped[str] = mapped_column(String(64), index=True)
    guest_id: Mapped[str] = mapped_column(ForeignKey("guests.id"))
    guest_name: Mapped[str] = mapped_column(String(200))
    guest_email: Mapped[str] = mapped_column(String(320))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    duration: Mapped[int] = mapped_column(Integer)
    members: Mapped[list[str]] = mapped_column(JSON)
    rooms: Mapped[list[str]] = mapped_column(JSON)
    pools: Mapped[list[str]] = mapped_column(JSON)
    start_date: Mapped[str] = mapped_column(String(10))  # ISO dates: the frame's own zone's days
    end_date: Mapped[str] = mapped_column(String(10))
    day_start: Mapped[str] = mapped_column(String(5))
    day_end: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    description_private: Mapped[bool] = mapped_column(Boolean, default=False)
    conferencing: Mapped[str] = mapped_column(Text, default="")
    meeting_type: Mapped[str] = mapped_column(String(16), default="video")
    location: Mapped[str] = mapped_column(Text, default="")
    guest_timezone: Mapped[str | None] = mapped_column(String(64))
    add_to_calendar: Mapped[bool] = mapped_column(Boolean, default=True)
    send_confirmation: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone_mode: Mapped[str] = mapped_column(String(16), default="customer")
    promoted: Mapped[list[str]] = mapped_column(JSON)  # ISO UTC
    status: Mapped[str] = mapped_column(String(16), default="open")
    meeting_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MeetingAttendeeRow(Base):
    __tablename__ = "meeting_attendees"
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    attendee: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)  # agent:<slug>, room:<id>
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="booked")
    # Where this attendee's calendar shows the meeting (the lead's is on the meeting row itself).
    calendar_provider: Mapped[str | None] = mapped_column(String(32))
    calendar_id: Mapped[str | None] = mapped_column(String(320))
    event_id: Mapped[str | None] = mapped_column(String(300))


_FIELDS = (
    "token_hash organizer guest_id guest_name guest_email conversation_id subject duration day_start day_end "
    "timezone description description_private conferencing meeting_type location guest_timezone status "
    "add_to_calendar send_confirmation timezone_mode "
    "meeting_id created_at updated_at"
).split()


def _invitation(row: InvitationRow) -> Invitation:
    return Invitation(
        id=row.id,
        members=list(row.members),
        rooms=list(row.rooms),
        pools=list(row.pools),
        start_date=date.fromisoformat(row.start_date),
        end_date=date.fromisoformat(row.end_date),
        promoted=[datetime.fromisoformat(p).astimezone(UTC) for p in row.promoted],
        **{f: getattr(row, f) for f in _FIELDS},
    )


def _values(invitation: Invitation) -> dict[str, Any]:
    values: dict[str, Any] = {f: getattr(invitation, f) for f in _FIELDS}
    values.update(
        members=list(invitation.members),
        rooms=list(invitation.rooms),
        pools=list(invitation.pools),
        start_date=invitation.start_date.isoformat(),
        end_date=invitation.end_date.isoformat(),
        promoted=[p.astimezone(UTC).isoformat() for p in invitation.promoted],
    )
    return values


def _room(row: RoomRow) -> Room:
    return Room(
        row.name,
        row.email,
        row.capacity,
        row.pool,
        id=row.id,
        provider=row.provider,
        calendar_id=row.calendar_id,
    )


class SqlInvitations(_Repo):
    async def add(self, invitation: Invitation) -> None:
        self.s.add(InvitationRow(id=invitation.id, **_values(invitation)))
        await self.s.flush()

    async def save(self, invitation: Invitation) -> None:
        values = _values(invitation)
        values.pop("created_at")
        await self.s.execute(update(InvitationRow).where(InvitationRow.id == invitation.id).values(**values))

    async def _one(self, *where: Any, for_update: bool = False) -> Invitation | None:
        query = select(InvitationRow).where(*where)
        if for_update:
            query = query.with_for_update()
        row = (await self.s.execute(query)).scalar_one_or_none()
        return _invitation(row) if row else None

    async def get(self, invitation_id: str, *, for_update: bool = False) -> Invitation | None:
        return await self._one(InvitationRow.id == invitation_id, for_update=for_update)

    async def by_token_hash(self, token_hash: str, *, for_update: bool = False) -> Invitation | None:
        return await self._one(InvitationRow.token_hash == token_hash, for_update=for_update)

    async def by_meeting(self, meeting_id: str) -> Invitation | None:
        return await self._one(InvitationRow.meeting_id == meeting_id)

    async def of_organizer(self, organizer: str, status: str | None = None) -> list[Invitation]:
        # A member sees the invitations they attend too; JSON membership is checked here, in Python,
        # because SQLite and PostgreSQL spell JSON containment differently.
        query = select(InvitationRow).order_by(InvitationRow.created_at, InvitationRow.id)
        if status is not None:
            query = query.where(InvitationRow.status == status)
        rows = (await self.s.execute(query)).scalars()
        return [_invitation(r) for r in rows if r.organizer == organizer or organizer in r.members]

    async def rooms(self) -> list[Room]:
        rows = (await self.s.execute(select(RoomRow).order_by(RoomRow.name))).scalars()
        return [_room(r) for r in rows]

    async def add_room(self, room: Room) -> None:
        self.s.add(
            RoomRow(
                id=room.id,
                name=room.name,
                email=room.email,
                capacity=room.capacity,
                pool=room.pool,
                provider=room.provider,
                calendar_id=room.calendar_id,
                created_at=self._now(),
            )
        )
        try:
            await self.s.flush()
        except IntegrityError as error:
            raise Conflict("A room with that name or address exists.", code="room_exists") from error

    async def remove_room(self, name_or_email: str) -> bool:
        result = await self.s.execute(
            delete(RoomRow).where(or_(RoomRow.name == name_or_email, RoomRow.email == name_or_email))
        )
        return bool(getattr(result, "rowcount", 0))

    async def attendee_busy(
        self, keys: list[str], start: datetime, end: datetime, *, exclude: str | None = None
    ) -> dict[str, list[Interval]]:
        if not keys:
            return {}
        query = select(
            MeetingAttendeeRow.attendee, MeetingAttendeeRow.start_at, MeetingAttendeeRow.end_at
        ).where(
            MeetingAttendeeRow.attendee.in_(keys),
            MeetingAttendeeRow.status == "booked",
            MeetingAttendeeRow.start_at < end,
            MeetingAttendeeRow.end_at > start,
        )
        if exclude is not None:
            query = query.where(MeetingAttendeeRow.meeting_id != exclude)
        found: dict[str, list[Interval]] = defaultdict(list)
        for key, a, b in (await self.s.execute(query)).all():
            found[key].append(Interval(a, b))
        return dict(found)

    async def add_attendees(self, meeting_id: str, keys: list[str], start: datetime, end: datetime) -> None:
        for key in keys:
            self.s.add(MeetingAttendeeRow(meeting_id=meeting_id, attendee=key, start_at=start, end_at=end))
        try:
            await self.s.flush()
        except IntegrityError as error:
            if "meeting_attendees_no_overlap" in str(error.orig):
                raise SlotTaken("That time is no longer free.") from error
            raise

    async def attendees(self, meeting_id: str) -> list[MeetingAttendee]:
        rows = (
            await self.s.execute(
                select(MeetingAttendeeRow)
                .where(MeetingAttendeeRow.meeting_id == meeting_id)
                .order_by(MeetingAttendeeRow.attendee)
            )
        ).scalars()
        return [
            MeetingAttendee(r.meeting_id, r.attendee, r.calendar_provider, r.calendar_id, r.event_id)
            for r in rows
        ]

    async def record_event(
        self, meeting_id: str, key: str, provider: str | None, calendar_id: str | None, event_id: str | None
    ) -> None:
        await self.s.execute(
            update(MeetingAttendeeRow)
            .where(MeetingAttendeeRow.meeting_id == meeting_id, MeetingAttendeeRow.attendee == key)
            .values(calendar_provider=provider, calendar_id=calendar_id, event_id=event_id)
        )

    async def room_load(self, room_ids: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        if not room_ids:
            return {}
        recent = func.sum(case((MeetingRow.created_at >= since, 1), else_=0))
        query = (
            select(MeetingAttendeeRow.attendee, recent, func.max(MeetingRow.created_at))
            .join(MeetingRow, MeetingRow.id == MeetingAttendeeRow.meeting_id)
            .where(
                MeetingAttendeeRow.attendee.in_([f"room:{r}" for r in room_ids]),
                MeetingAttendeeRow.status == "booked",
            )
            .group_by(MeetingAttendeeRow.attendee)
        )
        rows = (await self.s.execute(query)).all()
        return {key.removeprefix("room:"): (int(count or 0), last) for key, count, last in rows}


async def follow_meeting(session: Any, meeting_id: str, start: datetime, end: datetime, status: str) -> None:
    """A meeting moved, resized or cancelled: its attendees' rows follow (``SqlMeetings.save``)."""
    await session.execute(
        update(MeetingAttendeeRow)
        .where(MeetingAttendeeRow.meeting_id == meeting_id)
        .values(start_at=start, end_at=end, status=status)
    )
