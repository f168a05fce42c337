"""A guest holds at most ``guest_max_upcoming_meetings`` upcoming meetings; agents book freely. Over the
HTTP API on SQLite and PostgreSQL, with a driven clock: a cancelled or past meeting frees a place."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from tests.integration.meetings_support import agent, book, guest

NOW = datetime(
    2026, 10, 19, 6, 0, tzinfo=UTC
)  # a Monday; alice and bob work 09:00-17:00 in Berlin, lunch at 13:00
MONDAY = "2026-10-26T{:02d}:00:00Z"  # 08:00Z is 09:00 in Berlin (CET)


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def test_the_fourth_upcoming_booking_is_refused_until_one_is_cancelled_or_over(
    client: Any, clock: Any
) -> None:
    ann = await guest(client)
    booked = []
    for hour in (8, 9, 10):
        r = await book(client, ann, MONDAY.format(hour))
        assert r.status == 201, await r.text()
        booked.append((await r.json())["meeting"])

    r = await book(client, ann, MONDAY.format(11))
    body = await r.json()
    assert (r.status, body["code"], body["limit"]) == (409, "too_many_meetings", 3)
    r = await book(client, ann, MONDAY.format(11), agent="bob")  # with anyone: the limit is the guest's
    assert (r.status, (await r.json())["code"]) == (409, "too_many_meetings")
    assert len((await (await client.get("/api/guest/meetings", headers=ann)).json())["meetings"]) == 3

    ben = await guest(client, "Ben", "ben@example.org")  # another guest books as usual
    assert (await book(client, ben, MONDAY.format(11))).status == 201

    r = await client.delete(f"/api/guest/meetings/{booked[0]['id']}", headers=ann)
    assert r.status == 200, await r.text()
    assert (await book(client, ann, MONDAY.format(14))).status == 201  # a cancelled one frees a place
    assert (await book(client, ann, MONDAY.format(15))).status == 409

    clock.set(datetime(2026, 10, 26, 9, 31, tzinfo=UTC))  # the 09:00Z meeting is over
    assert (await book(client, ann, MONDAY.format(15))).status == 201


async def test_an_agent_books_for_a_guest_past_the_limit(client: Any) -> None:
    ann = await guest(client)
    for hour in (8, 9, 10):
        assert (await book(client, ann, MONDAY.format(hour))).status == 201
    assert (await book(client, ann, MONDAY.format(11))).status == 409
    conversation = (await (await client.get("/api/guest/conversations", headers=ann)).json())[
        "conversations"
    ][0]
    r = await client.post(
        "/api/agent/meetings",
        json={
            "conversation_id": conversation["id"],
            "start": MONDAY.format(11),
            "duration": 30,
            "subject": "Call",
        },
        headers=await agent(client.runtime, "alice"),
    )
    assert r.status == 201, await r.text()
    assert len((await (await client.get("/api/guest/meetings", headers=ann)).json())["meetings"]) == 4


async def test_bookings_at_once_cannot_both_take_the_last_place(client: Any) -> None:
    ann = await guest(client)
    for hour in (8, 9):
        assert (await book(client, ann, MONDAY.format(hour))).status == 201
    # Eight bookings with four agents at two times: nothing else serialises them; the guest's row lock does.
    go = asyncio.Event()

    async def attempt(slug: str, hour: int) -> int:
        await go.wait()
        return int((await book(client, ann, MONDAY.format(hour), agent=slug)).status)

    tasks = [
        asyncio.create_task(attempt(slug, hour))
        for slug in ("alice", "bob", "carol", "dave")
        for hour in (14, 15)
    ]
    go.set()
    assert sorted(await asyncio.gather(*tasks)) == [201] + [409] * 7
    assert len((await (await client.get("/api/guest/meetings", headers=ann)).json())["meetings"]) == 3
