"""What a guest may see, end to end on SQLite and PostgreSQL: live pushes over the guest WebSocket,
unread counts and sequence numbers. Internal notes, and everything about them, stay with the agents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken, PostMessage, StartConversation
from bot.model import Actor
from tests.integration.test_email import mails_to, tick
from tests.support.identity import proven_guest

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
    assert frames[0]["message"]["seq"] == 3  # the notice, Hi, Hello Ann: the note is not counted
    assert frames[-1]["data"]["message_id"] == public["id"]
    assert frames[-1]["data"]["emoji"] == "👍" and frames[-1]["data"]["count"] == 1
    assert "by" not in frames[-1]["data"]  # guests get counts; who reacted is not for every guest


async def notes_between_replies(client: Any) -> tuple[str, dict[str, str], dict[str, str]]:
    """Ann wrote to Sales; Bob answered twice, with an internal note after each answer."""
    ann, bob = await guest(client), await agent(client, "bob")
    started = await call(client, "POST", "/api/guest/conversations", ann, {"service": "sales", "text": "Hi"})
    cid = started["conversation"]["id"]
    messages = f"/api/agent/conversations/{cid}/messages"
    for text, internal in [("Hello Ann", False), ("VIP", True), ("Anything else?", False), ("Upsell", True)]:
        await call(client, "POST", messages, bob, {"text": text, "internal": internal})
    # Everyone's numbering: the notice, Hi, Hello Ann, VIP, Anything else?, Upsell.
    assert (await call(client, "GET", f"/api/agent/conversations/{cid}", bob))["last_seq"] == 6
    return cid, ann, bob


async def test_a_guest_s_unread_count_and_last_seq_ignore_internal_notes(client: Any) -> None:
    cid, ann, bob = await notes_between_replies(client)
    view = await call(client, "GET", f"/api/guest/conversations/{cid}", ann)
    assert (view["last_seq"], view["unread"]) == (4, 2)
    (listed,) = (await call(client, "GET", "/api/guest/conversations", ann))["conversations"]
    assert (listed["last_seq"], listed["unread"]) == (4, 2)

    read = f"/api/guest/conversations/{cid}/read"
    assert (await call(client, "POST", read, ann, {"seq": 3}))["seq"] == 3
    assert (await call(client, "GET", f"/api/guest/conversations/{cid}", ann))["unread"] == 1
    assert (await call(client, "POST", read, ann, {"seq": 99}))["seq"] == 4
    assert (await call(client, "GET", f"/api/guest/conversations/{cid}", ann))["unread"] == 0
    # Having read all they see is having read everything: agents see Ann's marker at the last note.
    members = (await call(client, "GET", f"/api/agent/conversations/{cid}", bob))["members"]
    assert next(m for m in members if m["kind"] == "guest")["last_read_seq"] == 6


async def test_a_guest_s_sequence_numbers_count_only_what_they_see(client: Any) -> None:
    cid, ann, _ = await notes_between_replies(client)
    seen = await call(client, "GET", f"/api/guest/conversations/{cid}/messages", ann)
    assert [(m["seq"], m["text"]) for m in seen["messages"]] == [
        (1, "Ann started a conversation with Sales."),
        (2, "Hi"),
        (3, "Hello Ann"),
        (4, "Anything else?"),
    ]
    # Catching up after a number the guest has continues in the guest's numbering.
    after = await call(client, "GET", f"/api/guest/conversations/{cid}/messages?after=3", ann)
    assert [(m["seq"], m["text"]) for m in after["messages"]] == [(4, "Anything else?")]

    # Ann's own next messages, by the API and by the socket, and the live push: numbers 5 and 6.
    # (The push goes to Ann's other tab; the socket that sent it has the message in its ack.)
    sent = await call(client, "POST", f"/api/guest/conversations/{cid}/messages", ann, {"text": "No, thanks"})
    assert sent["message"]["seq"] == 5
    await deliver_everything(client)
    ws, tab = await client.ws_connect("/api/guest/ws"), await client.ws_connect("/api/guest/ws")
    for socket in (ws, tab):
        await socket.send_str(json.dumps({"token": ann["Authorization"][7:]}))
        assert (await socket.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"
    await ws.send_str(json.dumps({"type": "send", "conversation_id": cid, "text": "Bye", "client_id": "b1"}))
    ack = await ws.receive_json(timeout=FRAME_TIMEOUT)
    assert ack["type"] == "ack" and ack["message"]["seq"] == 6
    await deliver_everything(client)
    pushed = await tab.receive_json(timeout=FRAME_TIMEOUT)
    await ws.close()
    await tab.close()
    assert pushed["message"]["text"] == "Bye" and pushed["message"]["seq"] == 6


async def test_an_agent_s_inbox_counts_each_conversation_from_their_own_marker_in_it(client: Any) -> None:
    ann, ben, alice = await guest(client, "Ann"), await guest(client, "Ben"), await agent(client, "alice")

    async def write(who: dict[str, str], *texts: str) -> str:
        body = {"service": "sales", "text": texts[0]}
        cid: str = (await call(client, "POST", "/api/guest/conversations", who, body))["conversation"]["id"]
        for text in texts[1:]:
            await call(client, "POST", f"/api/guest/conversations/{cid}/messages", who, {"text": text})
        return cid

    async def read(cid: str) -> None:
        last = (await call(client, "GET", f"/api/agent/conversations/{cid}", alice))["last_seq"]
        await call(client, "POST", f"/api/agent/conversations/{cid}/read", alice, {"seq": last})

    anns = await write(ann, "Hi")
    await read(anns)  # Alice's marker: 2
    bens = await write(ben, "Hi", "Are you there?", "Hello?")
    await read(bens)  # Alice's marker: 4
    note = {"text": "Ben again", "internal": True}
    await call(client, "POST", f"/api/agent/conversations/{bens}/messages", alice, note)  # marker: 5
    await write(ann, "One more thing")
    await write(ben, "Still waiting", "Please")
    inbox = (await call(client, "GET", "/api/agent/conversations", alice))["conversations"]
    assert {c["id"]: c["unread"] for c in inbox} == {anns: 1, bens: 2}


async def test_a_guest_s_unread_email_shows_and_counts_only_what_the_guest_sees(
    seeded: Any, clock: Any
) -> None:
    ann = await proven_guest(seeded, "Ann", "ann@example.org")
    cid = (await seeded.bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation.id
    alice = Actor("agent", "alice", "Alice")
    await seeded.bus.handle(PostMessage(cid, alice, "VIP", internal=True))
    await seeded.bus.handle(PostMessage(cid, alice, "Hello Ann"))
    clock.advance(minutes=5)
    await tick(seeded)
    (mail,) = mails_to(seeded, "ann@example.org")
    # The Message-ID names the person and the time, never a sequence number that would count the note.
    assert str(mail["Message-ID"]).strip().startswith(f"<digest-guest-{ann.id}-20261123080500@")
    body = mail.get_body(("plain",)).get_content()
    assert "Hello Ann" in body and "VIP" not in body and mail["Subject"] == "1 new message in Sales"
