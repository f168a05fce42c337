# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""A team meeting whose members' calendars are Google or Microsoft 365 (real client libraries against
the local fakes): the booking writes each member's event, and a move from the inbox rewrites both of
them, not only the lead's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.meetings.commands import UpdateAgentSettings
from bot.model import SYSTEM
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    connect,
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    product,
    product_url,
)
from tests.integration.meetings_support import agent, drain

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
BOOKED, MOVED = "2026-11-24T08:00:00Z", "2026-11-24T13:00:00Z"  # 09:00 and 14:00 Berlin


async def book_team_meeting(client: Any) -> str:
    alice = await agent(client.runtime, "alice")
    invitation = {
        "guest_name": "Carl",
        "guest_email": "carl@customer.example",
        "subject": "Pricing call",
        "duration": 60,
        "members": ["alice", "bob"],
        "start_date": "2026-11-24",
        "end_date": "2026-11-24",
        "send_email": False,
    }
    r = await client.post("/api/agent/invitations", json=invitation, headers=alice)
    assert r.status == 201, await r.text()
    token = (await r.json())["invitation"]["links"]["any"].rsplit("/", 1)[1]
    r = await client.post(f"/api/invitations/{token}/book", json={"start": BOOKED})
    assert r.status == 201, await r.text()
    await drain(client.runtime)
    return str((await r.json())["meeting"]["id"])


async def move(client: Any, meeting_id: str) -> None:
    alice = await agent(client.runtime, "alice")
    r = await client.patch(f"/api/agent/meetings/{meeting_id}", json={"start": MOVED}, headers=alice)
    assert r.status == 200, await r.text()
    await drain(client.runtime)


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_a_move_rewrites_every_members_remote_event(product: Any, provider: str) -> None:
    client, runtime = product, product.runtime
    runtime.clock.set(NOW)
    if provider == "google":
        for slug in ("alice", "bob"):  # each member's own calendar (the fake keeps events by calendar id)
            await connect(runtime, slug)
            await runtime.bus.handle(
                UpdateAgentSettings(slug, {"booking_calendar": f"{slug}@example.com"}, SYSTEM)
            )
    else:
        client.graph.users["bob@example.com"] = "user-bob"
        for slug in ("alice", "bob"):
            client.graph.mailbox_settings[f"user-{slug}"] = {"timeZone": "W. Europe Standard Time"}
            await connect(runtime, slug, "microsoft", external_user_id=f"user-{slug}")
    meeting_id = await book_team_meeting(client)
    await move(client, meeting_id)
    if provider == "google":
        for slug in ("alice", "bob"):
            (event,) = [e for e in client.google.events[f"{slug}@example.com"] if e["status"] != "cancelled"]
            assert event["summary"] == "Pricing call"
            assert event["start"]["dateTime"].startswith("2026-11-24T14:00")  # Berlin time
        return
    for slug in ("alice", "bob"):
        (create,) = [
            r for r in client.graph.seen("POST", f"/users/user-{slug}/") if r.path.endswith("/events")
        ]
        patches = [r for r in client.graph.seen("PATCH", f"/users/user-{slug}/") if "/events/" in r.path]
        assert create.json["subject"] == "Pricing call"
        assert [p.json["start"]["dateTime"] for p in patches] == ["2026-11-24T14:00:00"]  # Berlin time
