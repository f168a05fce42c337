"""CORS on the guest API (plain HTTP, no browser): the widget calls it from any website, with a token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.bootstrap import bootstrap

PREFLIGHT = {
    "Origin": "https://acme.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@pytest.fixture
async def client(sqlite_url: str, make_settings: Any) -> AsyncIterator[TestClient]:
    runtime = bootstrap(make_settings(sqlite_url, run_workers=False), calendars={})
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as c:
        yield c
    await runtime.storage.dispose()


WIDGET_PATHS = [
    "/api/guest/sessions",
    "/api/guest/conversations",
    "/api/guest/conversations/x/messages",
    "/api/guest/meetings",
    "/api/guest/meetings/x",
    # What the widget reads to book, with or without a guest token:
    "/api/agents/alice/slots",
    "/api/services/sales/slots",
    "/api/agents/alice/booking",
]


@pytest.mark.parametrize("path", WIDGET_PATHS)
async def test_preflight_allows_any_origin_with_the_widget_headers(client: TestClient, path: str) -> None:
    r = await client.options(path, headers=PREFLIGHT)
    assert r.status == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    assert "Access-Control-Allow-Credentials" not in r.headers  # tokens, never cookies


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("POST", "/api/guest/sessions", 201),  # answered
        ("GET", "/api/guest/me", 401),  # refused: the widget must still read why
        ("GET", "/api/guest/nowhere", 404),
        ("GET", "/api/agents/nobody/booking", 404),
        ("GET", "/api/services/nobody/slots", 404),
    ],
)
async def test_guest_answers_carry_the_origin_header(
    client: TestClient, method: str, path: str, status: int
) -> None:
    r = await client.request(method, path, json={"name": "Ann"}, headers={"Origin": "https://acme.example"})
    assert r.status == status
    assert r.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path", ["/api/agent/conversations", "/api/agent/meetings", "/api/agents/alice/other"]
)
async def test_agent_api_is_not_opened_to_other_origins(client: TestClient, path: str) -> None:
    r = await client.options(path, headers=PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in r.headers
    r = await client.get("/api/agent/me", headers={"Origin": "https://acme.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("path", ["/static/lib/time.js", "/static/lib/slots.js", "/static/widget-app.js"])
async def test_the_widgets_modules_may_be_imported_from_any_website(client: TestClient, path: str) -> None:
    """widget.js runs on other origins and import()s its modules from the Convene host: browsers
    fetch those in CORS mode and run them only with a JavaScript content type."""
    r = await client.get(path, headers={"Origin": "https://acme.example"})
    assert r.status == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.content_type in {"text/javascript", "application/javascript"}
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "export " in await r.text()
