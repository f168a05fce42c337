"""Which of an agent's working hours and time zone follow Outlook, as dialogue tables on the engine's
fakes: connected to Microsoft 365 both follow Outlook until the agent changes one in Convene; on any
other calendar both are Convene's."""

from __future__ import annotations

from typing import Any

import pytest

from bot.calendars.outlook_settings import follow, sources_of
from bot.commands import CreateAgent
from bot.meetings.commands import UpdateAgentSettings
from bot.model import Actor
from scheduling.calendar import WorkingHours
from tests.fakes import FakeEngine

ALICE = Actor("agent", "alice", "Alice")
NEW_YORK = WorkingHours(timezone="America/New_York", working_hours={"mon": [("08:00", "12:00")]})
BERLIN = {"timezone": "Europe/Berlin", "working_hours": {"mon": [["09:00", "17:00"]]}, "lunch_break": None}


@pytest.fixture
async def engine() -> FakeEngine:
    engine = FakeEngine()
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com", settings=BERLIN))
    return engine


async def connect(engine: FakeEngine, provider: str) -> None:
    async with engine.uow() as uow:
        await uow.calendar_connections.connect("alice", provider, account_email="alice@example.com")
        await uow.commit()


# (calendar, what Alice changes in Convene) → the sources her settings show afterwards
SOURCES = [
    ("microsoft", {}, {"timezone": "outlook", "working_hours": "outlook"}),
    ("microsoft", {"timezone": "Asia/Tokyo"}, {"timezone": "convene", "working_hours": "outlook"}),
    (
        "microsoft",
        {"working_hours": {"tue": [["10:00", "11:00"]]}},
        {"timezone": "outlook", "working_hours": "convene"},
    ),
    ("microsoft", {"reminder_minutes": 30}, {"timezone": "outlook", "working_hours": "outlook"}),
    ("google", {}, {"timezone": "convene", "working_hours": "convene"}),
    (None, {"timezone": "Asia/Tokyo"}, {"timezone": "convene", "working_hours": "convene"}),
]


@pytest.mark.parametrize("calendar, change, expected", SOURCES)
async def test_a_setting_changed_in_convene_stops_following_outlook(
    engine: FakeEngine, calendar: str | None, change: dict[str, Any], expected: dict[str, str]
) -> None:
    if calendar:
        await connect(engine, calendar)
    await engine.handle(UpdateAgentSettings("alice", {**BERLIN, **change}, ALICE))
    async with engine.uow(read_only=True) as uow:
        assert sources_of(await uow.calendar_connections.get("alice")) == expected


# (sources) → the settings after a sync round with Outlook saying New York, Mondays 08:00–12:00
FOLLOW = [
    ({"timezone": "outlook", "working_hours": "outlook"}, "America/New_York", {"mon": [["08:00", "12:00"]]}),
    ({"timezone": "convene", "working_hours": "outlook"}, "Europe/Berlin", {"mon": [["08:00", "12:00"]]}),
    ({"timezone": "outlook", "working_hours": "convene"}, "America/New_York", {"mon": [["09:00", "17:00"]]}),
    ({"timezone": "convene", "working_hours": "convene"}, None, None),  # nothing changes
]


@pytest.mark.parametrize("sources, zone, hours", FOLLOW)
def test_a_sync_round_takes_outlooks_values_where_outlook_is_the_source(
    sources: dict[str, str], zone: str | None, hours: Any
) -> None:
    followed = follow(BERLIN, NEW_YORK, sources)
    if zone is None:
        assert followed is None
    else:
        assert followed is not None
        assert (followed["timezone"], followed["working_hours"]) == (zone, hours)
