"""Every route of the OpenAPI document, walked with a corpus of bad values, on SQLite and PostgreSQL.

Each request carries one bad value (in the body, a query parameter or a path parameter) on top of
otherwise plausible input, and must answer a JSON error with a ``code``, never a 5xx, and write
nothing: the row count of every table is the same before and after each route's walk. The corpus is
sampled per field (a few values each), not crossed, so a walk stays at a few seconds per database.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken

# Bad for any field of that type: wrong JSON types, characters no column holds, sizes no field has.
BY_TYPE: dict[str, list[Any]] = {
    "string": [123, True, [], {"a": 1}, "\ud800", "a\x00b", "x" * 20_000],
    "integer": ["1", 1.5, True, [], 2**31, -1, 2**63, -(2**63)],
    "boolean": ["yes", 1, [], {"a": 1}],
}
# Bad for a field of this name in particular (on top of ANY_FIELD).
BY_NAME: dict[str, list[Any]] = {
    "timezone": ["Europe", "America", "A" * 65, "../etc/passwd"],
    "start": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "not a date", ""],
    "duration": [0],
    "client_id": ["c" * 101],
    "name": ["\u202eevil", "\u2066x", "   ", "\u200b \u200b", "n" * 101, "a\tb"],
    "title": ["\u200b\u200b"],
    "subject": ["\u200b\u200b"],
    "email": ["not an email"],
}
# Routes that answer the same to any string there, by design: a sign-in link request never says
# whether the address belongs to an agent.
ANY_STRING_ACCEPTED = {("POST /api/agent/login", "email")}
# A plausible value for every field name the documents use, so the bad one is what gets judged.
GOOD: dict[str, Any] = {
    "name": "Ann",
    "email": "ann@example.org",
    "timezone": "Europe/Berlin",
    "text": "Hello",
    "client_id": "c1",
    "service": "sales",
    "agent": "alice",
    "start": "2026-12-01T10:00:00Z",
    "duration": 30,
    "subject": "Demo",
    "seq": 1,
    "to": "me",
    "assignee": "alice",
    "title": "Renamed",
    "read_only": True,
    "internal": False,
    "emoji": "👍",
    "reason": "Sorry",
    "token": "t" * 20,
    "link_token": "t" * 20,
}
SETTINGS_BODY = {"timezone": "Europe/Berlin", "durations": [30], "default_duration": 30}
QUERY_BAD: dict[str, list[str]] = {
    "after": [str(2**31), "-1", str(2**63), "1e3", "\x00"],
    "limit": [str(2**31), "-1", str(2**63)],
    "seq": [str(2**63)],
    "start": ["0001-01-01", "9999-12-31", "\ud800"],
    "end": ["0001-01-01", "9999-12-31"],
    "tz": ["Europe", "Z" * 65, "a\x00"],
    "duration": [str(2**31), str(2**63), "-1"],
    "q": ["\x00", "\ud800"],
}
PATH_BAD = ["not-a-uuid", "%00", "%ED%A0%80", "x" * 3000, "..%2F..", "%E2%80%AE"]
# Outside the walk: live sockets (their own test), channels with their own signatures, the walk itself.
SKIPPED_PREFIXES = ("/api/guest/ws", "/api/agent/ws", "/slack/", "/api/messages", "/api/openapi.json")
# The body of a request with one bad field: everything else plausible; raw bodies test the reader.
RAW_BODIES: list[bytes] = [
    b"[" * 40 + b"]" * 40,
    b'{"a":' * 40 + b"1" + b"}" * 40,
    b"\xff\xfe not utf-8",
    b'{"name": "\\ud800"}',
    b'{"text": "a\\u0000b"}',
    b"[]",
    b"null",
    b"{",
]


@pytest.fixture
async def client(seeded: Any) -> AsyncIterator[Any]:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def _row_counts(client: Any) -> dict[str, int]:
    engine = client.runtime.storage.engine
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        counts = " UNION ALL ".join(
            f"SELECT '{t}', count(*) FROM \"{t}\"" for t in sorted(tables) if t != "alembic_version"
        )
        return {table: count for table, count in (await conn.execute(sa.text(counts))).all()}


def _storable(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


def _bodies(properties: dict[str, Any], route: str) -> list[tuple[str, Any]]:
    # {"to": "me"} replaces service and assignee, so it is sent only when it is the field under test.
    base = {name: GOOD.get(name, "x") for name in properties if name != "to"}
    if route == "PUT /api/agent/settings":
        base = dict(SETTINGS_BODY)
        properties = {"timezone": {"type": "string"}, "default_duration": {"type": "integer"}}
    out: list[tuple[str, Any]] = []
    for name, spec in properties.items():
        kind = (spec or {}).get("type", "string")
        for bad in [*BY_TYPE.get(kind, []), *BY_NAME.get(name, [])]:
            if (route, name) in ANY_STRING_ACCEPTED and isinstance(bad, str) and _storable(bad):
                continue
            out.append((f"{name}={bad!r:.40}", {**base, name: bad}))
    return out


def _headers(path: str, auth: Any, guest: dict[str, str], agent: dict[str, str]) -> dict[str, str]:
    if path.startswith("/api/agent") or (auth and "agentToken" in auth[0]):
        return agent
    return guest


PROBLEMS: list[str] = []
# Not bad input but a server without that calendar provider: a documented answer with a code.
NOT_CONFIGURED = 503


ACCEPTED: list[str] = []  # probes a route took as ordinary requests (an ignored query parameter)


async def _check(response: Any, what: str, *, may_succeed: bool = False) -> None:
    """Collects every problem of the walk, so one run lists them all."""
    status, text = response.status, await response.text()
    if status < 400 and may_succeed:
        ACCEPTED.append(what)
    body = json.loads(text) if response.content_type == "application/json" else None
    if status >= 500 and not (status == NOT_CONFIGURED and body and body.get("code")):
        PROBLEMS.append(f"{what}: {status} {text[:200]}")
    elif status < 400 and not may_succeed:
        PROBLEMS.append(f"{what}: accepted with {status}: {text[:200]}")
    elif status >= 400 and not (isinstance(body, dict) and body.get("code")):
        PROBLEMS.append(f"{what}: {status} without a JSON code: {text[:200]}")


def _sample(values: list[Any], index: int, k: int) -> list[Any]:
    """``k`` of the values, a different few for each route: the corpus is sampled, not crossed."""
    return [values[(index + i) % len(values)] for i in range(min(k, len(values)))]


def _fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


async def test_every_documented_route_refuses_bad_input_with_a_code_and_writes_nothing(client: Any) -> None:
    r = await client.post("/api/guest/sessions", json={"name": "Ann", "email": "ann@example.org"})
    guest = {"Authorization": f"Bearer {(await r.json())['token']}"}
    agent = {
        "Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken('alice@example.com'))}"
    }
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=guest)
    started = await r.json()
    ids = {
        "id": started["conversation"]["id"],
        "message_id": started["message"]["id"],
        "slug": "alice",
        "kind": "agent",
        "member_id": "bob",
    }
    PROBLEMS.clear()
    document = await (await client.get("/api/openapi.json")).json()
    walked = 0
    for path, operations in sorted(document["paths"].items()):
        if path.startswith(SKIPPED_PREFIXES):
            continue
        for method, operation in operations.items():
            route = f"{method.upper()} {path}"
            headers = _headers(path, operation.get("security"), guest, agent)
            ACCEPTED.clear()
            before = await _row_counts(client)
            url = _fill(path, ids)
            properties = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("properties")
            )
            if method in {"post", "put", "patch"} and properties is not None:
                for what, body in _bodies(properties, route):
                    data = json.dumps(body, ensure_ascii=True).encode()
                    h = {**headers, "Content-Type": "application/json", "Idempotency-Key": "walk"}
                    await _check(await client.request(method, url, data=data, headers=h), f"{route} {what}")
                for raw in _sample(RAW_BODIES, walked, 4):
                    h = {**headers, "Content-Type": "application/json"}
                    response = await client.request(method, url, data=raw, headers=h)
                    await _check(response, f"{route} body {raw[:20]!r}")
            for name, values in QUERY_BAD.items():
                for value in _sample(values, walked, 1):
                    response = await client.request(
                        method,
                        f"{url}?{name}={quote(value, safe='', errors='surrogatepass')}",
                        headers=headers,
                    )
                    # A route that takes no such parameter may ignore it (and then a write is its normal
                    # work, so only reading routes are held to "nothing written" here).
                    await _check(response, f"{route} ?{name}={value!r:.30}", may_succeed=True)
            for name in [p["name"] for p in operation.get("parameters", [])]:
                for bad in _sample(PATH_BAD, walked, 3):
                    response = await client.request(method, _fill(path, {**ids, name: bad}), headers=headers)
                    await _check(response, f"{route} {{{name}}}={bad[:30]}", may_succeed=method == "get")
            after = await _row_counts(client)
            # A route that took a probe as an ordinary request (it ignores that query parameter) did its
            # normal work: rotating a link or signing out writes with no body at all. Only routes that
            # refused every probe are held to "nothing written".
            if after != before and not ACCEPTED:
                changed = {t: (before[t], after[t]) for t in after if before.get(t) != after[t]}
                PROBLEMS.append(f"{route} wrote rows: {changed}")
            walked += 1
    assert walked > 40
    assert not PROBLEMS, "\n".join(PROBLEMS)
