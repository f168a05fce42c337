"""Calendars behind the booking: a calendar that cannot be read is never guessed free, and a
calendar that cannot be written delays the event, never the booking."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from adapters.web.app import make_app
from bot.bootstrap import bootstrap
from bot.cli import demo
from scheduling.calendar import CalendarAccount, EventSpec, Interval
from scheduling.errors import CalendarUnavailable
from storage.models import MeetingRow
from tests.integration.meetings_support import book, drain, guest

NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)


class FakeCalendar:
    """A calendar source: alice's calendar is down; bob is busy Monday 09:00–10:00 Berlin."""

    name = "local"

    def __init__(self) -> None:
        self.down: set[str] = {"alice"}
        self.failing_writes = 0
        self.events: dict[str, EventSpec] = {}

    async def busy(
        self, account: CalendarAccount, calendars: Any, start: datetime, end: datetime
    ) -> list[Interval]:
        if account.agent_slug in self.down:
            raise CalendarUnavailable(message="calendar is down")
        if account.agent_slug == "bob":
            return [Interval(datetime(2026, 10, 26, 8, tzinfo=UTC), datetime(2026, 10, 26, 9, tzinfo=UTC))]
        return []

    async def list_calendars(self, account: CalendarAccount) -> list[Any]:
        return []

    async def create_event(self, account: CalendarAccount, calendar_id: str, spec: EventSpec) -> str:
        if self.failing_writes:
            self.failing_writes -= 1
            raise CalendarUnavailable(message="write failed")
        self.events[f"ev-{spec.meeting_id}"] = spec
        return f"ev-{spec.meeting_id}"

    async def update_event(
        self, account: CalendarAccount, calendar_id: str, event_id: str, spec: EventSpec
    ) -> None:
        self.events[event_id] = spec

    async def delete_event(self, account: CalendarAccount, calendar_id: str, event_id: str) -> None:
        self.events.pop(event_id, None)

    async def working_hours(self, account: CalendarAccount) -> None:
        return None


@pytest.fixture
async def setup(database_url: str, make_settings: Any, clock: Any) -> Any:
    clock.set(NOW)
    fake = FakeCalendar()
    runtime = bootstrap(
        make_settings(database_url, run_workers=False), clock=clock, calendars={"local": fake}
    )
    await demo(runtime)
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        client.runtime = runtime
        yield client, fake
    await runtime.storage.dispose()


@pytest.mark.parametrize(
    "path, status, expect",
    [
        ("/api/agents/alice/slots", 503, "calendar_unavailable"),
        ("/api/agents/bob/slots", 200, "2026-10-26T09:00:00Z"),  # 09:00–10:00 Berlin is busy
        ("/api/services/sales/slots", 200, "2026-10-26T09:00:00Z"),  # only bob could be read
    ],
)
async def test_an_unreadable_calendar_offers_nothing(setup: Any, path: str, status: int, expect: str) -> None:
    client, _ = setup
    r = await client.get(
        path, params={"start": "2026-10-26", "end": "2026-10-26", "duration": "30", "tz": "UTC"}
    )
    body = await r.json()
    assert r.status == status
    if status == 503:
        assert body["code"] == expect
    else:
        assert body["slots"][0]["start"] == expect
    if "services" in path:
        assert body["unavailable"] == ["alice"]
        assert all(s["members"] == ["bob"] for s in body["slots"])


async def test_booking_with_an_unreadable_calendar_is_refused_and_a_service_books_around_it(
    setup: Any,
) -> None:
    client, _ = setup
    ann = await guest(client)
    r = await book(client, ann, "2026-10-26T10:00:00Z")
    assert (r.status, (await r.json())["code"]) == (503, "calendar_unavailable")
    r = await book(client, ann, "2026-10-26T10:00:00Z", service="sales")
    assert r.status == 201 and (await r.json())["meeting"]["agent"] == "bob"


async def test_a_failed_calendar_write_is_retried_and_the_booking_stands(setup: Any) -> None:
    client, fake = setup
    fake.down.clear()
    fake.failing_writes = 1
    r = await book(client, await guest(client), "2026-10-26T10:00:00Z")
    assert r.status == 201
    meeting_id = (await r.json())["meeting"]["id"]
    runtime = client.runtime
    await drain(runtime)  # the first write fails: the job is retried later
    assert fake.events == {}
    runtime.clock.advance(minutes=10)
    await drain(runtime)
    assert list(fake.events) == [f"ev-{meeting_id}"]
    async with runtime.storage.session() as s:
        row = (await s.execute(select(MeetingRow).where(MeetingRow.id == meeting_id))).scalar_one()
    assert (row.status, row.calendar_provider, row.external_event_id) == (
        "booked",
        "local",
        f"ev-{meeting_id}",
    )
    r = await client.delete(f"/api/guest/meetings/{meeting_id}", headers=await guest(client))
    assert r.status == 404  # another guest


class HangingCalendar(FakeCalendar):
    """Alice's calendar neither answers nor fails: a provider stuck in its own retries."""

    def __init__(self) -> None:
        super().__init__()
        self.down = set()
        self.never = asyncio.Event()

    async def busy(
        self, account: CalendarAccount, calendars: Any, start: datetime, end: datetime
    ) -> list[Interval]:
        if account.agent_slug == "alice":
            await self.never.wait()
        return await super().busy(account, calendars, start, end)


async def test_a_hanging_calendar_is_given_up_on_and_the_service_lists_the_others(
    sqlite_url: str, make_settings: Any, clock: Any
) -> None:
    clock.set(NOW)
    runtime = bootstrap(
        make_settings(sqlite_url, run_workers=False, calendar_deadline_seconds=0.2),
        clock=clock,
        calendars={"local": HangingCalendar()},
    )
    await demo(runtime)
    params = {"start": "2026-10-26", "end": "2026-10-26", "duration": "30", "tz": "Europe/Berlin"}
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        service = await client.get("/api/services/sales/slots", params=params)
        assert service.status == 200
        body = await service.json()
        assert body["unavailable"] == ["alice"]
        assert body["slots"] and all(s["members"] == ["bob"] for s in body["slots"])
        alone = await client.get("/api/agents/alice/slots", params=params)
        assert alone.status == 503 and (await alone.json())["code"] == "calendar_unavailable"
    await runtime.storage.dispose()
