# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""Working hours and time zone follow Outlook on every calendar sync (the local Graph fake, SQLite and
PostgreSQL), unless the agent changed them in Convene; the settings say where each one comes from.

The zone change is DST-relevant: in the week between Europe's and America's end of summer time
(25 October to 1 November 2026), New York's 09:00 is 13:00 UTC; from 2 November it is 14:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.calendars.sync import sync_now
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    product,
    product_url,
)
from tests.integration.meetings_support import agent

NOW = datetime(2026, 10, 26, 6, 0, tzinfo=UTC)  # Monday, Berlin already on winter time, New York not


def mailbox(zone: str, days: list[str], start: str, end: str) -> dict[str, Any]:
    return {
        "timeZone": zone,
        "workingHours": {
            "daysOfWeek": days,
            "startTime": f"{start}:00.0000000",
            "endTime": f"{end}:00.0000000",
            "timeZone": {"name": zone},
        },
    }


async def settings_of(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.get("/api/agent/settings", headers=headers)
    assert r.status == 200
    return dict(await r.json())


async def first_slot(client: Any, day: str) -> str:
    r = await client.get(
        "/api/agents/alice/slots", params={"start": day, "end": day, "tz": "UTC", "duration": "30"}
    )
    assert r.status == 200, await r.text()
    return str((await r.json())["slots"][0]["start"])


async def test_working_hours_and_zone_follow_outlook_until_changed_in_convene(
    product: Any, database_url: str
) -> None:
    client, runtime, graph = product, product.runtime, product.graph
    runtime.clock.set(NOW)
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"]
    graph.mailbox_settings["user-alice"] = mailbox("W. Europe Standard Time", weekdays, "09:00", "17:00")
    alice = await agent(runtime, "alice")
    assert (await client.post("/api/agent/calendar/microsoft", headers=alice)).status == 200
    body = await settings_of(client, alice)
    assert body["settings"]["timezone"] == "Europe/Berlin"
    assert body["sources"] == {"timezone": "outlook", "working_hours": "outlook"}
    assert await first_slot(client, "2026-10-27") == "2026-10-27T08:00:00Z"  # 09:00 CET

    # Alice moves to New York in Outlook: the next sync round takes it, with no activation.
    graph.mailbox_settings["user-alice"] = mailbox("Eastern Standard Time", weekdays, "09:00", "17:00")
    assert await sync_now(runtime, ["alice"]) == {"alice": "synced"}
    body = await settings_of(client, alice)
    assert body["settings"]["timezone"] == "America/New_York"
    assert await first_slot(client, "2026-10-27") == "2026-10-27T13:00:00Z"  # 09:00 EDT
    assert await first_slot(client, "2026-11-02") == "2026-11-02T14:00:00Z"  # 09:00 EST

    # She shortens her hours in Convene: those are hers now; the zone still follows Outlook.
    mine = {**body["settings"], "working_hours": {"mon": [["10:00", "12:00"]]}}
    assert (await client.put("/api/agent/settings", json=mine, headers=alice)).status == 200
    assert (await settings_of(client, alice))["sources"] == {
        "timezone": "outlook",
        "working_hours": "convene",
    }
    graph.mailbox_settings["user-alice"] = mailbox("W. Europe Standard Time", ["monday"], "07:00", "19:00")
    await sync_now(runtime, ["alice"])
    body = await settings_of(client, alice)
    assert body["settings"]["timezone"] == "Europe/Berlin"  # followed
    assert body["settings"]["working_hours"] == {"mon": [["10:00", "12:00"]]}  # kept
    assert await first_slot(client, "2026-11-02") == "2026-11-02T09:00:00Z"  # 10:00 CET

    # Unchanged Outlook settings change nothing on later rounds.
    await sync_now(runtime, ["alice"])
    assert (await settings_of(client, alice))["settings"] == body["settings"]


async def test_without_microsoft_the_settings_are_convenes(product: Any, database_url: str) -> None:
    alice = await agent(product.runtime, "alice")
    assert (await settings_of(product, alice))["sources"] == {
        "timezone": "convene",
        "working_hours": "convene",
    }
