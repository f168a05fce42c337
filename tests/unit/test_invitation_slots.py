"""The pure invitation slot rules: a room's shortcut agrees with ``find_slots``, the frame's grid and
expiry, and the intersection of members, rooms and pools."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduling.availability import find_slots
from scheduling.calendar import Interval
from scheduling.invitation_slots import TimeFrame, frame_step, invitation_slots

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
FRAME = TimeFrame(date(2026, 3, 2), date(2026, 3, 13), "08:00", "18:00", "Europe/Berlin")
HORIZON = NOW + timedelta(days=91)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("duration", [15, 45, 60, 150])
def test_a_rooms_free_starts_are_what_find_slots_offers_over_the_frame(seed: int, duration: int) -> None:
    rng = random.Random(seed)
    busy = []
    for _ in range(rng.randrange(0, 60)):
        start = NOW + timedelta(minutes=5 * rng.randrange(12 * 24 * 12))
        busy.append(Interval(start, start + timedelta(minutes=rng.choice((0, 5, 15, 30, 90)))))
    expected = find_slots(
        FRAME.rules(),
        busy,
        duration=duration,
        start=FRAME.start,
        end=FRAME.end,
        tz=FRAME.timezone,
        now=NOW,
        step=frame_step(duration),
        horizon=HORIZON,
    )
    assert (
        invitation_slots(FRAME, {}, {"r": busy}, {}, duration=duration, now=NOW, horizon=HORIZON) == expected
    )


@pytest.mark.parametrize(
    "frame, closes",
    [
        (
            TimeFrame(date(2026, 3, 2), date(2026, 3, 6), "09:00", "17:00", "Europe/Berlin"),
            "2026-03-06T16:00:00+00:00",
        ),
        (
            TimeFrame(date(2026, 3, 2), date(2026, 3, 6), "09:00", "24:00", "Europe/Berlin"),
            "2026-03-06T23:00:00+00:00",
        ),
        (
            TimeFrame(date(2026, 6, 1), date(2026, 6, 5), "09:00", "17:00", "America/New_York"),
            "2026-06-05T21:00:00+00:00",
        ),
    ],
)
def test_an_invitation_closes_at_the_end_of_its_last_days_hours(frame: TimeFrame, closes: str) -> None:
    assert frame.closes_at() == datetime.fromisoformat(closes)


def test_a_pool_is_free_when_any_of_its_rooms_is_and_a_room_only_when_it_is() -> None:
    one_day = TimeFrame(date(2026, 3, 3), date(2026, 3, 3), "09:00", "11:00", "UTC")
    nine = datetime(2026, 3, 3, 9, tzinfo=UTC)
    a = [Interval(nine, nine + timedelta(hours=1))]  # 09:00–10:00
    b = [Interval(nine + timedelta(hours=1), nine + timedelta(hours=2))]  # 10:00–11:00
    args = {"duration": 60, "now": NOW, "horizon": HORIZON}
    assert invitation_slots(one_day, {}, {}, {"p": {"a": a, "b": b}}, **args) == [
        nine,
        nine + timedelta(hours=1),
    ]
    assert invitation_slots(one_day, {}, {"a": a, "b": b}, {}, **args) == []
    assert invitation_slots(one_day, {}, {"a": a}, {}, **args) == [nine + timedelta(hours=1)]
