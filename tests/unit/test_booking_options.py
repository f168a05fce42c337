"""What a booking form offers, as the engine decides it once for every channel: zone, lengths, the
default length and subject, and the window from today (by the clock, in the agent's zone) to the
booking horizon."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.meetings.model import Meeting
from bot.meetings.options import booking_options, options_for, service_options
from bot.model import Agent, Guest
from tests.conftest import DrivenClock
from tests.fakes import FakeUnitOfWorkFactory


def agent(slug: str = "alice", *, zone: Any = "Europe/Berlin", **settings: Any) -> Agent:
    """``zone`` is the profile's; a ``timezone`` setting may say otherwise."""
    return Agent(slug, slug.capitalize(), f"{slug}@example.com", timezone=zone, settings=settings)


def at(text: str) -> DrivenClock:
    return DrivenClock(datetime.fromisoformat(text).astimezone(UTC))


NOON = at("2026-11-23T12:00:00+00:00")


@pytest.mark.parametrize(
    "durations, default",
    [
        ([30], 30),
        ([15, 30, 45, 60], 30),  # 30 is offered: 30
        ([60, 30], 30),  # whatever order they were typed in
        ([20, 45, 90], 20),  # no 30: the shortest
        ([90, 45, 20], 20),
        ([120], 120),
    ],
)
def test_the_default_length_is_30_when_offered_else_the_shortest(durations: list[int], default: int) -> None:
    options = booking_options(agent(durations=durations), clock=NOON)
    assert (options.durations, options.default_duration) == (tuple(sorted(durations)), default)


def test_an_agents_own_default_length_is_kept() -> None:
    options = booking_options(agent(durations=[15, 30, 45], default_duration=45), clock=NOON)
    assert options.default_duration == 45


@pytest.mark.parametrize(
    "stored, profile, expected",
    [
        ("America/New_York", "Europe/Berlin", "America/New_York"),  # the scheduling setting first
        (None, "Asia/Tokyo", "Asia/Tokyo"),  # else the profile's zone
        (None, None, "UTC"),  # else the one fallback
        (None, "Mars/Olympus", "UTC"),  # an unknown zone is no zone
    ],
)
def test_the_zone_is_the_agents_with_utc_as_the_one_fallback(
    stored: str | None, profile: str | None, expected: str
) -> None:
    settings = {"timezone": stored} if stored else {}
    assert booking_options(agent(zone=profile, **settings), clock=NOON).time_zone == expected


@pytest.mark.parametrize(
    "guest, subject",
    [
        (Guest("Ann"), "Meeting with Ann"),
        (Guest("  "), "Meeting"),
        (None, "Meeting"),
    ],
)
def test_the_default_subject_names_the_guest_when_known(guest: Guest | None, subject: str) -> None:
    assert booking_options(agent(), clock=NOON, guest=guest).default_subject == subject


@pytest.mark.parametrize(
    "now, zone, window_start, window_end",
    [
        # 03:00 UTC on Monday is still Sunday evening in New York.
        ("2026-11-23T03:00:00+00:00", "America/New_York", date(2026, 11, 22), date(2026, 12, 22)),
        ("2026-11-23T03:00:00+00:00", "UTC", date(2026, 11, 23), date(2026, 12, 23)),
        ("2026-11-23T23:30:00+00:00", "Europe/Berlin", date(2026, 11, 24), date(2026, 12, 24)),
        # Clocks go back in New York at 06:00 UTC on 1 Nov 2026: at 04:30 UTC it is 00:30 EDT,
        # already the day of the change (a fixed EST offset would still say 31 Oct); the horizon,
        # 04:30 UTC on 1 Dec, is 23:30 EST on 30 Nov.
        ("2026-11-01T04:30:00+00:00", "America/New_York", date(2026, 11, 1), date(2026, 11, 30)),
        # Clocks go forward in Berlin at 01:00 UTC on 29 Mar 2026: 23:30 UTC the evening before is
        # 00:30 CET on the day of the change; the horizon a month later is in summer time.
        ("2026-03-28T23:30:00+00:00", "Europe/Berlin", date(2026, 3, 29), date(2026, 4, 29)),
        # 31 Jan: the horizon clamps to the end of February.
        ("2026-01-31T10:00:00+00:00", "UTC", date(2026, 1, 31), date(2026, 2, 28)),
    ],
)
def test_the_window_runs_from_today_in_the_agents_zone_to_the_booking_horizon(
    now: str, zone: str, window_start: date, window_end: date
) -> None:
    options = booking_options(agent(zone=zone), clock=at(now))
    assert (options.window_start, options.window_end) == (window_start, window_end)
    assert options.horizon_days == (window_end - window_start).days


def test_the_window_follows_the_clock_port() -> None:
    clock = at("2026-11-23T12:00:00+00:00")
    before = booking_options(agent(), clock=clock).window_start
    clock.advance(days=2)
    assert booking_options(agent(), clock=clock).window_start == date.fromordinal(before.toordinal() + 2)


async def test_changing_a_meeting_offers_its_hosts_lengths_never_the_clickers() -> None:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        await uow.agents.add(agent("alice", zone="America/New_York", durations=[20, 40]))
        await uow.agents.add(agent("bob", zone="Asia/Tokyo", durations=[15, 30, 45, 60]))
        await uow.guests.add(Guest("Ann", id="g1"))
        await uow.commit()
    start = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    meeting = Meeting(
        conversation_id="c1",
        agent="alice",
        guest_id="g1",
        subject="Quote",
        start=start,
        end=start.replace(hour=16),
    )
    async with uows(read_only=True) as uow:
        # Bob clicked "Reschedule" on Alice's meeting: he is offered what Alice offers.
        options = await options_for(uow, NOON, agent="bob", meeting=meeting)
        fresh = await options_for(uow, NOON, agent="bob", guest_id="g1")
    assert (options.time_zone, options.durations, options.default_duration, options.default_subject) == (
        "America/New_York",
        (20, 40, 60),  # the host's, plus the meeting's own length
        60,
        "Quote",
    )
    assert (fresh.time_zone, fresh.durations, fresh.default_duration, fresh.default_subject) == (
        "Asia/Tokyo",
        (15, 30, 45, 60),
        30,
        "Meeting with Ann",
    )


@pytest.mark.parametrize(
    "members, durations, default",
    [
        ([[20, 45], [60]], (20, 45, 60), 20),
        ([[20, 45], [30, 60]], (20, 30, 45, 60), 30),
        ([[45]], (45,), 45),
    ],
)
def test_a_service_offers_every_members_lengths_and_the_rule_picks_among_them(
    members: list[list[int]], durations: tuple[int, ...], default: int
) -> None:
    agents = [agent(f"agent{i}", durations=d) for i, d in enumerate(members)]
    options = service_options(agents, clock=NOON)
    assert (options.time_zone, options.durations, options.default_duration) == ("UTC", durations, default)


def test_an_unknown_zone_falls_back_without_losing_the_agents_lengths() -> None:
    options = booking_options(agent(zone="Mars/Olympus", durations=[20, 45]), clock=NOON)
    assert (options.time_zone, options.durations, options.default_duration) == ("UTC", (20, 45), 20)
