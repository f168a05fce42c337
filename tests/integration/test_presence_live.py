"""The widget's presence, typing and "Seen" over the real HTTP API and WebSockets, on SQLite and
PostgreSQL: the team's working hours follow the driven clock, typing signals reach the other side
without touching the outbox, an internal note's typing stays with the agents, and an agent's read
reaches the guest counted in the guest's own numbering."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from tests.conftest import DrivenClock
from tests.integration.test_audience import FRAME_TIMEOUT, agent, call, deliver_everything, guest

MONDAY_NINE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the demo team starts
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def socket(client: Any, kind: str, headers: dict[str, str]) -> Any:
    ws = await client.ws_connect(f"/api/{kind}/ws")
    await ws.send_str(json.dumps({"token": headers["Authorization"][7:]}))
    assert (await ws.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"
    return ws


async def test_the_team_and_its_working_hours_follow_the_driven_clock(
    client: Any, clock: DrivenClock
) -> None:
    clock.set(MONDAY_NINE)
    r = await client.get("/api/guest/team?service=sales")
    team = await r.json()
    assert r.status == 200 and team["open"] is True and team["next_opening"] is None
    assert [(m["name"], m["available"], m["avatar"]["initials"]) for m in team["members"]] == [
        ("Alice", True, "A"),
        ("Bob", True, "B"),
    ]
    assert "example.com" not in json.dumps(team)  # names and pictures only, never addresses

    clock.set(SATURDAY)
    away = await (await client.get("/api/guest/team?agent=alice")).json()
    assert away["open"] is False and away["next_opening"] == "2026-11-30T08:00:00Z"

    r = await client.get("/api/guest/team?service=nobody")
    assert r.status == 404 and (await r.json())["code"] == "unknown_service"


async def test_typing_reaches_the_other_side_is_stored_nowhere_and_a_notes_typing_stays_with_agents(
    client: Any,
) -> None:
    ann, alice, carol = await guest(client), await agent(client, "alice"), await agent(client, "carol")
    started = await call(client, "POST", "/api/guest/conversations", ann, {"service": "sales", "text": "Hi"})
    cid = started["conversation"]["id"]
    await deliver_everything(client)
    guest_ws, agent_ws, stranger_ws = (
        await socket(client, "guest", ann),
        await socket(client, "agent", alice),
        await socket(client, "agent", carol),
    )

    await guest_ws.send_str(json.dumps({"type": "typing", "conversation_id": cid}))
    frame = await agent_ws.receive_json(timeout=FRAME_TIMEOUT)
    assert frame["type"] == "typing" and frame["conversation_id"] == cid
    assert frame["author"]["kind"] == "guest" and frame["author"]["name"] == "Ann"
    assert not await client.runtime.dispatcher.dispatch_once()  # nothing entered the outbox

    # A note first, then a reply, over one socket: the guest's next frame is the reply's signal.
    await agent_ws.send_str(json.dumps({"type": "typing", "conversation_id": cid, "internal": True}))
    await agent_ws.send_str(json.dumps({"type": "typing", "conversation_id": cid}))
    frame = await guest_ws.receive_json(timeout=FRAME_TIMEOUT)
    assert frame == {
        "type": "typing",
        "conversation_id": cid,
        "author": {"kind": "agent", "id": "alice", "name": "Alice"},
    }

    # Carol (support) may not write there: she learns nothing, as for a missing conversation.
    await stranger_ws.send_str(json.dumps({"type": "typing", "conversation_id": cid}))
    refused = await stranger_ws.receive_json(timeout=FRAME_TIMEOUT)
    assert refused["type"] == "error" and refused["code"] == "unknown_conversation"
    await stranger_ws.send_str(json.dumps({"type": "typing"}))
    refused = await stranger_ws.receive_json(timeout=FRAME_TIMEOUT)
    assert refused["code"] == "invalid_input" and refused["field"] == "conversation_id"
    for ws in (guest_ws, agent_ws, stranger_ws):
        await ws.close()


async def test_an_agents_read_reaches_the_guest_as_seen_in_the_guests_numbering(client: Any) -> None:
    ann, bob = await guest(client), await agent(client, "bob")
    started = await call(client, "POST", "/api/guest/conversations", ann, {"service": "sales", "text": "Hi"})
    cid = started["conversation"]["id"]
    messages = f"/api/agent/conversations/{cid}/messages"
    await call(client, "POST", messages, bob, {"text": "VIP", "internal": True})  # seq 3, not the guest's
    await call(client, "POST", f"/api/guest/conversations/{cid}/messages", ann, {"text": "Hello?"})  # seq 4
    await deliver_everything(client)
    ws = await socket(client, "guest", ann)

    await call(client, "POST", f"/api/agent/conversations/{cid}/read", bob, {"seq": 4})
    await deliver_everything(client)
    frame = await ws.receive_json(timeout=FRAME_TIMEOUT)
    await ws.close()
    assert frame["event"] == "ConversationSeen" and frame["data"]["seq"] == 3  # notice, Hi, Hello?
    view = await call(client, "GET", f"/api/guest/conversations/{cid}", ann)
    assert view["seen_seq"] == 3  # stored: still there after a reload
