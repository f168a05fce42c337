"""Issue 11's booking rules through the HTTP API, on SQLite and PostgreSQL: beyond the month is
``beyond_horizon`` (not a taken slot), a guest gives an email before booking, and a personal link's
``?start=&end=`` frame is enforced by the engine. Every refusal is a 400 with a stable code and field,
and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from tests.integration.meetings_support import agent, book, guest

NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)  # a Monday; the horizon is 19 November, 06:00 UTC
MON_26_0900_BERLIN = "2026-10-26T08:00:00Z"
TUE_27_0900_BERLIN = "2026-10-27T08:00:00Z"


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def meetings_of(client: Any, who: dict[str, str]) -> list[Any]:
    return list((await (await client.get("/api/guest/meetings", headers=who)).json())["meetings"])


async def refusal(response: Any) -> tuple[int, str, str | None]:
    body = await response.json()
    return response.status, body["code"], body.get("field")


async def test_booking_beyond_the_month_is_beyond_horizon_not_slot_taken(client: Any) -> None:
    ann = await guest(client)
    r = await book(client, ann, "2026-11-23T08:00:00Z")  # a free Monday morning, five weeks ahead
    assert await refusal(r) == (400, "beyond_horizon", "start")
    assert await meetings_of(client, ann) == []
    assert (await book(client, ann, "2026-11-18T08:00:00Z")).status == 201  # inside the month


async def test_a_guest_without_an_email_must_give_one_before_booking(client: Any) -> None:
    cleo = await guest(client, "Cleo", None)
    assert await refusal(await book(client, cleo, MON_26_0900_BERLIN)) == (400, "email_required", "email")
    assert await refusal(await book(client, cleo, MON_26_0900_BERLIN, email="cleo@")) == (
        400,
        "invalid_email",
        "email",
    )
    assert await meetings_of(client, cleo) == []
    r = await book(client, cleo, MON_26_0900_BERLIN, email="cleo@example.org")
    assert r.status == 201, await r.text()
    guest_id = (await r.json())["meeting"]["guest_id"]
    async with client.runtime.uow(read_only=True) as uow:
        assert (await uow.guests.get(guest_id)).email == "cleo@example.org"  # the invitation's address
    # Known now: the next booking needs no email field.
    assert (await book(client, cleo, TUE_27_0900_BERLIN)).status == 201


@pytest.mark.parametrize(
    "link, start, outcome",
    [
        ({"link_start": "27.10.2026", "link_end": "30.10.2026"}, MON_26_0900_BERLIN, "outside_link_window"),
        ({"link_start": "27.10.2026", "link_end": "30.10.2026"}, TUE_27_0900_BERLIN, 201),
        ({"link_start": "2026-10-20", "link_end": "2026-10-23"}, MON_26_0900_BERLIN, "outside_link_window"),
        ({"link_end": "01.03.2027"}, "2026-11-18T08:00:00Z", 201),  # an over-long frame is clipped
        ({"link_end": "01.03.2027"}, "2026-11-23T08:00:00Z", "beyond_horizon"),  # and never widens it
        ({"link_start": "soon"}, MON_26_0900_BERLIN, "invalid_date"),
    ],
)
async def test_a_personal_links_frame_is_a_rule(
    client: Any, link: dict[str, str], start: str, outcome: int | str
) -> None:
    ann = await guest(client)
    r = await book(client, ann, start, **link)
    if outcome == 201:
        assert r.status == 201, await r.text()
        return
    status, code, field = await refusal(r)
    assert (status, code) == (400, outcome)
    assert field == ("link_start" if outcome == "invalid_date" else "start")
    assert await meetings_of(client, ann) == []


async def test_a_service_widget_starts_from_the_engines_default_length(client: Any) -> None:
    r = await client.get("/api/services/sales/booking")
    assert r.status == 200
    info = await r.json()
    assert info["default_duration"] in info["durations"] and info["window_end"] == "2026-11-19"
    # A booking that leaves the length out gets exactly the default the form showed.
    ann = await guest(client)
    booked = await client.post(
        "/api/guest/meetings", json={"service": "sales", "start": MON_26_0900_BERLIN}, headers=ann
    )
    assert booked.status == 201, await booked.text()
    assert (await booked.json())["meeting"]["duration"] == info["default_duration"]
    missing = await client.get("/api/services/nope/booking")
    assert (missing.status, (await missing.json())["code"]) == (404, "unknown_service")


async def test_bookings_go_to_one_calendar_stored_as_the_lists_first(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    _, before = await settings_of(client, alice)
    assert before["booking_calendar"] == before["settings"]["booking_calendars"][0]

    r = await client.put(
        "/api/agent/settings", json={**before["settings"], "booking_calendars": ["a", "b"]}, headers=alice
    )
    assert await refusal(r) == (400, "invalid_settings", "booking_calendars")
    assert (await settings_of(client, alice))[1] == before  # the refusal changed nothing

    body = {k: v for k, v in before["settings"].items() if k != "booking_calendars"}
    r = await client.put("/api/agent/settings", json={**body, "booking_calendar": "work"}, headers=alice)
    assert r.status == 200, await r.text()
    _, after = await settings_of(client, alice)
    assert (after["booking_calendar"], after["settings"]["booking_calendars"]) == ("work", ["work"])


async def settings_of(client: Any, who: dict[str, str]) -> tuple[int, Any]:
    r = await client.get("/api/agent/settings", headers=who)
    return r.status, await r.json()


async def test_the_agents_settings_show_both_personal_links_and_the_chat_page_is_served(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    status, body = await settings_of(client, alice)
    assert status == 200
    assert body["chat_url"].endswith("/chat/alice") and body["booking_url"].endswith("/book/alice")
    page = await client.get("/chat/alice")
    assert page.status == 200 and page.content_type == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script type="module" src="/static/chat.js">' in await page.text()
