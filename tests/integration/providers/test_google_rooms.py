"""Rooms whose calendar is a Google resource calendar, against the local fake Google: the room's free
time comes from ``freeBusy`` with its calendar id (read with the Google grant of a team member), the
booking is written into that calendar and moved with the meeting; a Google room without any
Google-connected member is never offered as free."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.calendars.google.provider import GoogleCalendarProvider
from bot.bootstrap import Runtime, bootstrap
from bot.calendars.connections import after_connect
from bot.errors import DomainError
from bot.invitations.commands import AddRoom, BookInvitation, CreateInvitation, InvitationDraft
from bot.invitations.handlers import count_slots
from bot.meetings.commands import RescheduleMeeting
from bot.model import Actor
from tests.conftest import DrivenClock

from .fake_google import FakeGoogle

ALICE = Actor("agent", "alice", "Alice")
RESOURCE = "c_188oslo@resource.calendar.google.com"
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
    sqlite_url: str, make_settings: Any, google: GoogleCalendarProvider, fake_google: FakeGoogle
) -> AsyncIterator[Runtime]:
    from bot.cli import demo

    rt = bootstrap(
        make_settings(sqlite_url, run_workers=False), clock=DrivenClock(NOW), calendars={"google": google}
    )
    await demo(rt)
    await rt.bus.handle(AddRoom("Oslo", "oslo@rooms.example.com", 8, provider="google", calendar_id=RESOURCE))
    fake_google.events.setdefault("primary", [])
    yield rt
    await rt.storage.dispose()


async def connect_alice(runtime: Runtime) -> None:
    grant = {"token": "valid-token", "refresh_token": "refresh-1", "expiry": "2999-01-01T00:00:00+00:00"}
    async with runtime.uow() as uow:
        await uow.calendar_connections.connect(
            "alice", "google", account_email="alice@example.com", credentials=grant
        )
        await after_connect(uow, "alice", NOW)
        await uow.commit()


async def run_jobs(runtime: Runtime) -> None:
    while await runtime.jobs.run_due():
        pass


async def test_a_google_resource_calendar_decides_the_rooms_free_time_and_receives_the_booking(
    runtime: Runtime, fake_google: FakeGoogle
) -> None:
    await connect_alice(runtime)
    fake_google.freebusy[RESOURCE] = [{"start": "2026-11-24T08:00:00Z", "end": "2026-11-24T09:00:00Z"}]
    found = await count_slots(DRAFT, ALICE, runtime, runtime.clock)
    assert [s.isoformat() for s in found["slots"]] == [
        "2026-11-24T09:00:00+00:00",
        "2026-11-24T09:30:00+00:00",
    ]
    asked = [r.json for r in fake_google.seen("POST", "/freeBusy")]
    assert {"id": RESOURCE} in asked[-1]["items"]
    invitation = await runtime.bus.handle(CreateInvitation(DRAFT, ALICE))
    meeting = await runtime.bus.handle(
        BookInvitation(invitation.token, datetime(2026, 11, 24, 9, tzinfo=UTC))
    )
    await run_jobs(runtime)
    (event,) = fake_google.events[RESOURCE]
    assert event["summary"] == "Pricing call" and event["start"]["dateTime"].startswith("2026-11-24T09:00")
    # Moved from the inbox: the room's event moves too, and its busy time (not the meeting's) is checked.
    runtime.clock.set(NOW)  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as taken:
        await runtime.bus.handle(
            RescheduleMeeting(meeting.id, datetime(2026, 11, 24, 8, 30, tzinfo=UTC), ALICE)
        )
    assert taken.value.code == "slot_taken"  # the resource calendar is busy until 09:00 UTC
    await runtime.bus.handle(RescheduleMeeting(meeting.id, datetime(2026, 11, 24, 13, tzinfo=UTC), ALICE))
    await run_jobs(runtime)
    (moved,) = [e for e in fake_google.events[RESOURCE] if e["status"] != "cancelled"]
    assert moved["start"]["dateTime"].startswith("2026-11-24T13:00")  # rooms keep UTC
    assert fake_google.seen("PATCH", f"/calendars/{RESOURCE}/events/")


async def test_a_google_room_without_a_google_connected_member_is_never_free(runtime: Runtime) -> None:
    with pytest.raises(DomainError) as error:
        await count_slots(DRAFT, ALICE, runtime, runtime.clock)
    assert (error.value.code, error.value.details["room"]) == ("calendar_unavailable", "Oslo")
    assert "no team member is connected to Google" in error.value.message


@pytest.mark.parametrize(
    "provider, calendar_id, code",
    [
        ("exchange", None, "invalid_provider"),
        ("microsoft", "c_1@resource.calendar.google.com", "invalid_calendar_id"),
    ],
)
async def test_a_room_names_a_known_calendar_kind(
    runtime: Runtime, provider: str, calendar_id: str | None, code: str
) -> None:
    with pytest.raises(DomainError) as error:
        await runtime.bus.handle(
            AddRoom("Rome", "rome@rooms.example.com", provider=provider, calendar_id=calendar_id)
        )
    assert error.value.code == code
