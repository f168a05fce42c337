# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""Connecting calendars through our own HTTP routes: Google's OAuth web flow (state + PKCE, grants
encrypted at rest), choosing calendars, disconnecting, and Microsoft 365 activation with Outlook's
working hours."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from bot.calendars.connect import activate_microsoft
from bot.calendars.links import connect_link
from storage.models import CalendarConnectionRow
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    VALID_GRANT,
    connect,
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    product,
    product_url,
)
from tests.integration.meetings_support import agent

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


async def rows(runtime: Any) -> list[CalendarConnectionRow]:
    async with runtime.storage.session() as s:
        return list((await s.execute(select(CalendarConnectionRow))).scalars())


async def start(client: Any, **kwargs: Any) -> dict[str, str]:
    """Opens the connect route; returns the query Google's consent page would receive."""
    r = await client.get("/calendar/google/connect", allow_redirects=False, **kwargs)
    assert r.status == 302, await r.text()
    location = urlparse(r.headers["Location"])
    assert location.path == "/auth"
    return {k: v[0] for k, v in parse_qs(location.query).items()}


async def test_google_connect_round_trip_stores_the_grant_encrypted(product: Any, database_url: str) -> None:
    client, runtime, google = product, product.runtime, product.google
    runtime.clock.set(NOW)
    query = await start(client, headers=await agent(runtime, "alice"))
    assert query["redirect_uri"] == "http://convene.test/calendar/google/callback"
    assert query["login_hint"] == "alice@example.com" and query["code_challenge_method"] == "S256"

    r = await client.get("/calendar/google/callback", params={"code": "good-code", "state": query["state"]})
    assert r.status == 200 and "Google Calendar connected" in await r.text()

    # PKCE: the verifier we kept server-side is the one whose S256 Google was shown.
    verifier = google.seen("POST", "/token")[0].form["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == query["code_challenge"]
    (row,) = await rows(runtime)
    assert (row.agent, row.provider, row.status) == ("alice", "google", "ok")
    assert "refresh-1" not in row.credentials and "access-1" not in row.credentials
    async with runtime.uow(read_only=True) as uow:
        stored = await uow.calendar_connections.get("alice")
    assert stored.credentials["refresh_token"] == "refresh-1"  # decrypts with the secret key

    r = await client.get("/api/agent/settings", headers=await agent(runtime, "alice"))
    assert (await r.json())["calendar"] == {
        "provider": "google",
        "status": "ok",
        "account_email": "alice@example.com",
    }


@pytest.mark.parametrize(
    "callback, status, words",
    [
        ({"code": "good-code", "state": "forged"}, 400, "unknown, used or expired"),
        ({"code": "good-code"}, 400, "unknown, used or expired"),
        ({"error": "access_denied", "state": "<state>"}, 400, "did not grant access"),
        ({"code": "bad-code", "state": "<state>"}, 503, "connect again"),
    ],
)
async def test_a_bad_callback_stores_nothing(
    product: Any, database_url: str, callback: dict[str, str], status: int, words: str
) -> None:
    client, runtime = product, product.runtime
    query = await start(client, headers=await agent(runtime, "alice"))
    params = {k: (query["state"] if v == "<state>" else v) for k, v in callback.items()}
    r = await client.get("/calendar/google/callback", params=params)
    assert r.status == status
    assert words in await r.text() and "was not connected" in await r.text()
    assert await rows(runtime) == []


async def test_state_is_one_time_and_expires(product: Any) -> None:
    client, runtime = product, product.runtime
    first = await start(client, headers=await agent(runtime, "alice"))
    r = await client.get("/calendar/google/callback", params={"code": "good-code", "state": first["state"]})
    assert r.status == 200
    r = await client.get("/calendar/google/callback", params={"code": "good-code", "state": first["state"]})
    assert r.status == 400  # replayed

    second = await start(client, headers=await agent(runtime, "bob"))
    runtime.clock.advance(minutes=16)
    r = await client.get("/calendar/google/callback", params={"code": "good-code", "state": second["state"]})
    assert r.status == 400
    assert [r.agent for r in await rows(runtime)] == ["alice"]


async def test_a_signed_link_starts_the_flow_for_slack_and_teams_and_a_forged_one_does_not(
    product: Any,
) -> None:
    client, runtime = product, product.runtime
    link = connect_link(runtime.settings, "bob", runtime.clock.now())
    token = parse_qs(urlparse(link).query)["link"][0]
    query = await start(client, params={"link": token})
    assert query["login_hint"] == "bob@example.com"
    for bad in (
        token[:-2] + "xx",
        token.replace(token.split(".")[0], "eyJhIjoiYWxpY2UiLCJlIjo5OTk5OTk5OTk5fQ"),
    ):
        r = await client.get("/calendar/google/connect", params={"link": bad}, allow_redirects=False)
        assert r.status == 401 and "invalid or expired" in await r.text()
    runtime.clock.advance(hours=2)
    r = await client.get("/calendar/google/connect", params={"link": token}, allow_redirects=False)
    assert r.status == 401
    r = await client.get("/calendar/google/connect", allow_redirects=False)
    assert r.status == 401
    r = await client.post("/api/agent/calendar/google/link", headers=await agent(runtime, "bob"))
    assert (await r.json())["url"].startswith("http://convene.test/calendar/google/connect?link=")


async def test_refreshed_tokens_are_saved_encrypted(product: Any, database_url: str) -> None:
    runtime, google = product.runtime, product.google
    await connect(
        runtime, "alice", credentials={**VALID_GRANT, "token": "old", "expiry": "2000-01-01T00:00:00"}
    )
    google.calendar_list = [{"id": "primary", "summary": "Alice", "primary": True, "accessRole": "owner"}]
    r = await product.get("/api/agent/calendars", headers=await agent(runtime, "alice"))
    assert r.status == 200
    (row,) = await rows(runtime)
    assert "access-1" not in row.credentials
    async with runtime.uow(read_only=True) as uow:
        assert (await uow.calendar_connections.get("alice")).credentials["token"] == "access-1"


async def test_agent_lists_and_chooses_calendars_then_disconnects(product: Any) -> None:
    client, runtime, google = product, product.runtime, product.google
    await connect(runtime, "alice")
    google.calendar_list = [
        {"id": "alice@example.com", "summary": "Alice", "primary": True, "accessRole": "owner"},
        {"id": "team", "summary": "Team", "accessRole": "writer"},
        {"id": "holidays", "summary": "Holidays", "accessRole": "reader"},
    ]
    headers = await agent(runtime, "alice")
    r = await client.get("/api/agent/calendars", headers=headers)
    listed = {c["id"]: (c["writable"], c["booking"], c["busy"]) for c in (await r.json())["calendars"]}
    assert listed == {
        "alice@example.com": (True, True, True),  # "primary" is the default choice
        "team": (True, False, False),
        "holidays": (False, False, False),
    }
    r = await client.put(
        "/api/agent/settings",
        json={"booking_calendars": ["team"], "busy_calendars": ["team", "holidays"]},
        headers=headers,
    )
    assert r.status == 200, await r.text()
    r = await client.get("/api/agent/calendars", headers=headers)
    listed = {c["id"]: (c["booking"], c["busy"]) for c in (await r.json())["calendars"]}
    assert listed["team"] == (True, True) and listed["holidays"] == (False, True)

    r = await client.delete("/api/agent/calendar", headers=headers)
    assert (await r.json())["provider"] == "local"
    assert await rows(runtime) == []
    r = await client.get("/api/agent/calendars", headers=headers)
    assert [c["id"] for c in (await r.json())["calendars"]] == ["primary"]  # the built-in calendar


async def test_microsoft_activation_prefills_outlook_working_hours(product: Any, database_url: str) -> None:
    client, runtime, graph = product, product.runtime, product.graph
    graph.mailbox_settings["user-alice"] = {
        "timeZone": "W. Europe Standard Time",
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday"],
            "startTime": "08:00:00.0000000",
            "endTime": "16:30:00.0000000",
            "timeZone": {"name": "W. Europe Standard Time"},
        },
    }
    headers = await agent(runtime, "alice")
    r = await client.put("/api/agent/settings", json={"timezone": "America/New_York"}, headers=headers)
    assert r.status == 200
    r = await client.post("/api/agent/calendar/microsoft", headers=headers)
    assert r.status == 200, await r.text()
    assert (await r.json())["calendar"]["provider"] == "microsoft"
    settings = (await (await client.get("/api/agent/settings", headers=headers)).json())["settings"]
    assert settings["timezone"] == "Europe/Berlin"
    assert settings["working_hours"] == {d: [["08:00", "16:30"]] for d in ("mon", "tue", "wed", "thu")}
    assert settings["lunch_break"] == ["13:00", "14:00"]  # Outlook has none: ours is kept
    (row,) = await rows(runtime)
    assert (row.provider, row.external_user_id, row.status) == ("microsoft", "user-alice", "ok")

    # Organisation-wide (the CLI): agents without a mailbox are reported, not connected.
    results = await activate_microsoft(runtime, ["bob@example.com", "nobody@example.com"], prefill=False)
    assert [(a.email, a.connected) for a in results] == [
        ("bob@example.com", False),
        ("nobody@example.com", False),
    ]
    r = await client.post("/api/agent/calendar/microsoft", headers=await agent(runtime, "bob"))
    assert (r.status, (await r.json())["code"]) == (400, "microsoft_user_not_found")
