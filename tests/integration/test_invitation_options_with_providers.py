# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
""" "Add to calendar event" on the wire to Google Calendar and Microsoft 365 (real client libraries
against the local fakes): an invitation's meeting is written to the lead's and every member's calendar
with the customer as an attendee, and, with the toggle off, with the team alone, and a private
description only on events the customer is not on."""

from __future__ import annotations

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
from tests.integration.test_team_meetings_with_providers import BOOKED, NOW

CARL = "carl@customer.example"
PRIVATE = "Internal: discount up to 10 %."


async def book(client: Any, add_to_calendar: bool) -> None:
    invitation = {
        "guest_name": "Carl",
        "guest_email": CARL,
        "subject": "Pricing call",
        "duration": 60,
        "members": ["alice", "bob"],
        "start_date": "2026-11-24",
        "end_date": "2026-11-24",
        "description": PRIVATE,
        "description_private": True,
        "add_to_calendar": add_to_calendar,
        "send_email": False,
    }
    r = await client.post(
        "/api/agent/invitations", json=invitation, headers=await agent(client.runtime, "alice")
    )
    assert r.status == 201, await r.text()
    token = (await r.json())["invitation"]["links"]["any"].rsplit("/", 1)[1]
    r = await client.post(f"/api/invitations/{token}/book", json={"start": BOOKED})
    assert r.status == 201, await r.text()
    await drain(client.runtime)


@pytest.mark.parametrize("add_to_calendar", [True, False], ids=["customer-on-event", "customer-off-event"])
async def test_google_events_list_the_customer_only_when_added_to_the_calendar_event(
    product: Any, add_to_calendar: bool
) -> None:
    client, runtime = product, product.runtime
    runtime.clock.set(NOW)
    for slug in ("alice", "bob"):
        await connect(runtime, slug)
        await runtime.bus.handle(
            UpdateAgentSettings(slug, {"booking_calendar": f"{slug}@example.com"}, SYSTEM)
        )
    await book(client, add_to_calendar)
    for slug in ("alice", "bob"):
        (event,) = client.google.events[f"{slug}@example.com"]
        emails = {a["email"] for a in event["attendees"]}
        assert (CARL in emails) is add_to_calendar, (slug, emails)
        assert f"{slug}@example.com" in emails
    # Bob's event (an attendee write) carries the private description only without the customer on it.
    (bob,) = client.google.events["bob@example.com"]
    assert (PRIVATE in bob.get("description", "")) is not add_to_calendar


@pytest.mark.parametrize("add_to_calendar", [True, False], ids=["customer-on-event", "customer-off-event"])
async def test_microsoft_events_name_the_customer_only_when_added_to_the_calendar_event(
    product: Any, add_to_calendar: bool
) -> None:
    client, runtime = product, product.runtime
    runtime.clock.set(NOW)
    client.graph.users["bob@example.com"] = "user-bob"
    for slug in ("alice", "bob"):
        client.graph.mailbox_settings[f"user-{slug}"] = {"timeZone": "W. Europe Standard Time"}
        await connect(runtime, slug, "microsoft", external_user_id=f"user-{slug}")
    await book(client, add_to_calendar)
    for slug in ("alice", "bob"):
        (create,) = [
            r for r in client.graph.seen("POST", f"/users/user-{slug}/") if r.path.endswith("/events")
        ]
        assert (CARL in create.json["body"]["content"]) is add_to_calendar, slug
