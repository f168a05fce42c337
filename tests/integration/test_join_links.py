"""Join links can be rotated and turned off, and a guest an agent removed cannot come back with a
link they kept. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def guest(client: Any, name: str) -> dict[str, str]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": f"{name.lower()}@example.org"})
    return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def agent(client: Any, slug: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken(f'{slug}@example.com'))}"
    }


async def conversation(client: Any) -> tuple[str, str, dict[str, str]]:
    """Ann writes to Sales; Alice (Sales) reads its link. (id, link token, Alice's headers)"""
    ann = await guest(client, "Ann")
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=ann)
    cid = (await r.json())["conversation"]["id"]
    alice = await agent(client, "alice")
    view = await (await client.get(f"/api/agent/conversations/{cid}", headers=alice)).json()
    return cid, view["link_token"], alice


async def join(client: Any, who: dict[str, str], token: str | None) -> tuple[int, str | None]:
    r = await client.post("/api/guest/join", json={"link_token": token or ""}, headers=who)
    return r.status, (await r.json()).get("code")


async def test_rotating_the_link_kills_the_old_one(client: Any) -> None:
    cid, old, alice = await conversation(client)
    r = await client.post(f"/api/agent/conversations/{cid}/link", headers=alice)
    new = (await r.json())["link_token"]
    assert r.status == 200 and new and new != old
    assert await join(client, await guest(client, "Eve"), old) == (404, "invalid_link")
    assert (await join(client, await guest(client, "Fay"), new))[0] == 201


@pytest.mark.parametrize("how", ["DELETE", "POST enabled false"])
async def test_a_link_turned_off_lets_nobody_in(client: Any, how: str) -> None:
    cid, old, alice = await conversation(client)
    path = f"/api/agent/conversations/{cid}/link"
    if how == "DELETE":
        r = await client.delete(path, headers=alice)
    else:
        r = await client.post(path, json={"enabled": False}, headers=alice)
    assert r.status == 200 and (await r.json())["link_token"] is None
    assert await join(client, await guest(client, "Eve"), old) == (404, "invalid_link")
    # Turning it on again makes a new link; the old one stays dead.
    new = (await (await client.post(path, headers=alice)).json())["link_token"]
    assert new and new != old


async def test_only_agents_who_see_it_change_the_link(client: Any) -> None:
    cid, _, _ = await conversation(client)
    carol = await agent(client, "carol")  # Support: cannot see a Sales conversation
    r = await client.post(f"/api/agent/conversations/{cid}/link", headers=carol)
    assert r.status == 404 and (await r.json())["code"] == "unknown_conversation"
    r = await client.post(f"/api/agent/conversations/{cid}/link", headers=await guest(client, "Ann"))
    assert r.status == 401


async def test_a_removed_guest_cannot_rejoin_with_the_link_they_kept(client: Any) -> None:
    cid, link, alice = await conversation(client)
    eve = await guest(client, "Eve")
    assert (await join(client, eve, link))[0] == 201
    eve_id = (await (await client.get("/api/guest/me", headers=eve)).json())["guest_id"]
    r = await client.delete(f"/api/agent/conversations/{cid}/members/guest/{eve_id}", headers=alice)
    assert r.status == 200
    assert await join(client, eve, link) == (403, "removed_from_conversation")
    r = await client.get(f"/api/guest/conversations/{cid}", headers=eve)
    assert r.status == 404
    # Someone else still joins by the same link: only the removed guest is refused.
    assert (await join(client, await guest(client, "Fay"), link))[0] == 201
