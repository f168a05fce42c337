"""Conversation rules through the HTTP API and WebSocket, on SQLite and PostgreSQL: members, titles,
read-only and by-link access, reuse, reactions and read markers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from adapters.web.app import make_app
from bot.commands import IssueAgentToken
from bot.model import Member

TABLES = ("conversations", "messages", "outbox", "bindings", "conversation_members", "reactions", "guests")


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def guest(client: Any, name: str, email: str | None = None) -> dict[str, str]:
    body = {"name": name, "email": email if email is not None else f"{name.lower()}@example.org"}
    if not body["email"]:
        del body["email"]
    r = await client.post("/api/guest/sessions", json=body)
    assert r.status == 201
    return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def agent(client: Any, slug: str) -> dict[str, str]:
    token = await client.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def call(
    client: Any, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    r = await client.request(method, path, headers=headers, **({"json": body} if body is not None else {}))
    return r.status, await r.json()


async def start(client: Any, who: dict[str, str], **target: str) -> str:
    status, body = await call(client, "POST", "/api/guest/conversations", who, {"text": "Hi", **target})
    assert status in (200, 201), body
    return body["conversation"]["id"]


async def counts(client: Any) -> tuple[int, ...]:
    async with client.runtime.storage.session() as s:
        return tuple([(await s.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one() for t in TABLES])


async def texts(client: Any, cid: str, headers: dict[str, str]) -> list[str]:
    _, body = await call(client, "GET", f"/api/agent/conversations/{cid}/messages", headers)
    return [m["text"] for m in body["messages"]]


@pytest.fixture
async def read_only_room(client: Any) -> dict[str, Any]:
    """Ann wrote to Sales; Alice made it read-only for external members; Eve joined by its link."""
    ann, alice, eve = await guest(client, "Ann"), await agent(client, "alice"), await guest(client, "Eve")
    cid = await start(client, ann, service="sales")
    _, view = await call(client, "GET", f"/api/agent/conversations/{cid}", alice)
    assert (
        await call(client, "POST", f"/api/agent/conversations/{cid}/read-only", alice, {"read_only": True})
    )[0] == 200
    status, joined = await call(client, "POST", "/api/guest/join", eve, {"link_token": view["link_token"]})
    assert status == 201 and joined["conversation"]["can_write"] is False
    _, messages = await call(client, "GET", f"/api/agent/conversations/{cid}/messages", alice)
    return {
        "cid": cid,
        "ann": ann,
        "alice": alice,
        "eve": eve,
        "mallory": await guest(client, "Mallory"),
        "nomail": await guest(client, "Nemo", ""),
        "carol": await agent(client, "carol"),
        "message": messages["messages"][1]["id"],  # Ann's "Hi"
        "link": view["link_token"],
    }


REFUSED = [
    # (who, method, path, body, status, code): nothing of these writes anything
    ("mallory", "GET", "/api/guest/conversations/{cid}", None, 404, "unknown_conversation"),
    ("mallory", "GET", "/api/guest/conversations/{cid}/messages", None, 404, "unknown_conversation"),
    (
        "mallory",
        "POST",
        "/api/guest/conversations/{cid}/messages",
        {"text": "x"},
        404,
        "unknown_conversation",
    ),
    ("mallory", "GET", "/api/guest/conversations/{cid}/members", None, 404, "unknown_conversation"),
    ("mallory", "GET", "/api/guest/conversations/{cid}/reactions", None, 404, "unknown_conversation"),
    (
        "mallory",
        "POST",
        "/api/guest/conversations/{cid}/messages/{mid}/reactions",
        {"emoji": "👍"},
        404,
        "unknown_conversation",
    ),
    ("mallory", "POST", "/api/guest/join", {"link_token": "wrong"}, 404, "invalid_link"),
    ("mallory", "POST", "/api/guest/join", {"link_token": ""}, 404, "invalid_link"),
    ("mallory", "POST", "/api/guest/join", {"link_token": "{link}x"}, 404, "invalid_link"),
    ("nomail", "POST", "/api/guest/join", {"link_token": "{link}"}, 400, "email_required"),
    ("carol", "GET", "/api/agent/conversations/{cid}/members", None, 404, "unknown_conversation"),
    (
        "carol",
        "POST",
        "/api/agent/conversations/{cid}/members",
        {"agent": "carol"},
        404,
        "unknown_conversation",
    ),
    (
        "carol",
        "POST",
        "/api/agent/conversations/{cid}/rename",
        {"title": "Mine"},
        404,
        "unknown_conversation",
    ),
    (
        "carol",
        "POST",
        "/api/agent/conversations/{cid}/read-only",
        {"read_only": False},
        404,
        "unknown_conversation",
    ),
    (
        "carol",
        "DELETE",
        "/api/agent/conversations/{cid}/members/guest/{eve}",
        None,
        404,
        "unknown_conversation",
    ),
    ("eve", "POST", "/api/guest/conversations/{cid}/messages", {"text": "let me talk"}, 403, "read_only"),
    ("eve", "GET", "/api/guest/conversations/{cid}/members", None, 403, "members_hidden"),
    ("eve", "POST", "/api/agent/conversations/{cid}/rename", {"title": "Mine"}, 401, "invalid_token"),
    (
        "ann",
        "POST",
        "/api/agent/conversations/{cid}/members",
        {"email": "x@example.org"},
        401,
        "invalid_token",
    ),
    ("alice", "POST", "/api/agent/conversations/{cid}/members", {"email": ""}, 400, "email_required"),
    ("alice", "POST", "/api/agent/conversations/{cid}/members", {"email": "nope"}, 400, "invalid_email"),
    ("alice", "POST", "/api/agent/conversations/{cid}/members", {}, 400, "agent_or_email"),
    ("alice", "POST", "/api/agent/conversations/{cid}/members", {"agent": "zed"}, 404, "unknown_agent"),
    (
        "alice",
        "DELETE",
        "/api/agent/conversations/{cid}/members/guest/{ann_id}",
        None,
        400,
        "cannot_remove_owner",
    ),
    ("alice", "DELETE", "/api/agent/conversations/{cid}/members/agent/dave", None, 404, "unknown_member"),
    ("alice", "POST", "/api/agent/conversations/{cid}/rename", {"title": "  "}, 400, "empty_title"),
    (
        "alice",
        "POST",
        "/api/agent/conversations/{cid}/messages/{mid}/reactions",
        {"emoji": "a b"},
        400,
        "invalid_emoji",
    ),
    (
        "alice",
        "POST",
        "/api/agent/conversations/{cid}/messages/nope/reactions",
        {"emoji": "👍"},
        404,
        "unknown_message",
    ),
]


@pytest.mark.parametrize("who, method, path, body, status, code", REFUSED)
async def test_refusals_answer_with_a_code_and_write_nothing(
    client: Any,
    read_only_room: dict[str, Any],
    who: str,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    room = read_only_room
    async with client.runtime.uow(read_only=True) as uow:
        conversation = await uow.conversations.get(room["cid"])
        eve_id = next(m.id for m in await uow.conversations.members(room["cid"]) if m.external)
    values = {"cid": room["cid"], "mid": room["message"], "link": room["link"], "eve": eve_id}
    values["ann_id"] = conversation.guest_id
    if isinstance(body, dict):
        body = {k: v.format(**values) if isinstance(v, str) else v for k, v in body.items()}
    before = await counts(client)
    got_status, got = await call(client, method, path.format(**values), room[who], body)
    assert (got_status, got["code"]) == (status, code)
    assert await counts(client) == before


async def test_an_external_member_of_a_read_only_conversation_reads_and_reacts(
    client: Any, read_only_room: dict[str, Any]
) -> None:
    room, cid = read_only_room, read_only_room["cid"]
    status, view = await call(client, "GET", f"/api/guest/conversations/{cid}", room["eve"])
    assert status == 200 and view["title"] == "Sales" and view["members"] == [] and not view["can_write"]
    status, body = await call(client, "GET", f"/api/guest/conversations/{cid}/messages", room["eve"])
    assert status == 200 and "Hi" in [m["text"] for m in body["messages"]]
    path = f"/api/guest/conversations/{cid}/messages/{room['message']}/reactions"
    assert (await call(client, "POST", path, room["eve"], {"emoji": "👍"}))[1]["count"] == 1
    assert (await call(client, "POST", path, room["ann"], {"emoji": "👍"}))[1]["count"] == 2
    again = await call(client, "POST", path, room["ann"], {"emoji": "👍"})
    assert again[1]["count"] == 2  # once per member
    _, seen_by_eve = await call(client, "GET", f"/api/guest/conversations/{cid}/reactions", room["eve"])
    assert seen_by_eve["reactions"][room["message"]] == [{"emoji": "👍", "count": 2, "mine": True}]
    _, seen_by_ann = await call(client, "GET", f"/api/guest/conversations/{cid}/reactions", room["ann"])
    assert sorted(seen_by_ann["reactions"][room["message"]][0]["by"]) == ["Ann", "Eve"]
    _, seen_by_alice = await call(client, "GET", f"/api/agent/conversations/{cid}/reactions", room["alice"])
    (counted,) = seen_by_alice["reactions"][room["message"]]
    assert {**counted, "by": sorted(counted["by"])} == {
        "emoji": "👍",
        "count": 2,
        "mine": False,
        "by": ["Ann", "Eve"],
    }
    r = await client.delete(path + "?emoji=👍", headers=room["eve"])
    assert (await r.json())["count"] == 1

    # The WebSocket send path goes through the same command, so it refuses the same way.
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_str(json.dumps({"token": room["eve"]["Authorization"][7:]}))
    assert (await ws.receive_json())["type"] == "hello"
    await ws.send_str(json.dumps({"type": "send", "conversation_id": cid, "text": "hi", "client_id": "w1"}))
    assert (await ws.receive_json())["code"] == "read_only"
    await ws.close()

    # Writable again: the external member writes; the change is a notice in the thread.
    await call(
        client, "POST", f"/api/agent/conversations/{cid}/read-only", room["alice"], {"read_only": False}
    )
    assert (
        await call(client, "POST", f"/api/guest/conversations/{cid}/messages", room["eve"], {"text": "hello"})
    )[0] == 201
    assert (await call(client, "GET", f"/api/guest/conversations/{cid}/members", room["eve"]))[0] == 200
    assert await texts(client, cid, room["alice"]) == [
        "Ann started a conversation with Sales.",
        "Hi",
        "Alice made this conversation read-only for external members.",
        "Eve joined by link.",
        "Alice let external members write again.",
        "hello",
    ]


async def test_titles_avatars_members_and_renames_from_each_side(client: Any) -> None:
    ann, ben, alice = await guest(client, "Ann"), await guest(client, "Ben"), await agent(client, "alice")
    async with client.runtime.uow() as uow:  # Alice uploaded a picture
        me = await uow.agents.get("alice")
        me.avatar_url = "https://pics.example/alice.png"
        await uow.agents.save(me)
        await uow.commit()
    cid = await start(client, ann, agent="alice")

    async def seen(who: dict[str, str], side: str) -> tuple[str, str, str | None]:
        _, view = await call(client, "GET", f"/api/{side}/conversations/{cid}", who)
        return view["title"], view["avatar"]["initials"], view["avatar"]["url"]

    assert await seen(ann, "guest") == ("Alice", "A", "https://pics.example/alice.png")
    assert await seen(alice, "agent") == ("Ann", "A", None)

    _, view = await call(client, "GET", f"/api/agent/conversations/{cid}", alice)
    clock = client.runtime.clock
    clock.advance(minutes=1)
    await call(client, "POST", "/api/guest/join", ben, {"link_token": view["link_token"]})
    assert await seen(alice, "agent") == ("Ann, Ben", "AB", None)
    # A group now, started from Alice's personal link: the guest sees Alice's service, not her name.
    assert (await seen(ann, "guest"))[0] == "Sales"
    clock.advance(minutes=1)

    status, added = await call(
        client, "POST", f"/api/agent/conversations/{cid}/members", alice, {"agent": "bob"}
    )
    assert status == 201 and added["member"]["kind"] == "agent"
    assert (await call(client, "POST", f"/api/agent/conversations/{cid}/members", alice, {"agent": "bob"}))[
        0
    ] == 200
    assert (await seen(ann, "guest"))[0] == "Sales"
    clock.advance(minutes=1)
    status, added = await call(
        client,
        "POST",
        f"/api/agent/conversations/{cid}/members",
        alice,
        {"email": "cleo@example.org", "name": "Cleo"},
    )
    assert status == 201 and added["member"]["email"] == "cleo@example.org"
    assert await seen(alice, "agent") == ("Ann, Ben, Cleo", "AB", None)

    await call(client, "POST", f"/api/agent/conversations/{cid}/rename", alice, {"title": "Launch plan"})
    assert await seen(ann, "guest") == ("Launch plan", "LP", None)
    assert await seen(ben, "guest") == ("Launch plan", "LP", None)
    assert await seen(alice, "agent") == ("Launch plan", "LP", None)
    _, inbox = await call(client, "GET", "/api/agent/conversations", alice)
    assert inbox["conversations"][0]["title"] == "Launch plan"

    cleo_id = added["member"]["id"]
    assert (await call(client, "DELETE", f"/api/agent/conversations/{cid}/members/guest/{cleo_id}", alice))[
        0
    ] == 200
    _, members = await call(client, "GET", f"/api/agent/conversations/{cid}/members", alice)
    assert [(m["kind"], m["name"]) for m in members["members"]] == [
        ("guest", "Ann"),
        ("agent", "Alice"),
        ("guest", "Ben"),
        ("agent", "Bob"),
    ]
    # Read markers per member, for agents: Ann read her own message; Ben what was there when he joined.
    marks = {m["name"]: m["last_read_seq"] for m in members["members"]}
    assert marks["Ann"] == 2 and marks["Ben"] == 2 and marks["Bob"] >= 3
    assert (await texts(client, cid, alice))[2:] == [
        "Ben joined by link.",
        "Alice added Bob.",
        "Alice added Cleo.",
        "Alice renamed the conversation to “Launch plan”.",
        "Alice removed Cleo.",
    ]
    # Ben sees the conversation in his list; Cleo's guest record was made from her address.
    _, mine = await call(client, "GET", "/api/guest/conversations", ben)
    assert [c["id"] for c in mine["conversations"]] == [cid]


async def test_a_guest_continues_with_an_agent_who_is_a_member(client: Any) -> None:
    ann, alice = await guest(client, "Ann"), await agent(client, "alice")
    cid = await start(client, ann, service="sales")
    await call(client, "POST", f"/api/agent/conversations/{cid}/members", alice, {"agent": "dave"})
    assert await start(client, ann, agent="dave") == cid  # Dave is in support, but she talked to him here
    assert await start(client, ann, service="sales") == cid
    assert await start(client, ann, agent="carol") != cid
    carol = await agent(client, "carol")
    _, inbox = await call(client, "GET", "/api/agent/conversations", await agent(client, "dave"))
    assert cid in [c["id"] for c in inbox["conversations"]]  # Dave's inbox lists it: he is a member
    _, inbox = await call(client, "GET", "/api/agent/conversations", carol)
    assert cid not in [c["id"] for c in inbox["conversations"]]


async def test_at_most_a_thousand_members(client: Any) -> None:
    ann, alice = await guest(client, "Ann"), await agent(client, "alice")
    cid = await start(client, ann, service="sales")
    async with client.runtime.uow() as uow:
        have = len(await uow.conversations.members(cid))
        for i in range(1000 - have):
            await uow.conversations.add_member(cid, Member("guest", f"g{i}", f"G{i}", f"g{i}@example.org"))
        await uow.commit()
    before = await counts(client)
    status, body = await call(
        client, "POST", f"/api/agent/conversations/{cid}/members", alice, {"agent": "bob"}
    )
    assert (status, body["code"]) == (409, "too_many_members")
    _, view = await call(client, "GET", f"/api/agent/conversations/{cid}", alice)
    status, body = await call(
        client, "POST", "/api/guest/join", await guest(client, "Zoe"), {"link_token": view["link_token"]}
    )
    assert (status, body["code"]) == (409, "too_many_members")
    assert await counts(client) == (
        before[0],
        before[1],
        before[2],
        before[3],
        before[4],
        before[5],
        before[6] + 1,
    )
