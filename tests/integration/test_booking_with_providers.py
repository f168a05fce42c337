# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""The booking flow with Google Calendar and Microsoft 365 plugged in (real client libraries against
the local fakes): busy time decides the slots, bookings are written, moved and deleted remotely
(outside the database transaction, idempotently), broken grants withhold slots and mail the agent
once, and changes made in the calendar come back as notices in the conversation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.ports import JobItem
from storage.models import CalendarConnectionRow, MeetingRow
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    VALID_GRANT,
    connect,
    fake_authority,
    fake_graph,
    loopback_only,
    mails,
    product,
    product_url,
)
from tests.integration.meetings_support import agent, book, drain, guest, thread
from tests.integration.providers.fake_google import FakeGoogle


class GatedGoogle(FakeGoogle):
    """Google whose event inserts can be held at a gate, to see what we hold meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived, self.gate = asyncio.Event(), asyncio.Event()
        self.gate.set()

    async def events_insert(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.gate.wait()
        return await super().events_insert(request)


@pytest.fixture
async def fake_google() -> AsyncIterator[GatedGoogle]:
    server = GatedGoogle()
    await server.start()
    yield server
    await server.stop()


NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday; Berlin is UTC+1
DAY = {"start": "2026-11-24", "end": "2026-11-24", "duration": "30", "tz": "UTC"}


def timed(eid: str, start: str, end: str, status: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": eid,
        "status": "confirmed",
        "start": {"dateTime": start},
        "end": {"dateTime": end},
    }
    if status:
        event["attendees"] = [
            {"email": "boss@example.com", "organizer": True, "responseStatus": "accepted"},
            {"email": "alice@example.com", "self": True, "responseStatus": status},
        ]
    return event


async def starts(client: Any, path: str = "/api/agents/alice/slots") -> list[str]:
    r = await client.get(path, params=DAY)
    assert r.status == 200, await r.text()
    return [s["start"][11:16] for s in (await r.json())["slots"]]


async def meeting_row(runtime: Any, meeting_id: str) -> MeetingRow:
    async with runtime.storage.session() as s:
        return (await s.execute(select(MeetingRow).where(MeetingRow.id == meeting_id))).scalar_one()


async def test_google_busy_time_decides_and_bookings_are_written_moved_and_deleted(product: Any) -> None:
    client, runtime, google = product, product.runtime, product.google
    runtime.clock.set(NOW)
    await connect(runtime, "alice")
    google.events["primary"] = [
        timed("accepted", "2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00", "accepted"),
        timed("tentative", "2026-11-24T11:00:00+01:00", "2026-11-24T11:30:00+01:00", "tentative"),
        timed("unanswered", "2026-11-24T14:00:00+01:00", "2026-11-24T15:00:00+01:00", "needsAction"),
        timed("declined", "2026-11-24T15:00:00+01:00", "2026-11-24T16:00:00+01:00", "declined"),
    ]
    free = await starts(client)
    assert {"09:00", "09:30", "10:00"}.isdisjoint(free)  # accepted and tentative block
    assert {"08:00", "08:30", "10:30", "13:00", "13:30", "14:00", "14:30"} <= set(free)

    ann = await guest(client)
    r = await book(client, ann, "2026-11-24T13:00:00Z")  # inside the unanswered invitation
    assert r.status == 201, await r.text()
    meeting_id = (await r.json())["meeting"]["id"]
    await drain(runtime)
    (insert,) = google.seen("POST", "/calendar/v3/calendars/primary/events")
    assert insert.query["sendUpdates"] == "none"
    assert insert.json["extendedProperties"]["private"]["convene_meeting_id"] == meeting_id
    assert insert.json["start"] == {"dateTime": "2026-11-24T14:00:00", "timeZone": "Europe/Berlin"}
    assert {a["email"] for a in insert.json["attendees"]} == {"alice@example.com", "ann@example.org"}
    row = await meeting_row(runtime, meeting_id)
    assert (row.calendar_provider, row.external_event_id) == ("google", insert.json["id"])

    r = await client.patch(
        f"/api/guest/meetings/{meeting_id}", json={"start": "2026-11-24T14:30:00Z"}, headers=ann
    )
    assert r.status == 200, await r.text()
    await drain(runtime)
    (patch,) = google.seen("PATCH", f"/events/{row.external_event_id}")
    assert patch.json["start"]["dateTime"] == "2026-11-24T15:30:00"

    r = await client.delete(f"/api/guest/meetings/{meeting_id}", headers=ann)
    assert r.status == 200
    await drain(runtime)
    assert len(google.seen("DELETE", f"/events/{row.external_event_id}")) == 1
    assert (await meeting_row(runtime, meeting_id)).external_event_id is None


async def test_a_write_lost_before_its_commit_is_repeated_without_a_second_event(product: Any) -> None:
    client, runtime, google = product, product.runtime, product.google
    runtime.clock.set(NOW)
    await connect(runtime, "alice")
    r = await book(client, await guest(client), "2026-11-24T09:00:00Z")
    meeting_id = (await r.json())["meeting"]["id"]
    # The remote create happens, then the process dies before recording it: the finish step is lost.
    prepare = runtime.jobs.prepares["calendar_write"]
    assert await prepare(
        JobItem(0, "calendar_write", None, {"meeting_id": meeting_id}, NOW, 1), runtime.clock
    )
    await drain(runtime)  # the job itself runs again
    assert len(google.events["primary"]) == 1
    assert len(google.seen("POST", "/events")) == 2 and len(google.seen("PATCH", "/events/")) == 1  # 409
    assert (await meeting_row(runtime, meeting_id)).external_event_id == google.events["primary"][0]["id"]


async def test_the_database_is_free_while_a_calendar_write_waits_on_google(product: Any) -> None:
    client, runtime, google = product, product.runtime, product.google
    runtime.clock.set(NOW)
    await connect(runtime, "alice")
    await book(client, await guest(client), "2026-11-24T09:00:00Z")
    google.gate.clear()
    writing = asyncio.create_task(runtime.jobs.run_due())
    await asyncio.wait_for(google.arrived.wait(), 10)
    # Google is holding the write; a guest can still start a session (a database write) meanwhile.
    r = await asyncio.wait_for(client.post("/api/guest/sessions", json={"name": "Ben"}), 10)
    assert r.status == 201
    google.gate.set()
    await asyncio.wait_for(writing, 10)
    assert len(google.events["primary"]) == 1


async def test_an_expired_grant_withholds_slots_breaks_the_connection_and_mails_once(product: Any) -> None:
    client, runtime, google = product, product.runtime, product.google
    runtime.clock.set(NOW)
    await connect(
        runtime,
        "alice",
        credentials={"token": "expired", "refresh_token": "revoked-refresh", "expiry": "2000-01-01T00:00:00"},
    )
    for _ in range(2):
        r = await client.get("/api/agents/alice/slots", params=DAY)
        assert (r.status, (await r.json())["code"]) == (503, "calendar_unavailable")
    assert len(google.seen("POST", "/token")) == 1  # once broken, the provider is not asked again
    async with runtime.storage.session() as s:
        assert (await s.execute(select(CalendarConnectionRow.status))).scalar_one() == "broken"
    r = await book(client, await guest(client), "2026-11-24T09:00:00Z")
    assert (r.status, (await r.json())["code"]) == (503, "calendar_unavailable")
    # A service offers the members it can read.
    r = await client.get("/api/services/sales/slots", params=DAY)
    body = await r.json()
    assert body["unavailable"] == ["alice"] and all(s["members"] == ["bob"] for s in body["slots"])

    await drain(runtime)
    (mail,) = mails(runtime, "disconnected")
    assert mail["To"] == "Alice <alice@example.com>"
    assert "http://convene.test/calendar/google/connect?link=" in mail.get_body(("plain",)).get_content()
    r = await client.get("/api/agent/settings", headers=await _agent(runtime))
    assert (await r.json())["calendar"]["status"] == "broken"

    # Reconnecting resets it.
    await connect(runtime, "alice", credentials=VALID_GRANT)
    assert (await client.get("/api/agents/alice/slots", params=DAY)).status == 200


async def _agent(runtime: Any, slug: str = "alice") -> dict[str, str]:
    return await agent(runtime, slug)


async def test_google_changes_made_in_the_calendar_become_notices(product: Any) -> None:
    client, runtime, google = product, product.runtime, product.google
    runtime.clock.set(NOW)
    await connect(runtime, "alice")
    ann = await guest(client)
    r = await book(client, ann, "2026-11-24T09:00:00Z")
    meeting = (await r.json())["meeting"]
    await drain(runtime)  # writes the event; the first sync round lists it unchanged: a no-op
    (event,) = google.events["primary"]
    before = await thread(client, ann, meeting["conversation_id"])
    assert not any("rescheduled" in t.lower() or "cancel" in t.lower() for t in before), before

    moved = {
        **event,
        "start": {"dateTime": "2026-11-24T11:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-24T11:30:00", "timeZone": "Europe/Berlin"},
    }
    google.sync_pages["sync-full"] = ([moved], "sync-2")
    runtime.clock.advance(minutes=5)
    await drain(runtime)
    notices = await thread(client, ann, meeting["conversation_id"])
    assert any("rescheduled" in t.lower() for t in notices), notices
    row = await meeting_row(runtime, meeting["id"])
    assert row.start_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert google.seen("PATCH", "/events/") == []  # not written back

    google.sync_pages["sync-2"] = ([{"id": event["id"], "status": "cancelled"}], "sync-3")
    runtime.clock.advance(minutes=5)
    await drain(runtime)
    assert (await meeting_row(runtime, meeting["id"])).status == "cancelled"
    assert any("cancel" in t.lower() for t in await thread(client, ann, meeting["conversation_id"]))
    assert google.seen("DELETE", "/events/") == []


async def test_microsoft_busy_time_bookings_and_outlook_changes(product: Any) -> None:
    client, runtime, graph = product, product.runtime, product.graph
    runtime.clock.set(NOW)
    await connect(runtime, "alice", "microsoft", external_user_id="user-alice")
    headers = await _agent(runtime)
    r = await client.put(
        "/api/agent/settings",
        json={
            "timezone": "Europe/Berlin",
            "working_hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "booking_calendars": ["cal-work"],
            "busy_calendars": ["primary"],
        },
        headers=headers,
    )
    assert r.status == 200

    def item(status: str, start: str, end: str) -> dict[str, Any]:
        return {
            "status": status,
            "start": {"dateTime": start, "timeZone": "UTC"},
            "end": {"dateTime": end, "timeZone": "UTC"},
        }

    graph.schedule_items["alice@example.com"] = [
        item("busy", "2026-11-24T08:00:00.0000000", "2026-11-24T09:00:00.0000000"),
        item("tentative", "2026-11-24T09:00:00.0000000", "2026-11-24T09:30:00.0000000"),
        item("free", "2026-11-24T10:00:00.0000000", "2026-11-24T11:00:00.0000000"),
    ]
    free = await starts(client)
    assert {"08:00", "08:30", "09:00"}.isdisjoint(free) and {"09:30", "10:00", "10:30"} <= set(free)

    ann = await guest(client)
    r = await book(client, ann, "2026-11-24T10:00:00Z")
    meeting = (await r.json())["meeting"]
    await drain(runtime)
    (create,) = graph.seen("POST", "/v1.0/users/user-alice/calendars/cal-work/events")
    assert create.json["transactionId"] == f"convene-{meeting['id']}-0"
    assert create.json["start"] == {"dateTime": "2026-11-24T11:00:00", "timeZone": "W. Europe Standard Time"}
    event_id = (await meeting_row(runtime, meeting["id"])).external_event_id
    assert event_id in graph.created

    r = await client.patch(
        f"/api/guest/meetings/{meeting['id']}", json={"start": "2026-11-24T10:30:00Z"}, headers=ann
    )
    assert r.status == 200
    await drain(runtime)
    assert graph.created[event_id]["start"]["dateTime"] == "2026-11-24T11:30:00"

    # Outlook: the agent moves it to 14:00 UTC (delta round "d1" after the initial full round).
    graph.delta_rounds["d1"] = [
        {
            "id": event_id,
            "transactionId": f"convene-{meeting['id']}-0",
            "start": {"dateTime": "2026-11-24T14:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-24T14:30:00.0000000", "timeZone": "UTC"},
        }
    ]
    runtime.clock.advance(minutes=5)
    await drain(runtime)
    assert (await meeting_row(runtime, meeting["id"])).start_at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert any("rescheduled" in t.lower() for t in await thread(client, ann, meeting["conversation_id"]))
    patches = len(graph.seen("PATCH", "/events/"))

    graph.delta_rounds["d2"] = [{"id": event_id, "@removed": {"reason": "deleted"}}]
    runtime.clock.advance(minutes=5)
    await drain(runtime)
    assert (await meeting_row(runtime, meeting["id"])).status == "cancelled"
    assert graph.seen("DELETE", "/events/") == [] and len(graph.seen("PATCH", "/events/")) == patches
