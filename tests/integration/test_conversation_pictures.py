"""A conversation's own picture over HTTP, on both databases: an agent uploads it (redrawn like an
agent's avatar), replaces it (the old file leaves the disk) and deletes it; agents see it, and a guest
sees it only with the conversation's own title (after a rename). What is not a picture, too large, or
sent by an agent of another service is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from tests.integration.test_avatars import PNG, picture
from tests.integration.test_conversation_rules import agent, call, guest, start


@pytest.fixture
async def client(seeded: Any) -> Any:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


def stored(client: Any) -> list[str]:
    folder = Path(client.runtime.settings.data_dir) / "avatars"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def put(client: Any, cid: str, who: dict[str, str], body: bytes) -> tuple[int, Any]:
    r = await client.put(f"/api/agent/conversations/{cid}/picture", data=body, headers=who)
    return r.status, await r.json()


async def seen(client: Any, cid: str, who: dict[str, str], side: str) -> str | None:
    status, view = await call(client, "GET", f"/api/{side}/conversations/{cid}", who)
    assert status == 200, view
    url: str | None = view["avatar"]["url"]
    return url


async def test_an_agent_uploads_replaces_and_deletes_the_conversation_picture(client: Any) -> None:
    ann, alice = await guest(client, "Ann"), await agent(client, "alice")
    cid = await start(client, ann, service="sales")
    status, body = await put(client, cid, alice, PNG)
    assert status == 200, body
    first = body["picture"]
    served = await client.get(first.removeprefix(client.runtime.settings.base_url))
    assert served.status == 200 and served.content_type == "image/png"
    assert await seen(client, cid, alice, "agent") == first
    _, inbox = await call(client, "GET", "/api/agent/conversations", alice)
    assert [c["avatar"]["url"] for c in inbox["conversations"] if c["id"] == cid] == [first]
    assert await seen(client, cid, ann, "guest") is None  # Ann sees "Sales", not the conversation's name

    await call(client, "POST", f"/api/agent/conversations/{cid}/rename", alice, {"title": "Launch plan"})
    assert await seen(client, cid, ann, "guest") == first  # now the title is the conversation's own

    status, body = await put(client, cid, alice, picture("JPEG"))
    second = body["picture"]
    assert status == 200 and second != first and second.endswith(".jpg")
    assert stored(client) == [second.rsplit("/", 1)[-1]]  # the replaced file left the disk

    r = await client.delete(f"/api/agent/conversations/{cid}/picture", headers=alice)
    assert r.status == 200 and (await r.json())["picture"] is None
    assert await seen(client, cid, ann, "guest") is None
    assert stored(client) == []
    _, messages = await call(client, "GET", f"/api/agent/conversations/{cid}/messages", alice)
    notices = [m["text"] for m in messages["messages"] if "picture" in (m.get("text") or "")]
    assert notices == [
        "Alice changed the picture.",
        "Alice changed the picture.",
        "Alice removed the picture.",
    ]


@pytest.mark.parametrize(
    "body, who, status, code",
    [
        (b"<svg onload=alert(1)>", "alice", 400, "avatar_not_an_image"),
        (PNG + b"\x00" * (512 * 1024), "alice", 400, "avatar_too_large"),
        (PNG, "carol", 404, "unknown_conversation"),  # Support's agent: Sales' conversation is not hers
    ],
    ids=["not-an-image", "too-large", "another-service"],
)
async def test_bad_picture_uploads_are_refused_and_change_nothing(
    client: Any, body: bytes, who: str, status: int, code: str
) -> None:
    ann = await guest(client, "Ann")
    cid = await start(client, ann, service="sales")
    got, answer = await put(client, cid, await agent(client, who), body)
    assert (got, answer["code"]) == (status, code)
    assert await seen(client, cid, await agent(client, "alice"), "agent") is None
    assert stored(client) == []


async def test_an_agent_of_another_service_cannot_delete_the_picture(client: Any) -> None:
    ann, alice = await guest(client, "Ann"), await agent(client, "alice")
    cid = await start(client, ann, service="sales")
    await put(client, cid, alice, PNG)
    r = await client.delete(f"/api/agent/conversations/{cid}/picture", headers=await agent(client, "carol"))
    assert r.status == 404 and (await r.json())["code"] == "unknown_conversation"
    assert await seen(client, cid, alice, "agent") is not None and len(stored(client)) == 1
