"""Tokens end: an agent token unused for 30 days and a guest token unused for 90 stop working; one
used every day never does; signing out kills the token in use at once. On SQLite and PostgreSQL, with
a driven clock and the real HTTP app."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken
from bot.tokens import token_hash


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def agent_token(client: Any) -> str:
    return str(await client.runtime.bus.handle(IssueAgentToken("alice@example.com")))


async def guest_token(client: Any) -> str:
    r = await client.post("/api/guest/sessions", json={"name": "Ann", "email": "ann@example.org"})
    return str((await r.json())["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "kind, path, days_unused, works",
    [
        ("agent", "/api/agent/me", 29, True),
        ("agent", "/api/agent/me", 31, False),
        ("guest", "/api/guest/me", 89, True),
        ("guest", "/api/guest/me", 91, False),
    ],
)
async def test_a_token_works_until_it_has_gone_unused_for_its_idle_limit(
    client: Any, clock: Any, kind: str, path: str, days_unused: int, works: bool
) -> None:
    token = await (agent_token(client) if kind == "agent" else guest_token(client))
    assert (await client.get(path, headers=bearer(token))).status == 200
    clock.advance(days=days_unused)
    r = await client.get(path, headers=bearer(token))
    assert r.status == (200 if works else 401)
    if not works:
        assert (await r.json())["code"] == "invalid_token"


async def test_an_agent_token_used_every_day_never_expires(client: Any, clock: Any) -> None:
    token = await agent_token(client)
    for _ in range(120):  # four months, one request a day
        clock.advance(days=1)
        assert (await client.get("/api/agent/me", headers=bearer(token))).status == 200


async def test_the_live_socket_counts_as_use_and_refuses_an_idle_token(client: Any, clock: Any) -> None:
    token = await guest_token(client)
    clock.advance(days=91)
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_json({"token": token})
    answer = await ws.receive_json()
    assert answer["code"] == "invalid_token"
    await ws.close()


async def test_last_use_is_written_at_most_once_an_hour(client: Any, clock: Any) -> None:
    token = await agent_token(client)
    issued = clock.now()

    async def last_used() -> Any:
        async with client.runtime.uow(read_only=True) as uow:
            return (await uow.tokens.lookup(token_hash(token), "api", clock.now())).last_used_at

    clock.advance(minutes=59)
    await client.get("/api/agent/me", headers=bearer(token))
    assert await last_used() == issued  # within the hour: nothing written
    clock.advance(minutes=2)
    await client.get("/api/agent/me", headers=bearer(token))
    assert await last_used() == clock.now()


async def test_signing_out_refuses_the_agent_token_at_once(client: Any) -> None:
    token, other = await agent_token(client), await agent_token(client)
    r = await client.post("/api/agent/logout", headers=bearer(token))
    assert r.status == 200
    r = await client.get("/api/agent/me", headers=bearer(token))
    assert r.status == 401 and (await r.json())["code"] == "invalid_token"
    assert (await client.get("/api/agent/me", headers=bearer(other))).status == 200  # only that one


async def test_ending_a_guest_session_refuses_its_token_at_once(client: Any) -> None:
    token = await guest_token(client)
    assert (await client.delete("/api/guest/session", headers=bearer(token))).status == 200
    assert (await client.get("/api/guest/me", headers=bearer(token))).status == 401
    assert (await client.delete("/api/guest/session", headers=bearer(token))).status == 401
