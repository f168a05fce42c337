"""Rooms of invitations through Microsoft 365 against the local fake Graph: a room mailbox's free time
comes from ``getSchedule`` with the room's address, a booking is written into the room's calendar, and a
room whose schedule cannot be read is never offered as free."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.calendars.microsoft.provider import MicrosoftCalendarProvider
from bot.bootstrap import Runtime, bootstrap
from bot.errors import DomainError
from bot.invitations.commands import AddRoom, BookInvitation, CreateInvitation, InvitationDraft
from bot.invitations.handlers import count_slots
from bot.model import Actor
from tests.conftest import DrivenClock

from .fake_microsoft import FakeGraph

ALICE = Actor("agent", "alice", "Alice")
ROOM = "oslo@rooms.contoso.com"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DRAFT = InvitationDraft(
    guest_name="Carl",
    guest_email="carl@customer.example",
    subject="Pricing call",
    duration=30,
    members=("alice",),
    rooms=("Oslo",),
    start_date=date(2026, 11, 24),
    end_date=date(2026, 11, 24),
    day_start="09:00",
    day_end="11:00",
    timezone="Europe/Berlin",
)


@pytest.fixture
async def runtime(
    sqlite_url: str, make_settings: Any, microsoft: MicrosoftCalendarProvider
) -> AsyncIterator[Runtime]:
    from bot.cli import demo

    rt = bootstrap(
        make_settings(sqlite_url, run_workers=False),
        clock=DrivenClock(NOW),
        calendars={"microsoft": microsoft},
    )
    await demo(rt)
    await rt.bus.handle(AddRoom("Oslo", ROOM, 8))
    yield rt
    await rt.storage.dispose()


async def test_a_room_mailboxs_schedule_decides_its_free_time_and_the_booking_lands_in_its_calendar(
    runtime: Runtime, fake_graph: FakeGraph
) -> None:
    fake_graph.users[ROOM] = "room-oslo"
    fake_graph.schedule_items[ROOM] = [
        {
            "status": "busy",
            "start": {"dateTime": "2026-11-24T08:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-24T09:00:00", "timeZone": "UTC"},
        }
    ]
    found = await count_slots(DRAFT, ALICE, runtime, runtime.clock)
    assert [s.isoformat() for s in found["slots"]] == [
        "2026-11-24T09:00:00+00:00",
        "2026-11-24T09:30:00+00:00",
    ]
    asked = [r for r in fake_graph.requests if r.path.endswith("/calendar/getSchedule")]
    assert asked and asked[-1].json["schedules"] == [ROOM]
    invitation = await runtime.bus.handle(CreateInvitation(DRAFT, ALICE))
    await runtime.bus.handle(BookInvitation(invitation.token, datetime(2026, 11, 24, 9, tzinfo=UTC)))
    while await runtime.jobs.run_due():
        pass
    created = [r for r in fake_graph.requests if r.method == "POST" and r.path.endswith("/events")]
    assert [r.path for r in created] == ["/v1.0/users/room-oslo/calendar/events"]
    assert created[0].json["subject"] == "Pricing call"


async def test_a_room_whose_schedule_cannot_be_read_is_never_free(
    runtime: Runtime, fake_graph: FakeGraph
) -> None:
    fake_graph.users[ROOM] = "room-oslo"
    fake_graph.schedule_errors.add(ROOM)
    with pytest.raises(DomainError) as error:
        await count_slots(DRAFT, ALICE, runtime, runtime.clock)
    assert (error.value.code, error.value.details["room"]) == ("calendar_unavailable", "Oslo")


async def test_a_moved_meeting_moves_its_event_in_the_room_mailbox(
    runtime: Runtime, fake_graph: FakeGraph
) -> None:
    from bot.meetings.commands import RescheduleMeeting

    fake_graph.users[ROOM] = "room-oslo"
    invitation = await runtime.bus.handle(CreateInvitation(DRAFT, ALICE))
    meeting = await runtime.bus.handle(
        BookInvitation(invitation.token, datetime(2026, 11, 24, 8, tzinfo=UTC))
    )
    while await runtime.jobs.run_due():
        pass
    await runtime.bus.handle(RescheduleMeeting(meeting.id, datetime(2026, 11, 24, 9, 30, tzinfo=UTC), ALICE))
    while await runtime.jobs.run_due():
        pass
    (moved,) = [r for r in fake_graph.seen("PATCH", "/users/room-oslo/") if "/events/" in r.path]
    assert moved.json["start"]["dateTime"].startswith("2026-11-24T09:30")
