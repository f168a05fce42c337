"""Invitations over HTTP on SQLite and PostgreSQL: an agent creates one, the customer's link shows its
free times and books with one POST, the Invitations list moves it to Meetings; refusals write nothing;
20 customers of different invitations sharing a member and a room race for one time: one meeting."""

from __future__ import annotations

import asyncio
import email
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from adapters.web.app import make_app
from bot.invitations.model import Room
from storage.invitations import InvitationRow, MeetingAttendeeRow
from storage.models import LocalEventRow, MeetingRow
from tests.integration.meetings_support import agent, drain

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
TUE_0900, TUE_1000 = "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z"


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    async with seeded.uow() as uow:
        await uow.invitations.add_room(Room("Oslo", "oslo@rooms.example.com", 8, id="oslo"))
        await uow.invitations.add_room(Room("Rome", "rome@rooms.example.com", 4, pool="small", id="rome"))
        await uow.commit()
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


def body(**changes: Any) -> dict[str, Any]:
    base = {
        "guest_name": "Carl",
        "guest_email": "carl@customer.example",
        "subject": "Pricing call",
        "duration": 60,
        "members": ["alice", "bob"],
        "rooms": ["oslo"],
        "start_date": "2026-11-24",
        "end_date": "2026-11-24",
        "day_start": "09:00",
        "day_end": "12:00",
        "promoted": [TUE_0900, TUE_1000],
    }
    return {**base, **changes}


async def count_rows(runtime: Any, row: Any) -> int:
    async with runtime.storage.session() as s:
        return int((await s.execute(select(func.count()).select_from(row))).scalar_one())


async def test_an_invitation_is_created_booked_with_one_click_and_moves_to_meetings(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    r = await client.post("/api/agent/invitations/slots", json=body(), headers=alice)
    assert (r.status, (await r.json())["count"]) == (200, 5)
    r = await client.post("/api/agent/invitations", json=body(), headers=alice)
    assert r.status == 201, await r.text()
    invitation = (await r.json())["invitation"]
    links = invitation["links"]
    token = links["any"].rsplit("/", 1)[1]
    assert [p["url"] for p in links["promoted"]] == [
        f"{links['any']}/20261124T0800Z",
        f"{links['any']}/20261124T0900Z",
    ]
    open_list = await (await client.get("/api/agent/invitations?status=open", headers=alice)).json()
    assert [i["id"] for i in open_list["invitations"]] == [invitation["id"]]
    # Opening the links changes nothing (mail scanners open them).
    for url in (f"/invite/{token}", f"/invite/{token}/20261124T0800Z"):
        page = await client.get(url)
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    view = await (await client.get(f"/api/invitations/{token}?slot=20261124T0800Z")).json()
    assert view["invitation"]["status"] == "open" and view["chosen"]["free"] is True
    assert len(view["slots"]) == 5 and view["meeting"] is None
    assert await count_rows(client.runtime, MeetingRow) == 0
    # The one click.
    r = await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})
    assert r.status == 201, await r.text()
    meeting = (await r.json())["meeting"]
    async with client.runtime.storage.session() as s:
        keys = sorted((await s.execute(select(MeetingAttendeeRow.attendee))).scalars())
    assert keys == ["agent:alice", "agent:bob", "room:oslo"]
    async with client.runtime.uow(read_only=True) as uow:  # where the customer came from (bot.origin)
        booked_meeting = await uow.meetings.get(meeting["id"])
        conversation = await uow.conversations.get(booked_meeting.conversation_id)
    assert conversation is not None and conversation.origin == "invitation"
    view = await (await client.get(f"/api/invitations/{token}")).json()
    assert (view["invitation"]["status"], view["meeting"]["id"]) == ("booked", meeting["id"])
    assert TUE_0900 not in view["slots"]  # what remains is offered to move to
    assert (await (await client.get("/api/agent/invitations?status=open", headers=alice)).json())[
        "invitations"
    ] == []
    booked = await (await client.get("/api/agent/invitations?status=booked", headers=alice)).json()
    assert [i["meeting_id"] for i in booked["invitations"]] == [meeting["id"]]
    bob_meetings = await (
        await client.get("/api/agent/meetings", headers=await agent(client.runtime, "bob"))
    ).json()
    assert bob_meetings is not None
    # Bob attends: an ordinary booking with Bob at that time is refused.
    await drain(client.runtime)
    # Every member's and the room's calendar shows the meeting (the local calendar here).
    async with client.runtime.storage.session() as s:
        events = (
            await s.execute(select(LocalEventRow.agent, LocalEventRow.meeting_id, LocalEventRow.title))
        ).all()
    assert sorted(events) == [(who, meeting["id"], "Pricing call") for who in ("alice", "bob", "room:oslo")]
    mails = sorted((Path(client.runtime.settings.data_dir) / "outbox").glob("invitation.*.eml"))
    assert len(mails) == 1
    mail = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert mail["To"] == "Carl <carl@customer.example>"
    text = mail.get_body(("plain",)).get_content()
    assert (
        f"{links['any']}/20261124T0800Z" in text and "Tue 24 Nov 2026, 09:00 (Europe/Berlin, 60 min)" in text
    )
    html = mail.get_body(("html",)).get_content()
    assert f'href="{links["any"]}"' in html
    # Everyone hears of the booking by mail: the lead and the customer as for any meeting, Bob too.
    meeting_mails = sorted((Path(client.runtime.settings.data_dir) / "outbox").glob("meeting.*.eml"))
    to = sorted(
        str(email.message_from_bytes(p.read_bytes(), policy=policy.default)["To"]) for p in meeting_mails
    )
    assert to == ["Alice <alice@example.com>", "Bob <bob@example.com>", "Carl <carl@customer.example>"]


async def test_an_agent_booking_with_an_attending_member_is_refused_afterwards(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    created = await (await client.post("/api/agent/invitations", json=body(), headers=alice)).json()
    token = created["invitation"]["links"]["any"].rsplit("/", 1)[1]
    assert (await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})).status == 201
    session = await (
        await client.post("/api/guest/sessions", json={"name": "Dora", "email": "dora@example.org"})
    ).json()
    r = await client.post(
        "/api/guest/meetings",
        json={"agent": "bob", "start": TUE_0900, "duration": 30, "subject": "Clash"},
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    assert (r.status, (await r.json())["code"]) == (409, "slot_taken")


@pytest.mark.parametrize(
    "changes, status, code, field",
    [
        ({"members": ["alice", "zoe"]}, 400, "unknown_member", "members"),
        ({"rooms": ["atlantis"]}, 400, "unknown_room", "rooms"),
        ({"members": []}, 400, "empty_team", "members"),
        ({"duration": 400}, 400, "invalid_duration", "duration"),
        ({"end_date": "2026-11-20", "start_date": "2026-11-19"}, 400, "time_frame_in_past", "end_date"),
        ({"end_date": "2026-11-22"}, 400, "invalid_time_frame", "end_date"),
        ({"end_date": "2027-03-01"}, 400, "time_frame_too_far", "end_date"),
        (
            {"promoted": [f"2026-11-24T{h:02d}:00:00Z" for h in range(0, 11)]},
            400,
            "too_many_promoted",
            "promoted",
        ),
        ({"promoted": ["2026-11-24T11:00:00Z"]}, 400, "promoted_slot_not_free", "promoted"),
        ({"guest_email": "nope"}, 400, "invalid_email", "guest_email"),
        ({"start_date": "2026-11-28", "end_date": "2026-11-29", "promoted": []}, 409, "no_free_slots", None),
    ],
)
async def test_bad_input_is_refused_with_a_code_and_field_and_nothing_written(
    client: Any, changes: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    alice = await agent(client.runtime, "alice")
    r = await client.post("/api/agent/invitations", json=body(**changes), headers=alice)
    answer = await r.json()
    assert (r.status, answer["code"], answer.get("field")) == (status, code, field)
    assert await count_rows(client.runtime, InvitationRow) == 0


async def test_withdrawn_and_unknown_links_say_so(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    created = await (await client.post("/api/agent/invitations", json=body(), headers=alice)).json()
    token = created["invitation"]["links"]["any"].rsplit("/", 1)[1]
    r = await client.post(f"/api/agent/invitations/{created['invitation']['id']}/withdraw", headers=alice)
    assert r.status == 200
    view = await (await client.get(f"/api/invitations/{token}")).json()
    assert (view["invitation"]["status"], view["slots"]) == ("withdrawn", [])
    assert view["invitation"]["organizer_email"] == "alice@example.com"  # whom to write to instead
    r = await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})
    assert (r.status, (await r.json())["code"]) == (410, "invitation_withdrawn")
    r = await client.get("/api/invitations/not-a-token")
    assert (r.status, (await r.json())["code"]) == (404, "unknown_invitation")


async def test_twenty_customers_of_invitations_sharing_a_member_and_a_room_race_for_one_time(
    client: Any,
) -> None:
    alice = await agent(client.runtime, "alice")
    tokens = []
    for i in range(20):
        members = ["bob"] if i % 2 else ["bob", "alice"]
        r = await client.post(
            "/api/agent/invitations",
            json=body(guest_email=f"c{i}@customer.example", guest_name=f"C{i}", members=members, promoted=[]),
            headers=alice,
        )
        assert r.status == 201, await r.text()
        tokens.append((await r.json())["invitation"]["links"]["any"].rsplit("/", 1)[1])
    go = asyncio.Event()

    async def attempt(token: str) -> tuple[int, str | None]:
        await go.wait()
        r = await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})
        return r.status, (await r.json()).get("code")

    tasks = [asyncio.create_task(attempt(t)) for t in tokens]
    go.set()
    results = await asyncio.gather(*tasks)
    assert sorted(results, key=lambda r: r[0]) == [(201, None)] + [(409, "slot_taken")] * 19
    async with client.runtime.storage.session() as s:
        meetings = (await s.execute(select(MeetingRow).where(MeetingRow.status == "booked"))).scalars().all()
        rooms = (
            await s.execute(select(MeetingAttendeeRow).where(MeetingAttendeeRow.attendee == "room:oslo"))
        ).all()
    assert len(meetings) == 1 and len(rooms) == 1


async def test_a_block_in_the_rooms_own_calendar_makes_it_busy(client: Any) -> None:
    async with client.runtime.storage.session(write=True) as s:
        s.add(
            LocalEventRow(
                id="block-1",
                agent="room:oslo",
                calendar_id="primary",
                title="Maintenance",
                start_at=datetime(2026, 11, 24, 8, tzinfo=UTC),
                end_at=datetime(2026, 11, 24, 11, tzinfo=UTC),
                created_at=NOW,
            )
        )
    alice = await agent(client.runtime, "alice")
    r = await client.post("/api/agent/invitations", json=body(promoted=[]), headers=alice)
    answer = await r.json()
    assert (r.status, answer["code"], answer["busy"]) == (409, "no_free_slots", ["Oslo"])


async def test_the_link_moves_and_cancels_the_booked_meeting_and_every_attendee_follows(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    created = await (
        await client.post("/api/agent/invitations", json=body(promoted=[]), headers=alice)
    ).json()
    token = created["invitation"]["links"]["any"].rsplit("/", 1)[1]
    assert (await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})).status == 201
    view = await (await client.get(f"/api/invitations/{token}")).json()
    assert "2026-11-24T09:30:00Z" in view["slots"]  # the booked invitation offers times to move to
    r = await client.post(f"/api/invitations/{token}/reschedule", json={"start": "2026-11-24T08:30:00Z"})
    assert r.status == 200, await r.text()
    async with client.runtime.storage.session() as s:
        rows = (await s.execute(select(MeetingAttendeeRow.attendee, MeetingAttendeeRow.start_at))).all()
    assert sorted(rows) == [
        (k, datetime(2026, 11, 24, 8, 30, tzinfo=UTC)) for k in ("agent:alice", "agent:bob", "room:oslo")
    ]
    r = await client.post(f"/api/invitations/{token}/cancel", json={"reason": "Plans changed"})
    assert (r.status, (await r.json())["meeting"]["status"]) == (200, "cancelled")
    async with client.runtime.storage.session() as s:
        statuses = set((await s.execute(select(MeetingAttendeeRow.status))).scalars())
    assert statuses == {"cancelled"}
    await drain(client.runtime)
    async with client.runtime.storage.session() as s:
        left = (await s.execute(select(LocalEventRow.agent))).all()
    assert left == []  # every calendar dropped the event


async def test_an_invitation_expires_at_the_end_of_its_frame_and_its_links_say_so(
    client: Any, clock: Any
) -> None:
    alice = await agent(client.runtime, "alice")
    created = await (
        await client.post("/api/agent/invitations", json=body(promoted=[]), headers=alice)
    ).json()
    token = created["invitation"]["links"]["any"].rsplit("/", 1)[1]
    assert created["invitation"]["expires_at"] == "2026-11-24T11:00:00Z"  # 12:00 Berlin
    clock.set(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    view = await (await client.get(f"/api/invitations/{token}")).json()
    assert (view["invitation"]["status"], view["slots"]) == ("expired", [])
    r = await client.post(f"/api/invitations/{token}/book", json={"start": TUE_1000})
    assert (r.status, (await r.json())["code"]) == (410, "invitation_expired")
    listed = await (await client.get("/api/agent/invitations?status=expired", headers=alice)).json()
    assert [i["status"] for i in listed["invitations"]] == ["expired"]
