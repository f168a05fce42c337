"""What every browser-facing response says about itself, and who may read /metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from adapters.web.auth import RUNTIME
from bot.bootstrap import bootstrap

TOKEN = "metrics-token-0123456789"


def seen_from(address: str) -> Any:
    """The peer address as the transport would report it for a scraper on another host."""

    @web.middleware
    async def peer(request: web.Request, handler: Any) -> web.StreamResponse:
        return await handler(request.clone(remote=address))

    return peer


@pytest.fixture
async def serve(sqlite_url: str, make_settings: Any, clock: Any) -> AsyncIterator[Any]:
    """Starts the real app; ``peer`` makes every request come from that address."""
    clients: list[TestClient] = []

    async def start(*, peer: str | None = None, **settings: Any) -> TestClient:
        runtime = bootstrap(make_settings(sqlite_url, run_workers=False, **settings), clock=clock)
        app = make_app(runtime, manage_workers=False)
        if peer is not None:
            app.middlewares.insert(0, seen_from(peer))
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()
        await client.app[RUNTIME].storage.dispose()


async def scrape(client: TestClient, **headers: str) -> tuple[int, Any]:
    r = await client.get("/metrics", headers=headers)
    body = await (r.json() if r.content_type == "application/json" else r.text())
    return r.status, body


async def test_metrics_answer_a_loopback_peer_without_a_token(serve: Any) -> None:
    status, body = await scrape(await serve())
    assert status == 200 and "convene_outbox_pending" in body


async def test_metrics_refuse_a_peer_on_another_host_without_a_token(serve: Any) -> None:
    status, body = await scrape(await serve(peer="203.0.113.7"))
    assert (status, body["code"]) == (403, "metrics_loopback_only")


async def test_metrics_refuse_a_request_a_local_proxy_forwarded(serve: Any) -> None:
    status, body = await scrape(await serve(), **{"X-Forwarded-For": "203.0.113.7"})
    assert (status, body["code"]) == (403, "metrics_loopback_only")


@pytest.mark.parametrize(
    "authorization, status",
    [
        (f"Bearer {TOKEN}", 200),
        ("Bearer wrong-token", 401),
        (None, 401),
    ],
)
async def test_with_a_metrics_token_the_bearer_decides_from_any_host(
    serve: Any, authorization: str | None, status: int
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    got, body = await scrape(await serve(peer="203.0.113.7", metrics_token=TOKEN), **headers)
    assert got == status
    if status == 401:
        assert body["code"] == "metrics_token_required"


async def test_with_a_metrics_token_loopback_needs_it_too(serve: Any) -> None:
    status, _ = await scrape(await serve(metrics_token=TOKEN))
    assert status == 401


@pytest.mark.parametrize(
    "path", ["/no/such/page", "/api/no-such-route", "/static/no-such-file.js", "/healthz"]
)
async def test_every_response_forbids_sniffing_and_names_no_software_version(serve: Any, path: str) -> None:
    client = await serve()
    r = await client.get(path)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers.get("Server") == "Convene"
    assert "aiohttp" not in r.headers.get("Server", "") and "Python" not in r.headers.get("Server", "")
