"""The guest's manage link, on SQLite and PostgreSQL: booking hands one out; it opens its own
meeting only; a wrong token is a 404; looking never changes anything; reschedule and cancel through
it are the ordinary commands (slot_taken with alternatives, cancelled stays cancelled); the calendar
links and the .ics carry the meeting's UTC times."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from adapters.web.app import make_app
from bot.meetings.manage_links import MANAGE_KIND, manage_url
from bot.tokens import token_hash
from tests.integration.meetings_support import book, drain, guest, meeting_mails

NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)
MON_0900_BERLIN = "2026-10-26T08:00:00Z"  # CET, UTC+1: the Monday after the change
MON_1000_BERLIN = "2026-10-26T09:00:00Z"


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def booked(client: Any, start: str = MON_0900_BERLIN, name: str = "Ann") -> dict[str, Any]:
    headers = await guest(client, name, f"{name.lower()}@example.org")
    r = await book(client, headers, start, subject=f"{name}'s demo")
    assert r.status == 201, await r.text()
    body: dict[str, Any] = await r.json()
    return body


async def test_booking_answers_with_a_manage_link_that_opens_the_meeting(client: Any) -> None:
    body = await booked(client)
    token = body["manage_token"]
    assert body["manage_url"] == manage_url(client.runtime.settings.base_url, token)
    assert body["manage_url"].endswith(f"/booked/{token}")
    async with client.runtime.uow(read_only=True) as uow:  # stored hashed, never as itself
        assert await uow.tokens.resolve(token_hash(token), MANAGE_KIND, NOW) == body["meeting"]["id"]
        assert await uow.tokens.resolve(token, MANAGE_KIND, NOW) is None
    r = await client.get(f"/api/manage/{token}")
    assert r.status == 200
    assert r.headers["Cache-Control"] == "no-store"
    seen = await r.json()
    assert seen["meeting"]["id"] == body["meeting"]["id"]
    assert seen["meeting"]["start"] == MON_0900_BERLIN
    assert seen["host"] == {"slug": "alice", "name": "Alice", "timezone": "Europe/Berlin", "avatar_url": None}
    assert seen["guest"] == {"name": "Ann"}
    page = await client.get(f"/booked/{token}")
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    assert page.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "a" * 500])
async def test_a_wrong_token_opens_nothing(client: Any, token: str) -> None:
    await booked(client)
    for method, path in [
        ("GET", f"/api/manage/{token}"),
        ("GET", f"/api/manage/{token}/meeting.ics"),
        ("POST", f"/api/manage/{token}/cancel"),
        ("POST", f"/api/manage/{token}/reschedule"),
    ]:
        r = await client.request(method, path, json={"start": MON_1000_BERLIN})
        assert r.status == 404, (method, path, await r.text())
        assert (await r.json())["code"] == "not_found"


async def test_one_meetings_token_never_opens_another(client: Any) -> None:
    ann, ben = await booked(client, MON_0900_BERLIN, "Ann"), await booked(client, MON_1000_BERLIN, "Ben")
    assert ann["manage_token"] != ben["manage_token"]
    seen = await (await client.get(f"/api/manage/{ann['manage_token']}")).json()
    assert seen["meeting"]["id"] == ann["meeting"]["id"] != ben["meeting"]["id"]
    # Ann's token cancels Ann's meeting, and Ben's stays booked.
    r = await client.post(f"/api/manage/{ann['manage_token']}/cancel", json={})
    assert r.status == 200 and (await r.json())["meeting"]["status"] == "cancelled"
    ben_now = await (await client.get(f"/api/manage/{ben['manage_token']}")).json()
    assert ben_now["meeting"]["status"] == "booked"


async def test_a_token_of_another_kind_is_not_a_manage_link(client: Any) -> None:
    """A guest's session token is a token too, but not for this door."""
    headers = await guest(client, "Cleo", "cleo@example.org")
    r = await book(client, headers, MON_0900_BERLIN)
    assert r.status == 201
    session = headers["Authorization"].removeprefix("Bearer ")
    assert (await client.get(f"/api/manage/{session}")).status == 404


async def test_looking_changes_nothing(client: Any) -> None:
    body = await booked(client)
    token = body["manage_token"]
    async with client.runtime.uow(read_only=True) as uow:
        before = [
            (m.id, m.start, m.status, m.sequence) for m in await uow.meetings.upcoming(agents=["alice"])
        ]
    for path in (f"/api/manage/{token}", f"/api/manage/{token}/meeting.ics", f"/booked/{token}"):
        for _ in range(2):
            assert (await client.get(path)).status == 200
    async with client.runtime.uow(read_only=True) as uow:
        after = [(m.id, m.start, m.status, m.sequence) for m in await uow.meetings.upcoming(agents=["alice"])]
        # still usable: a look is not a use
        assert await uow.tokens.resolve(token_hash(token), MANAGE_KIND, NOW) == body["meeting"]["id"]
    assert before == after


async def test_reschedule_and_cancel_through_the_link(client: Any) -> None:
    body = await booked(client)
    token = body["manage_token"]
    other = await booked(client, MON_1000_BERLIN, "Ben")  # 10:00 is taken by Ben
    r = await client.post(f"/api/manage/{token}/reschedule", json={"start": other["meeting"]["start"]})
    assert r.status == 409
    refusal = await r.json()
    assert refusal["code"] == "slot_taken" and refusal["alternatives"]
    assert other["meeting"]["start"] not in refusal["alternatives"]
    r = await client.post(f"/api/manage/{token}/reschedule", json={"start": "2026-10-26T10:00:00Z"})
    assert r.status == 200
    moved = await r.json()
    assert (moved["meeting"]["start"], moved["meeting"]["sequence"]) == ("2026-10-26T10:00:00Z", 1)
    r = await client.post(f"/api/manage/{token}/reschedule", json={"start": "tomorrow"})
    assert r.status == 400 and (await r.json())["code"] == "invalid_start"
    r = await client.post(f"/api/manage/{token}/cancel", json={"reason": "Plans changed"})
    assert r.status == 200 and (await r.json())["meeting"]["status"] == "cancelled"
    r = await client.post(f"/api/manage/{token}/cancel", json={})
    assert r.status == 409 and (await r.json())["code"] == "meeting_cancelled"
    # After the cancellation the link still shows what happened.
    seen = await (await client.get(f"/api/manage/{token}")).json()
    assert seen["meeting"]["status"] == "cancelled"


async def test_calendar_links_and_ics_carry_the_utc_times(client: Any) -> None:
    body = await booked(client)
    token = body["manage_token"]
    seen = await (await client.get(f"/api/manage/{token}")).json()
    google = parse_qs(urlsplit(seen["calendar"]["google"]).query)
    assert urlsplit(seen["calendar"]["google"]).netloc == "calendar.google.com"
    assert google["action"] == ["TEMPLATE"]
    assert google["text"] == ["Ann's demo"]
    assert google["dates"] == ["20261026T080000Z/20261026T083000Z"]
    assert body["manage_url"] in google["details"][0]
    outlook = parse_qs(urlsplit(seen["calendar"]["outlook"]).query)
    assert seen["calendar"]["outlook"].startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert (outlook["startdt"], outlook["enddt"]) == (["2026-10-26T08:00:00Z"], ["2026-10-26T08:30:00Z"])
    assert outlook["subject"] == ["Ann's demo"]
    r = await client.get(seen["calendar"]["ics"])
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in r.headers["Content-Disposition"]
    event = next(iter(Calendar.from_ical(await r.read()).walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)
    assert str(event["uid"]) == f"{body['meeting']['id']}@convene"
    assert str(event["summary"]) == "Ann's demo"


async def test_an_agent_booking_gets_no_manage_link(client: Any) -> None:
    """Only the guest's own booking hands out the guest's key."""
    from tests.integration.meetings_support import agent

    headers = await guest(client)
    r = await book(client, headers, MON_0900_BERLIN)
    conversation = (await r.json())["meeting"]["conversation_id"]
    r = await client.post(
        "/api/agent/meetings",
        json={"conversation_id": conversation, "start": MON_1000_BERLIN},
        headers=await agent(client.runtime, "alice"),
    )
    assert r.status == 201
    assert "manage_token" not in await r.json()


async def test_the_guests_booking_mail_links_to_the_manage_page_and_the_agents_does_not(client: Any) -> None:
    body = await booked(client)
    await drain(client.runtime)
    mails = [m for m in meeting_mails(client.runtime) if m.subject.startswith("Meeting booked")]
    by_recipient = {m.to.split("<")[-1].rstrip(">"): m for m in mails}
    guest_mail, agent_mail = by_recipient["ann@example.org"], by_recipient["alice@example.com"]
    [link] = re.findall(r"^Reschedule or cancel: (\S+)$", guest_mail.text, re.M)
    assert link.startswith(f"{client.runtime.settings.base_url}/booked/")
    assert f'href="{link}"' in guest_mail.html
    assert link != body["manage_url"]  # each mail carries its own token, for the same meeting
    seen = await (await client.get("/api/manage/" + link.rsplit("/", 1)[1])).json()
    assert seen["meeting"]["id"] == body["meeting"]["id"]
    assert "Reschedule or cancel" not in agent_mail.text


async def test_a_guest_whose_address_is_not_proven_still_gets_the_manage_link_in_the_mail(
    client: Any,
) -> None:
    headers = await guest(client, "Una", "una@example.org", proven=False)
    r = await book(client, headers, MON_0900_BERLIN, subject="Una's demo")
    assert r.status == 201, await r.text()
    meeting_id = (await r.json())["meeting"]["id"]
    await drain(client.runtime)
    [mail] = [m for m in meeting_mails(client.runtime) if "una@example.org" in m.to]
    [link] = re.findall(r"^Reschedule or cancel: (\S+)$", mail.text, re.M)
    seen = await (await client.get("/api/manage/" + link.rsplit("/", 1)[1])).json()
    assert seen["meeting"]["id"] == meeting_id  # that one meeting: no messages of its conversation
    assert (
        set(seen) <= {"meeting", "host", "guest", "calendar", "links", "cancelled", "manage_url"}
        and "messages" not in seen
    )
