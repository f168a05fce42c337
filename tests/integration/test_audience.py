"""What a guest may see, end to end on SQLite and PostgreSQL: live pushes over the guest WebSocket,
unread counts and sequence numbers. Internal notes, and everything about them, stay with the agents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken

FRAME_TIMEOUT = 10.0  # seconds; a frame that is due arrives in milliseconds


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def guest(client: Any, name: str = "Ann") -> dict[str, str]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": f"{name.lower()}@example.org"})
    assert r.status == 201
    return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def agent(client: Any, slug: str) -> dict[str, str]:
    token = await client.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def call(client: Any, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    r = await client.request(method, path, headers=headers, **({"json": body} if body is not None else {}))
    assert r.status < 300, await r.text()
    return await r.json()


async def deliver_everything(client: Any) -> None:
    while await client.runtime.dispatcher.dispatch_once():
        pass


async def test_a_reaction_on_an_internal_note_never_reaches_the_guest_socket(client: Any) -> None:
    ann, bob = await guest(client), await agent(client, "bob")
    started = await call(client, "POST", "/api/guest/conversations", ann, {"service": "sales", "text": "Hi"})
    cid = started["conversation"]["id"]
    await deliver_everything(client)
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_str(json.dumps({"token": ann["Authorization"][7:]}))
    assert (await ws.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"

    messages = f"/api/agent/conversations/{cid}/messages"
    note = (await call(client, "POST", messages, bob, {"text": "VIP, be nice", "internal": True}))["message"]
    await call(client, "POST", f"{messages}/{note['id']}/reactions", bob, {"emoji": "👀"})
    await call(client, "DELETE", f"{messages}/{note['id']}/reactions?emoji=👀", bob)
    await call(client, "POST", f"{messages}/{note['id']}/reactions", bob, {"emoji": "✅"})
    public = (await call(client, "POST", messages, bob, {"text": "Hello Ann"}))["message"]
    await call(client, "POST", f"{messages}/{public['id']}/reactions", bob, {"emoji": "👍"})
    await deliver_everything(client)

    # Pushes to one socket keep their order: once the last one is here, every earlier one is too.
    frames = []
    while not frames or frames[-1].get("event") != "ReactionAdded":
        frames.append(await ws.receive_json(timeout=FRAME_TIMEOUT))
    await ws.close()
    assert note["id"] not in json.dumps(frames)
    assert "VIP" not in json.dumps(frames)
    assert [f.get("event") or f["message"]["text"] for f in frames] == ["Hello Ann", "ReactionAdded"]
    assert frames[-1]["data"]["message_id"] == public["id"]
    assert frames[-1]["data"]["emoji"] == "👍" and frames[-1]["data"]["count"] == 1
    assert "by" not in frames[-1]["data"]  # guests get counts; who reacted is not for every guest
