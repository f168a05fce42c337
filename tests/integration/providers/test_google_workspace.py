"""Google Workspace through a service account with domain-wide delegation, against the local fake:
the token is a jwt-bearer grant whose RS256 signature the fake verifies with the test key pair's
public key, acting as the agent (``sub``) with our scopes; no per-agent grant is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.calendars.google.provider import GoogleCalendarProvider
from adapters.calendars.google.workspace import WORKSPACE, WORKSPACE_SCOPES
from adapters.calendars.retry import RetryPolicy
from scheduling.calendar import Attendee, CalendarAccount, EventSpec, Interval, WorkingHours
from scheduling.errors import CalendarDisconnected

from .conftest import Saved
from .fake_google import FakeGoogle
from .workspace_keys import key_json, new_key_pair, trust


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, bytes]:
    return new_key_pair()


@pytest.fixture
def workspace(
    fake_google: FakeGoogle, key_pair: tuple[str, bytes], policy: RetryPolicy
) -> GoogleCalendarProvider:
    private, public = key_pair
    trust(fake_google, public, "alice@example.com", "bob@example.com")
    fake_google.delegation_refused.add("bob@example.com")
    config = {
        "google_api_url": fake_google.base_url,
        "google_token_url": f"{fake_google.base_url}/token",
        "google_service_account_json": key_json(private, fake_google),
    }
    return GoogleCalendarProvider(config, policy=policy)


def delegated(email: str, saved: Saved) -> CalendarAccount:
    return CalendarAccount(
        agent_slug=email.split("@")[0], email=email, external_user_id=WORKSPACE, save_credentials=saved
    )


async def test_a_delegated_user_is_reachable_and_a_refused_one_is_skipped_with_the_reason(
    workspace: GoogleCalendarProvider, fake_google: FakeGoogle
) -> None:
    await workspace.check_delegated("alice@example.com")

    with pytest.raises(CalendarDisconnected) as refused:
        await workspace.check_delegated("bob@example.com")
    assert "unauthorized_client" in refused.value.message
    with pytest.raises(CalendarDisconnected):
        await workspace.check_delegated("nobody@example.com")  # not a Workspace user: invalid_grant

    [claims] = fake_google.jwt_grants
    assert claims["sub"] == "alice@example.com"
    assert claims["iss"] == "convene@convene-test.iam.gserviceaccount.com"
    assert set(claims["scope"].split()) == set(WORKSPACE_SCOPES)
    grant = fake_google.seen("POST", "/token")[0].form or {}
    assert grant["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert "client_secret" not in grant  # a signed assertion, no shared secret


async def test_busy_time_and_a_booking_go_through_delegation_and_store_no_grant(
    workspace: GoogleCalendarProvider, fake_google: FakeGoogle, saved: Saved
) -> None:
    fake_google.events["primary"] = [
        {
            "id": "standup",
            "status": "confirmed",
            "start": {"dateTime": "2026-06-01T09:00:00+00:00"},
            "end": {"dateTime": "2026-06-01T09:30:00+00:00"},
        }
    ]
    alice = delegated("alice@example.com", saved)

    busy = await workspace.busy(alice, ["primary"], utc(2026, 6, 1), utc(2026, 6, 2))
    event_id = await workspace.create_event(
        alice,
        "primary",
        EventSpec(
            meeting_id="m1",
            subject="Intro call",
            start=utc(2026, 6, 1, 10),
            end=utc(2026, 6, 1, 10, 30),
            timezone="UTC",
            attendees=(Attendee("Guest", "guest@example.org"),),
        ),
    )

    assert busy == [Interval(utc(2026, 6, 1, 9), utc(2026, 6, 1, 9, 30))]
    assert any(e["id"] == event_id for e in fake_google.events["primary"])
    calls = [r for r in fake_google.requests if "/calendar/v3/" in r.path]
    tokens = {r.headers["Authorization"].removeprefix("Bearer ") for r in calls}
    assert {fake_google.delegated_tokens[t] for t in tokens} == {"alice@example.com"}
    assert len(fake_google.jwt_grants) == 1  # one token for both calls
    assert saved.calls == []  # nothing per agent is stored


async def test_an_assertion_signed_with_another_key_is_refused(
    fake_google: FakeGoogle, key_pair: tuple[str, bytes], policy: RetryPolicy, saved: Saved
) -> None:
    _, public = key_pair
    other_private, _ = new_key_pair()
    trust(fake_google, public, "alice@example.com")
    provider = GoogleCalendarProvider(
        {
            "google_api_url": fake_google.base_url,
            "google_token_url": f"{fake_google.base_url}/token",
            "google_service_account_json": key_json(other_private, fake_google),
        },
        policy=policy,
    )

    with pytest.raises(CalendarDisconnected):
        await provider.check_delegated("alice@example.com")

    assert fake_google.jwt_grants == []
    assert not [r for r in fake_google.requests if "/calendar/v3/" in r.path]


async def test_an_expired_delegated_token_is_minted_again_from_the_key(
    workspace: GoogleCalendarProvider, fake_google: FakeGoogle, saved: Saved
) -> None:
    alice = delegated("alice@example.com", saved)
    await workspace.list_calendars(alice)
    first: Any = fake_google.jwt_grants[0]

    fake_google.expire_access_tokens()  # the hour has passed: Google answers 401 to the old token
    await workspace.list_calendars(alice)

    assert len(fake_google.jwt_grants) == 2
    assert fake_google.jwt_grants[1]["sub"] == first["sub"] == "alice@example.com"
    assert saved.calls == []


async def test_a_delegated_agent_s_time_zone_comes_from_google_with_no_working_hours(
    workspace: GoogleCalendarProvider, fake_google: FakeGoogle, saved: Saved
) -> None:
    fake_google.user_settings["alice@example.com"] = {"timezone": "America/New_York"}

    hours = await workspace.working_hours(delegated("alice@example.com", saved))

    assert hours is not None
    assert hours.timezone == "America/New_York"
    assert dict(hours.working_hours) == {}  # the Calendar API has no working hours to give
    assert fake_google.seen("GET", "/users/me/settings/timezone")


def test_a_workspace_connection_follows_google_s_time_zone_until_the_agent_sets_one_in_convene() -> None:
    from types import SimpleNamespace

    from bot.calendars.outlook_settings import follow, sources_of

    workspace = SimpleNamespace(provider="google", status="ok", external_user_id=WORKSPACE, sync_state={})
    personal = SimpleNamespace(provider="google", status="ok", external_user_id=None, sync_state={})
    changed = SimpleNamespace(**{**vars(workspace), "sync_state": {"sources": {"timezone": "convene"}}})
    settings = {"timezone": "Europe/Berlin"}
    google_hours = WorkingHours(timezone="America/New_York", working_hours={})

    assert sources_of(workspace) == {"timezone": "google", "working_hours": "convene"}
    assert sources_of(personal) == {"timezone": "convene", "working_hours": "convene"}
    followed = follow(settings, google_hours, sources_of(workspace))
    assert followed is not None and followed["timezone"] == "America/New_York"
    assert follow(settings, google_hours, sources_of(changed)) is None  # the agent's own choice stays
