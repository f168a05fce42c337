"""Connecting an agent's Google account: authorization URL with PKCE, code exchange, refresh."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.calendars.google.oauth import SCOPES
from adapters.calendars.google.provider import GoogleCalendarProvider, plugin
from scheduling.calendar import CalendarAccount
from scheduling.errors import CalendarDisconnected, SchedulingError

from .fake_google import FakeGoogle

REDIRECT = "http://127.0.0.1:8080/calendars/google/callback"


def test_plugin_is_off_without_client_credentials() -> None:
    assert plugin({}) is None
    assert plugin({"google_client_id": "id"}) is None


def test_authorization_url_asks_for_offline_consent_with_pkce(google: GoogleCalendarProvider) -> None:
    url, verifier = google.authorization_url(REDIRECT, state="st-123", login_hint="alice@example.com")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(google._config["google_auth_url"] + "?")
    assert query["state"] == "st-123"
    assert query["redirect_uri"] == REDIRECT
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert set(query["scope"].split()) == set(SCOPES)
    assert any(scope.endswith("/auth/calendar.events") for scope in query["scope"].split())
    assert query["code_challenge_method"] == "S256"
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == expected
    assert 43 <= len(verifier) <= 128


async def test_code_exchange_returns_credentials_to_store(
    google: GoogleCalendarProvider, fake_google: FakeGoogle
) -> None:
    credentials = await google.exchange_code("good-code", "the-verifier", REDIRECT)

    form = fake_google.seen("POST", "/token")[0].form
    assert form is not None
    assert form["grant_type"] == "authorization_code"
    assert form["code_verifier"] == "the-verifier" and form["redirect_uri"] == REDIRECT
    assert credentials["token"].startswith("access-")
    assert credentials["refresh_token"] == "refresh-1"
    assert datetime.fromisoformat(credentials["expiry"]) > datetime.now(UTC)
    assert set(credentials["scopes"]) == set(SCOPES)


async def test_rejected_code_means_connect_again(google: GoogleCalendarProvider) -> None:
    with pytest.raises(CalendarDisconnected):
        await google.exchange_code("stale-code", "v", REDIRECT)


async def test_partly_granted_scopes_are_refused_up_front(
    google: GoogleCalendarProvider, fake_google: FakeGoogle
) -> None:
    fake_google.granted_scope = next(s for s in SCOPES if s.endswith("/auth/calendar.freebusy"))
    with pytest.raises(SchedulingError) as caught:
        await google.exchange_code("good-code", "v", REDIRECT)
    assert caught.value.code == "calendar_scopes_missing"


async def test_expired_token_is_refreshed_and_saved(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount, saved
) -> None:
    google_account.credentials = {
        "token": "old",
        "refresh_token": "refresh-1",
        "expiry": "2020-01-01T00:00:00+00:00",
    }
    fake_google.calendar_list = [
        {"id": "primary-id", "summary": "Alice", "primary": True, "accessRole": "owner"}
    ]

    calendars = await google.list_calendars(google_account)

    assert [c.id for c in calendars] == ["primary-id"]
    refresh = fake_google.seen("POST", "/token")[0].form
    assert refresh is not None and refresh["grant_type"] == "refresh_token"
    assert len(saved.calls) == 1
    new = saved.calls[0]
    assert new["token"].startswith("access-") and new["refresh_token"] == "refresh-1"
    assert datetime.fromisoformat(new["expiry"]) > datetime.now(UTC)
    assert google_account.credentials == new
    api_call = fake_google.seen("GET", "calendarList")[0]
    assert api_call.headers["Authorization"] == f"Bearer {new['token']}"


async def test_revoked_grant_disconnects_the_calendar(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount, saved
) -> None:
    google_account.credentials = {
        "token": "old",
        "refresh_token": "revoked-refresh",
        "expiry": "2020-01-01T00:00:00+00:00",
    }
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(CalendarDisconnected) as caught:
        await google.busy(google_account, ["primary"], start, start.replace(day=2))
    assert caught.value.code == "calendar_disconnected"
    assert saved.calls == []
    assert fake_google.seen("GET", "/events") == []  # never asked for events with a dead grant
