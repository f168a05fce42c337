"""Fixtures for the product with real Google / Microsoft providers plugged in, talking to the local
fake servers of ``tests/integration/providers`` (never the real services)."""

from __future__ import annotations

import email
from collections.abc import AsyncIterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.bootstrap import bootstrap
from bot.calendars.connections import after_connect
from bot.cli import demo
from tests.integration.providers.conftest import (  # noqa: F401 - fixtures used by the tests
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
)
from tests.integration.providers.fake_google import FakeGoogle
from tests.integration.providers.fake_microsoft import FakeAuthority, FakeGraph

VALID_GRANT = {"token": "valid-token", "refresh_token": "refresh-1", "expiry": "2999-01-01T00:00:00+00:00"}


def provider_settings(google: FakeGoogle, authority: FakeAuthority, graph: FakeGraph) -> dict[str, Any]:
    return {
        "google_client_id": google.client_id,
        "google_client_secret": google.client_secret,
        "google_api_url": google.base_url,
        "google_token_url": f"{google.base_url}/token",
        "google_auth_url": f"{google.base_url}/auth",
        "ms_client_id": authority.client_id,
        "ms_client_secret": authority.client_secret,
        "ms_tenant_id": authority.tenant,
        "ms_authority_url": authority.base_url,
        "ms_graph_url": f"{graph.base_url}/v1.0",
        "extra": {
            "ms_ca_bundle": str(authority.cert_path),  # type: ignore[attr-defined]
            "calendar_retry_base_seconds": 0.001,
        },
    }


@pytest.fixture
def product_url(request: pytest.FixtureRequest) -> str:
    """``database_url`` when the test asks for it (storage matters there), else SQLite. A plain
    fixture: the PostgreSQL reset runs its own event loop."""
    names = request.fixturenames
    return str(request.getfixturevalue("database_url" if "database_url" in names else "sqlite_url"))


@pytest.fixture
async def product(
    product_url: str,
    make_settings: Any,
    clock: Any,
    fake_google: FakeGoogle,  # noqa: F811
    fake_authority: FakeAuthority,  # noqa: F811
    fake_graph: FakeGraph,  # noqa: F811
) -> AsyncIterator[TestClient]:
    """The whole product (demo data) with both providers on; ``client.runtime`` is its runtime."""
    url = product_url
    fake_graph.users["alice@example.com"] = "user-alice"
    settings = make_settings(
        url, run_workers=False, **provider_settings(fake_google, fake_authority, fake_graph)
    )
    runtime = bootstrap(settings, clock=clock)
    assert {"local", "google", "microsoft"} <= set(runtime.calendars)
    await demo(runtime)
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        client.runtime = runtime  # type: ignore[attr-defined]
        client.google, client.graph = fake_google, fake_graph  # type: ignore[attr-defined]
        yield client
    await runtime.calendars["microsoft"].aclose()
    await runtime.storage.dispose()


async def connect(runtime: Any, agent: str, provider: str = "google", **values: Any) -> None:
    """A connection as the OAuth callback / the Microsoft activation leave it."""
    if provider == "google":
        values.setdefault("credentials", VALID_GRANT)
    async with runtime.uow() as uow:
        await uow.calendar_connections.connect(
            agent, provider, account_email=f"{agent}@example.com", **values
        )
        await after_connect(uow, agent, runtime.clock.now())
        await uow.commit()


def mails(runtime: Any, subject_contains: str) -> list[email.message.EmailMessage]:
    folder = Path(runtime.settings.data_dir) / "outbox"
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if subject_contains in str(message["Subject"]):
            found.append(message)
    return found
