"""One conversation per guest across chat and every booking: the promise none of our peers keeps."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from adapters.web.auth import RUNTIME


@pytest.fixture
async def client(seeded: Any) -> Any:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        yield c


async def first_slot(client: Any, path: str) -> str:
    r = await client.get(
        path, params={"start": "2026-11-24", "end": "2026-11-27", "duration": "30", "tz": "Europe/Berlin"}
    )
    assert r.status == 200, await r.text()
    return (await r.json())["slots"][0]["start"]


@pytest.mark.parametrize(
    "chat_with, book_with, same",
    [
        ({"service": "sales"}, {"service": "sales"}, True),  # chat with Sales, book with Sales
        ({"agent": "alice"}, {"agent": "alice"}, True),  # chat with Alice, book Alice's link
        ({"service": "support"}, {"service": "sales"}, False),  # another service is another conversation
    ],
)
async def test_chat_then_book_stays_in_one_conversation(
    client: Any, chat_with: dict, book_with: dict, same: bool
) -> None:
    session = await (
        await client.post("/api/guest/sessions", json={"name": "Ann", "email": "ann@example.org"})
    ).json()
    auth = {"Authorization": f"Bearer {session['token']}"}
    chat = await (
        await client.post("/api/guest/conversations", json={**chat_with, "text": "hi"}, headers=auth)
    ).json()
    path = (
        f"/api/services/{book_with['service']}/slots"
        if "service" in book_with
        else f"/api/agents/{book_with['agent']}/slots"
    )
    start = await first_slot(client, path)
    r = await client.post(
        "/api/guest/meetings",
        json={**book_with, "start": start, "duration": 30, "subject": "Demo"},
        headers=auth,
    )
    assert r.status == 201, await r.text()
    meeting = await r.json()
    meeting = meeting.get("meeting", meeting)
    assert (meeting["conversation_id"] == chat["conversation"]["id"]) is same
    second = await first_slot(client, path)
    r = await client.post(
        "/api/guest/meetings",
        json={**book_with, "start": second, "duration": 30, "subject": "Again"},
        headers=auth,
    )
    again = await r.json()
    again = again.get("meeting", again)
    assert again["conversation_id"] == meeting["conversation_id"]  # every later booking joins it too
    conversations = (await (await client.get("/api/guest/conversations", headers=auth)).json())[
        "conversations"
    ]
    assert len(conversations) == (1 if same else 2)


class Socket:
    closed = False

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send_str(self, data: str) -> None:
        import json

        self.frames.append(json.loads(data))


async def test_live_meeting_notices_to_guests_carry_no_email_addresses(client: Any) -> None:
    session = await (
        await client.post("/api/guest/sessions", json={"name": "Ann", "email": "ann@example.org"})
    ).json()
    auth = {"Authorization": f"Bearer {session['token']}"}
    socket = Socket()
    client.server.app[RUNTIME].channels["web"].hub.guests[session["guest_id"]].add(socket)
    start = await first_slot(client, "/api/agents/alice/slots")
    r = await client.post(
        "/api/guest/meetings",
        json={"agent": "alice", "start": start, "duration": 30, "subject": "Demo"},
        headers=auth,
    )
    assert r.status == 201
    await client.server.app[RUNTIME].dispatcher.dispatch_once()
    booked = [f for f in socket.frames if f.get("event") == "MeetingBooked"]
    assert booked and booked[0]["data"]["subject"] == "Demo"
    assert "agent_email" not in booked[0]["data"] and "guest_email" not in booked[0]["data"]
    assert "alice@example.com" not in str(socket.frames)
