"""An in-memory ``uow.invitations`` and the FakeEngine with the invitation handlers registered; kept here
so the shared fakes stay untouched until the port is merged.

Like PostgreSQL's ``meeting_attendees_no_overlap``, ``add_attendees`` refuses a booked overlap of one
attendee with ``SlotTaken``: the engine's own check comes first, and a test that slips past it fails loudly.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot import invitations
from bot.errors import SlotTaken
from bot.invitations.model import Invitation, MeetingAttendee, Room
from scheduling.calendar import Interval
from tests.conftest import DrivenClock
from tests.fakes import FakeEngine, FakeState, FakeUnitOfWork, FakeUnitOfWorkFactory


class FakeInvitations:
    def __init__(self, state: FakeState) -> None:
        self.st: Any = state

    async def add(self, invitation: Invitation) -> None:
        self.st.invitations[invitation.id] = replace(copy.deepcopy(invitation), token="")  # as stored

    async def save(self, invitation: Invitation) -> None:
        self.st.invitations[invitation.id] = replace(copy.deepcopy(invitation), token="")

    async def get(self, invitation_id: str, *, for_update: bool = False) -> Invitation | None:
        return copy.deepcopy(self.st.invitations.get(invitation_id))

    async def by_token_hash(self, token_hash: str, *, for_update: bool = False) -> Invitation | None:
        found = (i for i in self.st.invitations.values() if i.token_hash == token_hash)
        return next((copy.deepcopy(i) for i in found), None)

    async def by_meeting(self, meeting_id: str) -> Invitation | None:
        return next(
            (copy.deepcopy(i) for i in self.st.invitations.values() if i.meeting_id == meeting_id), None
        )

    async def of_organizer(self, organizer: str, status: str | None = None) -> list[Invitation]:
        found = [
            i
            for i in self.st.invitations.values()
            if (i.organizer == organizer or organizer in i.members) and (status is None or i.status == status)
        ]
        return [copy.deepcopy(i) for i in sorted(found, key=lambda i: (i.created_at, i.id))]

    async def rooms(self) -> list[Room]:
        return sorted((copy.deepcopy(r) for r in self.st.rooms.values()), key=lambda r: r.name)

    async def add_room(self, room: Room) -> None:
        self.st.rooms[room.id] = copy.deepcopy(room)

    async def remove_room(self, name_or_email: str) -> bool:
        for room in list(self.st.rooms.values()):
            if name_or_email in (room.name, room.email):
                del self.st.rooms[room.id]
                return True
        return False

    def _booked(self, row: dict[str, Any]) -> bool:
        meeting = self.st.meetings.get(row["meeting_id"])
        if meeting is not None:  # as SqlMeetings.save does: an attendee's row follows its meeting
            row["start"], row["end"] = meeting.start, meeting.end
        return meeting is not None and meeting.booked

    async def attendee_busy(
        self, keys: list[str], start: datetime, end: datetime, *, exclude: str | None = None
    ) -> dict[str, list[Interval]]:
        found: dict[str, list[Interval]] = {}
        for row in self.st.attendees:
            if row["meeting_id"] == exclude:
                continue
            if self._booked(row) and row["key"] in keys and row["start"] < end and row["end"] > start:
                found.setdefault(row["key"], []).append(Interval(row["start"], row["end"]))
        return found

    async def add_attendees(self, meeting_id: str, keys: list[str], start: datetime, end: datetime) -> None:
        for row in self.st.attendees:
            if self._booked(row) and row["key"] in keys and row["start"] < end and start < row["end"]:
                raise SlotTaken("That time is no longer free.")
        self.st.attendees.extend(
            {"meeting_id": meeting_id, "key": k, "start": start, "end": end} for k in keys
        )

    async def attendees(self, meeting_id: str) -> list[MeetingAttendee]:
        rows = sorted((r for r in self.st.attendees if r["meeting_id"] == meeting_id), key=lambda r: r["key"])
        return [
            MeetingAttendee(meeting_id, r["key"], r.get("provider"), r.get("calendar_id"), r.get("event_id"))
            for r in rows
        ]

    async def record_event(
        self, meeting_id: str, key: str, provider: str | None, calendar_id: str | None, event_id: str | None
    ) -> None:
        for row in self.st.attendees:
            if row["meeting_id"] == meeting_id and row["key"] == key:
                row.update(provider=provider, calendar_id=calendar_id, event_id=event_id)

    async def room_load(self, room_ids: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        found: dict[str, tuple[int, datetime | None]] = {}
        for row in self.st.attendees:
            room = row["key"].removeprefix("room:")
            meeting = self.st.meetings.get(row["meeting_id"])
            if room not in room_ids or meeting is None or not meeting.booked:
                continue
            count, last = found.get(room, (0, None))
            created = meeting.created_at
            if created is not None and (last is None or created > last):
                last = created
            found[room] = (count + int(created is not None and created >= since), last)
        return found


class InvitationUnitOfWork(FakeUnitOfWork):
    async def __aenter__(self) -> InvitationUnitOfWork:
        await super().__aenter__()
        self.state.__dict__.setdefault("invitations", {})
        self.state.__dict__.setdefault("rooms", {})
        self.state.__dict__.setdefault("attendees", [])
        self.invitations = FakeInvitations(self.state)
        return self


class InvitationUnitOfWorkFactory(FakeUnitOfWorkFactory):
    def __call__(self, *, read_only: bool = False) -> InvitationUnitOfWork:
        return InvitationUnitOfWork(self.state, self.clock.now if self.clock else None)


class JobKinds:
    """What ``register(runtime)`` registers jobs on; the fakes run no jobs, they only list them."""

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}

    def register(self, kind: str, handler: Any, *, prepare: Any = None) -> None:
        self.handlers[kind] = (handler, prepare)


class InvitationEngine(FakeEngine):
    """FakeEngine whose units of work also hold invitations, rooms and attendees."""

    def __init__(self, clock: DrivenClock | None = None) -> None:
        super().__init__(clock)
        self.jobs = JobKinds()
        self.uows = InvitationUnitOfWorkFactory(self.clock)
        self.state = self.uows.state
        self.bus.uow_factory = self.uows
        invitations.register(self)

    def uow(self, *, read_only: bool = False) -> InvitationUnitOfWork:
        return self.uows(read_only=read_only)
