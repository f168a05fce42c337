"""A meeting booked through an invitation, changed afterwards from the inbox (the agent meeting API, the
same commands Slack and Teams send), on SQLite and PostgreSQL: every member and the room are checked,
every calendar (the local calendar here) follows the move and the cancellation, and the member who is
not the lead is mailed too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from adapters.web.app import make_app
from bot.invitations.model import Room
from storage.invitations import MeetingAttendeeRow
from storage.models import LocalEventRow, MeetingRow
from tests.integration.meetings_support import agent, drain, meeting_mails

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
TUE_0900, TUE_1400, TUE_1500 = "2026-11-24T08:00:00Z", "2026-11-24T13:00:00Z", "2026-11-24T14:00:00Z"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    async with seeded.uow() as uow:
        await uow.invitations.add_room(Room("Oslo", "oslo@rooms.example.com", 8, id="oslo"))
        await uow.commit()
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def team_meeting(client: Any) -> str:
    """Alice and Bob with the room Oslo, Tuesday 09:00–10:00 Berlin, booked by Carl's one click."""
    invitation = {
        "guest_name": "Carl",
        "guest_email": "carl@customer.example",
        "subject": "Pricing call",
        "duration": 60,
        "members": ["alice", "bob"],
        "rooms": ["oslo"],
        "start_date": "2026-11-24",
        "end_date": "2026-11-24",
        "send_email": False,
    }
    r = await client.post(
        "/api/agent/invitations", json=invitation, headers=await agent(client.runtime, "alice")
    )
    assert r.status == 201, await r.text()
    token = (await r.json())["invitation"]["links"]["any"].rsplit("/", 1)[1]
    r = await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})
    assert r.status == 201, await r.text()
    await drain(client.runtime)
    return str((await r.json())["meeting"]["id"])


async def calendars(runtime: Any) -> list[tuple[str, datetime]]:
    async with runtime.storage.session() as s:
        rows = (await s.execute(select(LocalEventRow.agent, LocalEventRow.start_at))).all()
    return sorted((who, start.replace(tzinfo=start.tzinfo or UTC)) for who, start in rows)


async def test_a_member_moves_the_team_meeting_and_every_calendar_follows(client: Any) -> None:
    meeting_id = await team_meeting(client)
    assert await calendars(client.runtime) == [(w, utc(TUE_0900)) for w in ("alice", "bob", "room:oslo")]
    # Bob has another meeting at 14:00 Berlin: the team meeting cannot go there, even moved by Alice.
    session = await (
        await client.post("/api/guest/sessions", json={"name": "Dora", "email": "dora@example.org"})
    ).json()
    r = await client.post(
        "/api/guest/meetings",
        json={"agent": "bob", "start": TUE_1400, "duration": 30, "subject": "Other"},
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    assert r.status == 201, await r.text()
    alice, bob = await agent(client.runtime, "alice"), await agent(client.runtime, "bob")
    r = await client.patch(f"/api/agent/meetings/{meeting_id}", json={"start": TUE_1400}, headers=alice)
    assert (r.status, (await r.json())["code"]) == (409, "slot_taken")
    async with client.runtime.storage.session() as s:
        assert (await s.get(MeetingRow, meeting_id)).sequence == 0  # type: ignore[union-attr]
    # Bob, who is not the lead, moves it to 15:00 Berlin: every member's and the room's event moves.
    r = await client.patch(f"/api/agent/meetings/{meeting_id}", json={"start": TUE_1500}, headers=bob)
    assert r.status == 200, await r.text()
    await drain(client.runtime)
    moved = [
        (who, start)
        for who, start in await calendars(client.runtime)
        if who != "bob" or start != utc(TUE_1400)
    ]
    assert moved == [(w, utc(TUE_1500)) for w in ("alice", "bob", "room:oslo")]
    async with client.runtime.storage.session() as s:
        rows = (await s.execute(select(MeetingAttendeeRow.attendee, MeetingAttendeeRow.start_at))).all()
    assert sorted(k for k, start in rows if start.replace(tzinfo=UTC) == utc(TUE_1500)) == [
        "agent:alice",
        "agent:bob",
        "room:oslo",
    ]
    rescheduled = {m.to for m in meeting_mails(client.runtime) if m.subject.startswith("Meeting rescheduled")}
    assert any("bob@" in to for to in rescheduled) and any("alice@" in to for to in rescheduled)


async def test_cancelling_the_team_meeting_from_the_inbox_clears_every_calendar(client: Any) -> None:
    meeting_id = await team_meeting(client)
    r = await client.delete(
        f"/api/agent/meetings/{meeting_id}",
        json={"reason": "Plans changed"},
        headers=await agent(client.runtime, "alice"),
    )
    assert (r.status, (await r.json())["meeting"]["status"]) == (200, "cancelled")
    await drain(client.runtime)
    assert await calendars(client.runtime) == []
    cancelled = {m.to for m in meeting_mails(client.runtime) if m.method == "CANCEL"}
    assert any("bob@" in to for to in cancelled)
