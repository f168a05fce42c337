"""Meetings through the HTTP API, on SQLite and PostgreSQL: slots, booking, changes from both sides,
notices in the thread, mails with .ics, and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from tests.integration.meetings_support import agent, book, drain, guest, meeting_mails, thread, vevent

# Monday before the week in which Europe/Berlin leaves summer time (Sunday 2026-10-25).
NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)
MON_0900_BERLIN = "2026-10-26T08:00:00Z"  # CET, UTC+1
FRI_0900_BERLIN = "2026-10-23T07:00:00Z"  # CEST, UTC+2


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def slots(client: Any, path: str, **query: Any) -> tuple[int, Any]:
    params = {"duration": "30", **{k: str(v) for k, v in query.items()}}
    r = await client.get(path, params=params)
    return r.status, await r.json()


@pytest.mark.parametrize(
    "tz, day, first_utc, first_local, count",
    [
        ("Europe/Berlin", "2026-10-23", "2026-10-23T07:00:00Z", "2026-10-23T09:00:00+02:00", 14),
        ("Europe/Berlin", "2026-10-25", None, None, 0),  # Sunday, the DST change itself
        ("Europe/Berlin", "2026-10-26", "2026-10-26T08:00:00Z", "2026-10-26T09:00:00+01:00", 14),
        # New York changes a week later: Berlin's 09:00 is 03:00 there before the 25th, 04:00 after.
        ("America/New_York", "2026-10-23", "2026-10-23T07:00:00Z", "2026-10-23T03:00:00-04:00", 14),
        ("America/New_York", "2026-10-26", "2026-10-26T08:00:00Z", "2026-10-26T04:00:00-04:00", 14),
    ],
)
async def test_agent_slots_in_the_dst_week(
    client: Any, tz: str, day: str, first_utc: Any, first_local: Any, count: int
) -> None:
    status, body = await slots(client, "/api/agents/alice/slots", start=day, end=day, tz=tz)
    assert status == 200
    assert len(body["slots"]) == count
    if count:
        assert body["slots"][0] == {"start": first_utc, "local": first_local}
        # lunch 13:00–14:00 Berlin is never offered
        assert all(not s["local"].startswith(f"{day}T13:") for s in body["slots"] if tz == "Europe/Berlin")


async def test_service_slots_are_the_union_and_say_who_is_free(client: Any) -> None:
    ann = await guest(client)
    assert (await book(client, ann, MON_0900_BERLIN)).status == 201
    status, body = await slots(
        client, "/api/services/sales/slots", start="2026-10-26", end="2026-10-26", tz="Europe/Berlin"
    )
    assert status == 200
    assert body["unavailable"] == []
    assert [(s["start"], s["members"]) for s in body["slots"][:2]] == [
        (MON_0900_BERLIN, ["bob"]),
        ("2026-10-26T08:30:00Z", ["alice", "bob"]),
    ]


@pytest.mark.parametrize(
    "path, query, status, code",
    [
        ("/api/agents/alice/slots", {"start": "2026-13-01"}, 400, "invalid_date"),
        ("/api/agents/alice/slots", {"start": "26.10.2026"}, 400, "invalid_date"),
        ("/api/agents/alice/slots", {"start": "2026-10-26", "end": "2026-10-20"}, 400, "invalid_range"),
        ("/api/agents/alice/slots", {"start": "2026-10-26", "end": "2027-10-26"}, 400, "invalid_range"),
        ("/api/agents/alice/slots", {"duration": "5"}, 400, "invalid_duration"),
        ("/api/agents/alice/slots", {"duration": "half an hour"}, 400, "invalid_duration"),
        ("/api/agents/alice/slots", {"duration": "45"}, 400, "invalid_duration"),  # not one alice offers
        ("/api/agents/alice/slots", {"tz": "Mars/Olympus"}, 400, "invalid_timezone"),
        ("/api/services/sales/slots", {"tz": "Nowhere"}, 400, "invalid_timezone"),
        ("/api/agents/zed/slots", {}, 404, "unknown_agent"),
        ("/api/services/marketing/slots", {}, 404, "unknown_service"),
    ],
)
async def test_bad_slot_requests_are_refused(
    client: Any, path: str, query: dict[str, str], status: int, code: str
) -> None:
    got, body = await slots(client, path, **query)
    assert (got, body["code"]) == (status, code)


async def test_booking_posts_a_notice_reuses_the_conversation_and_mails_both(client: Any) -> None:
    ann = await guest(client)
    # Ann chatted with Alice first: the booking lands in that same conversation.
    r = await client.post(
        "/api/guest/conversations", json={"agent": "alice", "text": "Hi", "client_id": "c1"}, headers=ann
    )
    chat = (await r.json())["conversation"]["id"]
    first = await book(client, ann, MON_0900_BERLIN)
    assert first.status == 201
    meeting = (await first.json())["meeting"]
    second = await book(client, ann, "2026-10-26T09:00:00Z", subject="Follow-up")
    assert second.status == 201
    assert {meeting["conversation_id"], (await second.json())["meeting"]["conversation_id"]} == {chat}
    assert (meeting["agent"], meeting["start"], meeting["end"], meeting["sequence"]) == (
        "alice",
        MON_0900_BERLIN,
        "2026-10-26T08:30:00Z",
        0,
    )
    assert (await thread(client, ann, chat))[-2:] == [
        "Meeting booked: Demo, Mon 26 Oct 2026 09:00–09:30 (Europe/Berlin) · 08:00–08:30 UTC, with Alice.",
        "Meeting booked: Follow-up, Mon 26 Oct 2026 10:00–10:30 (Europe/Berlin) · 09:00–09:30 UTC, with Alice.",
    ]
    await drain(client.runtime)
    mails = [m for m in meeting_mails(client.runtime) if "Demo" in m.subject]
    assert sorted(m.to for m in mails) == ["Alice <alice@example.com>", "Ann <ann@example.org>"]
    for mail in mails:
        event = vevent(mail.ics)
        assert mail.method == "REQUEST"
        assert event["DTSTART"].dt == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
        assert event["DTEND"].dt == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)
        assert int(event["SEQUENCE"]) == 0
        assert "calendar.google.com" in mail.text and "Add to Google Calendar" in mail.html
    # The calendar job wrote the event to Alice's local calendar; her .ics feed shows it.
    alice = await agent(client.runtime, "alice")
    feed_url = (await (await client.get("/api/agent/settings", headers=alice)).json())["calendar_feed_url"]
    feed = await client.get(feed_url.replace("http://convene.test", ""))
    assert feed.status == 200 and "SUMMARY:Demo" in await feed.text()
    assert (await client.get(feed_url.replace("http://convene.test", "")[:-8] + "0000.ics")).status == 404


async def test_a_guest_in_new_york_sees_both_zones_in_the_notice(client: Any) -> None:
    ben = await guest(client, "Ben", "ben@example.org", timezone="America/New_York")
    r = await book(client, ben, FRI_0900_BERLIN)
    assert r.status == 201
    meeting = (await r.json())["meeting"]
    assert (await thread(client, ben, meeting["conversation_id"]))[-1] == (
        "Meeting booked: Demo, Fri 23 Oct 2026 09:00–09:30 (Europe/Berlin) · 03:00–03:30 America/New_York, with Alice."
    )


async def test_idempotency_key_returns_the_same_meeting(client: Any) -> None:
    ann = await guest(client)
    headers = {**ann, "Idempotency-Key": "k-1"}
    first = await book(client, headers, MON_0900_BERLIN)
    again = await book(client, headers, MON_0900_BERLIN)
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["meeting"]["id"] == (await again.json())["meeting"]["id"]
    assert len((await (await client.get("/api/guest/meetings", headers=ann)).json())["meetings"]) == 1


async def test_a_taken_slot_answers_409_with_alternatives_and_writes_nothing(client: Any) -> None:
    ann, ben = await guest(client), await guest(client, "Ben", "ben@example.org")
    assert (await book(client, ann, MON_0900_BERLIN)).status == 201
    r = await book(client, ben, MON_0900_BERLIN)
    assert r.status == 409
    body = await r.json()
    assert body["code"] == "slot_taken"
    assert body["alternatives"][:3] == [
        "2026-10-26T08:30:00Z",
        "2026-10-26T09:00:00Z",
        "2026-10-26T09:30:00Z",
    ]
    assert (await (await client.get("/api/guest/meetings", headers=ben)).json())["meetings"] == []
    assert (await (await client.get("/api/guest/conversations", headers=ben)).json())["conversations"] == []


@pytest.mark.parametrize(
    "body, code",
    [
        ({"agent": "alice", "start": "2026-10-26T08:10:00Z"}, "slot_taken"),  # off the grid
        ({"agent": "alice", "start": "2026-10-26T12:00:00Z"}, "slot_taken"),  # lunch
        ({"agent": "alice", "start": "2026-10-25T08:00:00Z"}, "slot_taken"),  # Sunday
        ({"agent": "alice", "start": "2026-10-26T08:00:00"}, "invalid_start"),  # no zone
        ({"agent": "alice", "start": MON_0900_BERLIN, "duration": 45}, "invalid_duration"),
        ({"agent": "alice", "start": MON_0900_BERLIN, "subject": " "}, "empty_subject"),
        ({"agent": "zed", "start": MON_0900_BERLIN}, "unknown_agent"),
        ({"service": "marketing", "start": MON_0900_BERLIN}, "unknown_service"),
    ],
)
async def test_bad_bookings_are_refused(client: Any, body: dict[str, Any], code: str) -> None:
    ann = await guest(client)
    r = await client.post(
        "/api/guest/meetings", json={"duration": 30, "subject": "Demo", **body}, headers=ann
    )
    assert (await r.json())["code"] == code
    assert r.status in (400, 404, 409)


async def test_service_booking_picks_a_free_member_fairly(client: Any) -> None:
    # (guest, start) → who gets it: never booked first (by name), then whoever is free,
    # then fewest bookings in 30 days, ties to the one who waited longest.
    plan = [
        ("Ann", MON_0900_BERLIN, "alice"),
        ("Ben", MON_0900_BERLIN, "bob"),  # alice is taken at 09:00
        ("Cid", "2026-10-26T10:00:00Z", "alice"),  # 1 each; alice was booked longer ago
        ("Dee", "2026-10-26T10:00:00Z", "bob"),
        ("Eve", "2026-10-26T11:00:00Z", "alice"),
    ]
    for name, start, expected in plan:
        headers = await guest(client, name, f"{name.lower()}@example.org")
        client.runtime.clock.advance(minutes=1)
        r = await book(client, headers, start, service="sales")
        assert r.status == 201, await r.text()
        meeting = (await r.json())["meeting"]
        assert (name, meeting["agent"], meeting["service"]) == (name, expected, "sales")
    r = await book(client, await guest(client, "Fay"), MON_0900_BERLIN, service="sales")
    assert (r.status, (await r.json())["code"]) == (409, "slot_taken")


async def test_guest_and_agent_change_and_cancel_with_notices_and_mails(client: Any) -> None:
    runtime = client.runtime
    alice = await agent(runtime, "alice")
    r = await client.put(
        "/api/agent/settings",
        json={
            "timezone": "Europe/Berlin",
            "durations": [30, 45, 60],
            "working_hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "lunch_break": ["13:00", "14:00"],
        },
        headers=alice,
    )
    assert r.status == 200, await r.text()
    ann = await guest(client)
    meeting = (await (await book(client, ann, MON_0900_BERLIN)).json())["meeting"]
    mid, cid = meeting["id"], meeting["conversation_id"]
    steps = [
        # (who, method, body) → (start, end, sequence, status, notice)
        (
            ann,
            "PATCH",
            {"start": "2026-10-26T09:00:00Z"},
            (
                "2026-10-26T09:00:00Z",
                "2026-10-26T09:30:00Z",
                1,
                "booked",
                "Meeting rescheduled by Ann: Demo, now Mon 26 Oct 2026 10:00–10:30 (Europe/Berlin) · 09:00–09:30 UTC "
                "(was Mon 26 Oct 2026 09:00–09:30 (Europe/Berlin) · 08:00–08:30 UTC).",
            ),
        ),
        (
            alice,
            "PATCH",
            {"duration": 60},
            (
                "2026-10-26T09:00:00Z",
                "2026-10-26T10:00:00Z",
                2,
                "booked",
                "Meeting changed by Alice to 60 minutes: Demo, Mon 26 Oct 2026 10:00–11:00 (Europe/Berlin) · 09:00–10:00 UTC.",
            ),
        ),
        (
            alice,
            "PATCH",
            {"start": "2026-10-27T08:00:00Z", "duration": 45},
            (
                "2026-10-27T08:00:00Z",
                "2026-10-27T08:45:00Z",
                3,
                "booked",
                "Meeting rescheduled by Alice: Demo, now Tue 27 Oct 2026 09:00–09:45 (Europe/Berlin) · 08:00–08:45 UTC "
                "(was Mon 26 Oct 2026 10:00–11:00 (Europe/Berlin) · 09:00–10:00 UTC).",
            ),
        ),
        (
            ann,
            "DELETE",
            {"reason": "Found the answer"},
            (
                "2026-10-27T08:00:00Z",
                "2026-10-27T08:45:00Z",
                4,
                "cancelled",
                "Meeting cancelled by Ann: Demo, Tue 27 Oct 2026 09:00–09:45 (Europe/Berlin) · 08:00–08:45 UTC. Reason: Found the answer",
            ),
        ),
    ]
    for who, method, body, (start, end, sequence, status, notice) in steps:
        side = "agent" if who is alice else "guest"
        r = await client.request(method, f"/api/{side}/meetings/{mid}", json=body, headers=who)
        assert r.status == 200, await r.text()
        got = (await r.json())["meeting"]
        assert (got["start"], got["end"], got["sequence"], got["status"]) == (start, end, sequence, status)
        assert (await thread(client, ann, cid))[-1] == notice
    await drain(runtime)
    ann_mails = sorted(
        (m for m in meeting_mails(runtime) if m.to.startswith("Ann")),
        key=lambda m: int(vevent(m.ics)["SEQUENCE"]),
    )
    assert [(m.method, int(vevent(m.ics)["SEQUENCE"])) for m in ann_mails] == [
        ("REQUEST", 0),
        ("REQUEST", 1),
        ("REQUEST", 2),
        ("REQUEST", 3),
        ("CANCEL", 4),
    ]
    assert vevent(ann_mails[3].ics)["DTSTART"].dt == datetime(2026, 10, 27, 8, 0, tzinfo=UTC)
    assert len([m for m in meeting_mails(runtime) if m.to.startswith("Alice")]) == 5
    # Changing a cancelled meeting is refused; so is anything once it has started.
    r = await client.patch(f"/api/guest/meetings/{mid}", json={"duration": 30}, headers=ann)
    assert (await r.json())["code"] == "meeting_cancelled"
    other = (await (await book(client, ann, MON_0900_BERLIN)).json())["meeting"]
    runtime.clock.set(datetime(2026, 10, 26, 8, 5, tzinfo=UTC))
    r = await client.delete(f"/api/agent/meetings/{other['id']}", headers=alice)
    assert (r.status, (await r.json())["code"]) == (400, "meeting_in_past")


async def test_a_reschedule_into_a_taken_slot_is_refused_and_changes_nothing(client: Any) -> None:
    ann, ben = await guest(client), await guest(client, "Ben", "ben@example.org")
    mine = (await (await book(client, ann, MON_0900_BERLIN)).json())["meeting"]
    await book(client, ben, "2026-10-26T09:00:00Z")
    r = await client.patch(
        f"/api/guest/meetings/{mine['id']}", json={"start": "2026-10-26T09:00:00Z"}, headers=ann
    )
    body = await r.json()
    assert (r.status, body["code"]) == (409, "slot_taken")
    assert "2026-10-26T09:00:00Z" not in body["alternatives"] and body["alternatives"]
    got = await (await client.get(f"/api/guest/meetings/{mine['id']}", headers=ann)).json()
    assert (got["meeting"]["start"], got["meeting"]["sequence"]) == (MON_0900_BERLIN, 0)


@pytest.mark.parametrize(
    "who, method, status",
    [
        ("ben", "GET", 404),
        ("ben", "PATCH", 404),
        ("ben", "DELETE", 404),
        ("carol", "PATCH", 404),  # another service's agent
        ("bob", "DELETE", 404),  # same service, but this meeting is Alice's own
        ("alice", "GET", 200),
    ],
)
async def test_nobody_touches_someone_elses_meeting(client: Any, who: str, method: str, status: int) -> None:
    ann = await guest(client)
    meeting = (await (await book(client, ann, MON_0900_BERLIN)).json())["meeting"]
    if who == "ben":
        headers, side = await guest(client, "Ben", "ben@example.org"), "guest"
    else:
        headers, side = await agent(client.runtime, who), "agent"
    body = {"start": "2026-10-26T09:00:00Z"} if method == "PATCH" else None
    r = await client.request(method, f"/api/{side}/meetings/{meeting['id']}", json=body, headers=headers)
    assert r.status == status
    got = await (await client.get(f"/api/guest/meetings/{meeting['id']}", headers=ann)).json()
    assert (got["meeting"]["start"], got["meeting"]["status"]) == (MON_0900_BERLIN, "booked")


async def test_agents_see_their_own_and_their_services_meetings(client: Any) -> None:
    ann = await guest(client)
    await book(client, ann, MON_0900_BERLIN)  # alice directly
    await book(
        client, await guest(client, "Ben"), "2026-10-26T09:00:00Z", service="sales"
    )  # alice (fair) via sales
    listed = {}
    for slug in ("alice", "bob", "carol"):
        r = await client.get("/api/agent/meetings", headers=await agent(client.runtime, slug))
        listed[slug] = [(m["start"], m["service"]) for m in (await r.json())["meetings"]]
    assert listed == {
        "alice": [(MON_0900_BERLIN, None), ("2026-10-26T09:00:00Z", "sales")],
        "bob": [("2026-10-26T09:00:00Z", "sales")],
        "carol": [],
    }


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"durations": [10]}, "durations"),
        ({"buffer_before": 20}, "buffer_before"),
        ({"working_hours": {"mon": [["17:00", "09:00"]]}}, "working_hours.mon"),
        ({"buffer_befor": 15}, "buffer_befor"),
    ],
)
async def test_invalid_settings_are_refused_and_nothing_changes(
    client: Any, settings: dict[str, Any], field: str
) -> None:
    alice = await agent(client.runtime, "alice")
    before = await (await client.get("/api/agent/settings", headers=alice)).json()
    r = await client.put("/api/agent/settings", json=settings, headers=alice)
    body = await r.json()
    assert (r.status, body["code"], body["field"]) == (400, "invalid_settings", field)
    assert body["message"]
    assert await (await client.get("/api/agent/settings", headers=alice)).json() == before


async def test_settings_shape_the_slots(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    r = await client.put(
        "/api/agent/settings",
        json={
            "timezone": "America/New_York",
            "durations": [60],
            "working_hours": {"mon": [["10:00", "12:00"]]},
            "lunch_break": None,
            "buffer_after": 30,
        },
        headers=alice,
    )
    assert r.status == 200
    status, body = await slots(
        client, "/api/agents/alice/slots", start="2026-10-26", end="2026-10-26", tz="UTC", duration=60
    )
    assert [s["start"] for s in body["slots"]] == ["2026-10-26T14:00:00Z", "2026-10-26T15:00:00Z"]
    info = await (await client.get("/api/agents/alice/booking")).json()
    assert (info["durations"], info["default_duration"], info["timezone"]) == ([60], 60, "America/New_York")


async def test_booking_page_is_served(client: Any) -> None:
    page = await client.get("/book/alice?start=26.10.2026&end=30.10.2026&subject=Hi")
    assert page.status == 200 and 'data-testid="schedule"' in await page.text()
    assert (await client.get("/book.js")).status == 200


async def test_every_meeting_route_is_documented(client: Any) -> None:
    from adapters.web.openapi import api_routes, documented_paths

    missing = {
        r
        for r in api_routes(client.app)
        if "meeting" in r[1] or "slots" in r[1] or r[1].endswith(("settings", "booking"))
    }
    assert missing and not (missing - documented_paths(client.app))


async def test_an_agent_books_from_a_conversation_into_that_conversation(client: Any) -> None:
    ann = await guest(client)
    r = await client.post(
        "/api/guest/conversations", json={"service": "sales", "text": "Call me?"}, headers=ann
    )
    conversation = (await r.json())["conversation"]["id"]
    bob = await agent(client.runtime, "bob")
    body = {"conversation_id": conversation, "start": MON_0900_BERLIN, "duration": 30, "subject": "Callback"}
    r = await client.post("/api/agent/meetings", json=body, headers=bob)
    assert r.status == 201, await r.text()
    meeting = (await r.json())["meeting"]
    assert (meeting["agent"], meeting["conversation_id"], meeting["guest_id"] is not None) == (
        "bob",
        conversation,
        True,
    )
    assert (await thread(client, ann, conversation))[-1].startswith(
        "Meeting booked: Callback, Mon 26 Oct 2026 09:00"
    )
    listed = (await (await client.get("/api/guest/meetings", headers=ann)).json())["meetings"]
    assert [m["id"] for m in listed] == [meeting["id"]]
    carol = await agent(client.runtime, "carol")  # support: cannot see a sales conversation
    r = await client.post(
        "/api/agent/meetings", json={**body, "start": "2026-10-26T09:00:00Z"}, headers=carol
    )
    assert (r.status, (await r.json())["code"]) == (404, "unknown_conversation")


async def test_the_booking_info_names_the_guest_only_for_a_guests_token(client: Any) -> None:
    ann = await guest(client)
    bob = await agent(client.runtime, "bob")  # the inbox asks with an agent's token
    subjects = []
    for headers in (ann, bob, {"Authorization": "Bearer stale"}, {}):
        r = await client.get("/api/agents/alice/booking", headers=headers)
        assert r.status == 200
        subjects.append((await r.json())["default_subject"])
    assert subjects == ["Meeting with Ann", "Meeting", "Meeting", "Meeting"]
