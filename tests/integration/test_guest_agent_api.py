"""The HTTP API through aiohttp's test client, on SQLite and PostgreSQL: the walking skeleton's path."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from adapters.web.limits import LIMITS
from bot.commands import IssueAgentToken


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def guest(client: Any, name: str = "Ann") -> dict[str, str]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": "ann@example.org"})
    assert r.status == 201
    body = await r.json()
    return {"Authorization": f"Bearer {body['token']}"}


async def agent(client: Any, slug: str) -> dict[str, str]:
    token = await client.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def test_guest_writes_agent_assigns_and_replies(client: Any) -> None:
    g = await guest(client)
    r = await client.post(
        "/api/guest/conversations", json={"service": "sales", "text": "Hi", "client_id": "m1"}, headers=g
    )
    assert r.status == 201
    conversation = (await r.json())["conversation"]
    assert conversation["title"] == "Sales"

    alice = await agent(client, "alice")
    inbox = await (await client.get("/api/agent/conversations", headers=alice)).json()
    assert [c["id"] for c in inbox["conversations"]] == [conversation["id"]]
    assert inbox["conversations"][0]["guest_name"] == "Ann"
    assert inbox["conversations"][0]["unread"] == 1

    r = await client.post(
        f"/api/agent/conversations/{conversation['id']}/assign", json={"to": "me"}, headers=alice
    )
    assert (await r.json())["assignee"] == "alice"
    r = await client.post(
        f"/api/agent/conversations/{conversation['id']}/messages", json={"text": "Hello Ann"}, headers=alice
    )
    assert r.status == 201

    messages = (
        await (await client.get(f"/api/guest/conversations/{conversation['id']}/messages", headers=g)).json()
    )["messages"]
    assert [(m["author"]["kind"], m["text"]) for m in messages] == [
        ("system", "Ann started a conversation with Sales."),
        ("guest", "Hi"),
        ("system", "Alice took this conversation (Sales)."),
        ("agent", "Hello Ann"),
    ]


async def test_same_service_continues_the_conversation_and_resends_are_stored_once(client: Any) -> None:
    g = await guest(client)
    first = await (
        await client.post(
            "/api/guest/conversations", json={"service": "sales", "text": "1", "client_id": "a"}, headers=g
        )
    ).json()
    again = await client.post(
        "/api/guest/conversations", json={"service": "sales", "text": "2", "client_id": "b"}, headers=g
    )
    assert again.status == 200
    assert (await again.json())["conversation"]["id"] == first["conversation"]["id"]
    cid = first["conversation"]["id"]
    for _ in range(3):
        r = await client.post(
            f"/api/guest/conversations/{cid}/messages", json={"text": "3", "client_id": "c"}, headers=g
        )
    assert r.status == 200  # the resend returns the stored message
    texts = [
        m["text"]
        for m in (await (await client.get(f"/api/guest/conversations/{cid}/messages", headers=g)).json())[
            "messages"
        ]
    ]
    assert texts.count("3") == 1
    other = await client.post("/api/guest/conversations", json={"service": "support", "text": "x"}, headers=g)
    assert (await other.json())["conversation"]["id"] != cid


async def test_internal_notes_never_reach_the_guest(client: Any) -> None:
    g = await guest(client)
    cid = (
        await (
            await client.post("/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=g)
        ).json()
    )["conversation"]["id"]
    bob = await agent(client, "bob")
    await client.post(
        f"/api/agent/conversations/{cid}/messages", json={"text": "note", "internal": True}, headers=bob
    )
    guest_texts = [
        m["text"]
        for m in (await (await client.get(f"/api/guest/conversations/{cid}/messages", headers=g)).json())[
            "messages"
        ]
    ]
    agent_texts = [
        m["text"]
        for m in (await (await client.get(f"/api/agent/conversations/{cid}/messages", headers=bob)).json())[
            "messages"
        ]
    ]
    assert "note" not in guest_texts and "note" in agent_texts


BAD = [
    # (who, method, path, body, status, code)
    ("nobody", "GET", "/api/guest/conversations", None, 401, "invalid_token"),
    ("forged", "GET", "/api/guest/conversations", None, 401, "invalid_token"),
    ("nobody", "GET", "/api/agent/conversations", None, 401, "invalid_token"),
    ("guest", "GET", "/api/agent/conversations", None, 401, "invalid_token"),
    ("guest", "POST", "/api/guest/conversations", {"service": "nope", "text": "x"}, 404, "unknown_service"),
    ("guest", "POST", "/api/guest/conversations", {"service": "sales", "text": "   "}, 400, "empty_message"),
    (
        "guest",
        "POST",
        "/api/guest/conversations",
        {"service": "sales", "text": "x" * 10_001},
        400,
        "message_too_long",
    ),
    ("guest", "POST", "/api/guest/conversations", {"text": "x"}, 400, "service_or_agent"),
    ("guest", "POST", "/api/guest/conversations", "{not json", 400, "malformed_json"),
    ("guest", "POST", "/api/guest/conversations", {"service": 5, "text": "x"}, 400, "invalid_field"),
    ("other_guest", "GET", "/api/guest/conversations/{cid}/messages", None, 404, "unknown_conversation"),
    (
        "other_guest",
        "POST",
        "/api/guest/conversations/{cid}/messages",
        {"text": "x"},
        404,
        "unknown_conversation",
    ),
    ("carol", "GET", "/api/agent/conversations/{cid}/messages", None, 404, "unknown_conversation"),
    ("carol", "POST", "/api/agent/conversations/{cid}/assign", {"to": "me"}, 404, "unknown_conversation"),
    (
        "alice",
        "POST",
        "/api/agent/conversations/{cid}/assign",
        {"service": "sales", "assignee": "carol"},
        403,
        "not_a_member",
    ),
    ("alice", "POST", "/api/agent/conversations/{cid}/assign", {"service": "nope"}, 404, "unknown_service"),
    ("guest", "POST", "/api/guest/sessions", {"name": ""}, 400, "empty_name"),
    ("guest", "POST", "/api/guest/sessions", {"name": "A", "email": "not-an-email"}, 400, "invalid_email"),
]


@pytest.mark.parametrize("who, method, path, body, status, code", BAD)
async def test_bad_input_is_refused_and_writes_nothing(
    client: Any, who: str, method: str, path: str, body: Any, status: int, code: str
) -> None:
    owner = await guest(client)
    cid = (
        await (
            await client.post(
                "/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=owner
            )
        ).json()
    )["conversation"]["id"]
    known = {
        "nobody": {},
        "forged": {"Authorization": "Bearer forged"},
        "guest": owner,
        "other_guest": await guest(client, "Mallory"),
    }
    headers = known[who] if who in known else await agent(client, who)
    before = await _counts(client)
    kwargs: dict[str, Any] = {"headers": headers}
    if isinstance(body, str):
        kwargs["data"] = body
        kwargs["headers"] = {**headers, "Content-Type": "application/json"}
    elif body is not None:
        kwargs["json"] = body
    r = await client.request(method, path.format(cid=cid), **kwargs)
    assert r.status == status
    assert (await r.json())["code"] == code
    assert await _counts(client) == before


async def _counts(client: Any) -> tuple[int, ...]:
    from sqlalchemy import text

    async with client.runtime.storage.session() as s:
        return tuple(
            [
                (await s.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
                for t in ("conversations", "messages", "outbox", "bindings")
            ]
        )


async def test_health_metrics_and_openapi_cover_every_route(client: Any) -> None:
    assert await (await client.get("/healthz")).json() == {"status": "ok"}
    metrics = await (await client.get("/metrics")).text()
    assert "convene_command_seconds" in metrics
    from adapters.web.openapi import api_routes, documented_paths

    doc = await (await client.get("/api/openapi.json")).json()
    routes = api_routes(client.app)
    missing = routes - documented_paths(client.app)
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"
    for method, path in routes:
        assert method.lower() in doc["paths"][path]


async def test_login_link_is_emailed_and_works_once(client: Any, tmp_path: Any) -> None:
    r = await client.post("/api/agent/login", json={"email": "alice@example.com"})
    assert r.status == 202
    assert (await client.post("/api/agent/login", json={"email": "nobody@example.com"})).status == 202
    await client.app[LIMITS].settle()  # the link is issued after the answer (adapters/web/limits.py)
    await client.runtime.dispatcher.dispatch_once()
    import email
    import email.policy
    import re
    from pathlib import Path

    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (Path(client.runtime.settings.data_dir) / "outbox").glob("*.eml")
    ]
    alice_mails = [m for m in mails if "alice@example.com" in m["To"]]
    assert alice_mails and not [m for m in mails if "nobody" in m["To"]]
    body = alice_mails[-1].get_body(("plain",)).get_content()
    token = re.search(r"token=([\w-]+)", body).group(1)
    r = await client.post("/api/agent/login/redeem", json={"token": token})
    api_token = (await r.json())["token"]
    me = await (await client.get("/api/agent/me", headers={"Authorization": f"Bearer {api_token}"})).json()
    assert me["slug"] == "alice" and me["services"] == ["sales"]
    again = await client.post("/api/agent/login/redeem", json={"token": token})
    assert again.status == 401 and (await again.json())["code"] == "invalid_login_link"
