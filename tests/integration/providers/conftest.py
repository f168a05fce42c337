"""Fixtures: local fake Google and Microsoft servers, and providers pointed at them (never the real
services — a guard refuses any name resolution but loopback while these tests run)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.calendars.google.provider import GoogleCalendarProvider
from adapters.calendars.microsoft.provider import MicrosoftCalendarProvider
from adapters.calendars.retry import RetryPolicy
from scheduling.calendar import CalendarAccount
from tests.support.network import (
    loopback_only,  # noqa: F401 - autouse: no real service is reachable
    self_signed_cert,
)

from .fake_google import FakeGoogle
from .fake_microsoft import FakeAuthority, FakeGraph
from .fakes import RecordingSleep


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def policy(sleep: RecordingSleep) -> RetryPolicy:
    # rand fixed at 0.5 so exponential waits are predictable: base * 2**n * 0.75
    return RetryPolicy(base_delay=0.5, sleep=sleep, rand=lambda: 0.5)


class Saved:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, credentials: dict[str, Any]) -> None:
        self.calls.append(credentials)


@pytest.fixture
def saved() -> Saved:
    return Saved()


@pytest.fixture
async def fake_google() -> AsyncIterator[FakeGoogle]:
    server = FakeGoogle()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def google_config(fake_google: FakeGoogle) -> dict[str, Any]:
    return {
        "google_client_id": fake_google.client_id,
        "google_client_secret": fake_google.client_secret,
        "google_api_url": fake_google.base_url,
        "google_token_url": f"{fake_google.base_url}/token",
        "google_auth_url": f"{fake_google.base_url}/auth",
    }


@pytest.fixture
def google(google_config: dict[str, Any], policy: RetryPolicy) -> GoogleCalendarProvider:
    return GoogleCalendarProvider(google_config, policy=policy)


@pytest.fixture
def google_account(saved: Saved) -> CalendarAccount:
    return CalendarAccount(
        agent_slug="alice",
        email="alice@example.com",
        credentials={
            "token": "valid-token",
            "refresh_token": "refresh-1",
            "expiry": "2999-01-01T00:00:00+00:00",
        },
        save_credentials=saved,
    )


@pytest.fixture
async def fake_authority(tmp_path: Path) -> AsyncIterator[FakeAuthority]:
    cert, key = self_signed_cert(tmp_path, "authority")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = FakeAuthority()
    server.cert_path = cert  # type: ignore[attr-defined]
    await server.start(ssl_context=context)
    yield server
    await server.stop()


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    server = FakeGraph()
    server.users["alice@contoso.com"] = "user-alice"
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def ms_config(fake_authority: FakeAuthority, fake_graph: FakeGraph) -> dict[str, Any]:
    return {
        "ms_client_id": fake_authority.client_id,
        "ms_client_secret": fake_authority.client_secret,
        "ms_tenant_id": fake_authority.tenant,
        "ms_authority_url": fake_authority.base_url,
        "ms_graph_url": f"{fake_graph.base_url}/v1.0",
        "ms_ca_bundle": str(fake_authority.cert_path),  # type: ignore[attr-defined]
    }


@pytest.fixture
async def microsoft(
    ms_config: dict[str, Any], policy: RetryPolicy
) -> AsyncIterator[MicrosoftCalendarProvider]:
    provider = MicrosoftCalendarProvider(ms_config, policy=policy)
    yield provider
    await provider.aclose()


@pytest.fixture
def ms_account() -> CalendarAccount:
    return CalendarAccount(agent_slug="alice", email="alice@contoso.com")
