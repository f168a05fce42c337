"""Property: find_slots offers exactly the grid points of an independent, slow reimplementation
(minute sets + pendulum) that pass every rule — so nothing offered breaks a rule and nothing
allowed is missing (the fast path's bounds and caches included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.availability import WEEKDAYS, AvailabilityRules, find_slots, is_slot_free
from scheduling.calendar import Interval

ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # DST changes at midnight
    "America/St_Johns",
    "Pacific/Kiritimati",  # +14
]
# "now" near DST changes in several zones, and on month ends.
ANCHORS = [
    datetime(2026, 3, 28, 12, tzinfo=UTC),
    datetime(2026, 11, 1, 3, tzinfo=UTC),
    datetime(2026, 4, 4, 12, tzinfo=UTC),
    datetime(2026, 9, 5, 12, tzinfo=UTC),
    datetime(2026, 10, 3, 12, tzinfo=UTC),
    datetime(2026, 1, 31, 10, tzinfo=UTC),
    datetime(2026, 6, 15, 0, tzinfo=UTC),
]


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


ranges = st.tuples(st.integers(0, 287), st.integers(1, 288)).map(
    lambda p: (hhmm(5 * min(p)), hhmm(5 * max(p[0] + 1, p[1])))
)


@st.composite
def scenarios(draw):
    zone = draw(st.sampled_from(ZONES))
    hours = {
        day: draw(st.lists(ranges, min_size=1, max_size=2)) for day in WEEKDAYS if draw(st.integers(0, 3))
    }
    rules = AvailabilityRules(
        timezone=zone,
        working_hours=hours,
        breaks=draw(st.lists(ranges, max_size=2)),
        buffer_before=draw(st.sampled_from([0, 15, 30, 7])),
        buffer_after=draw(st.sampled_from([0, 15, 30, 11])),
    )
    now = draw(st.sampled_from(ANCHORS)) + timedelta(seconds=draw(st.integers(-3 * 86400, 3 * 86400)))
    start = now.date() + timedelta(days=draw(st.integers(-3, 33)))
    end = start + timedelta(days=draw(st.integers(0, 4)))
    busy = []
    for _ in range(draw(st.integers(0, 15))):
        b0 = now + timedelta(minutes=5 * draw(st.integers(-300, 12 * 24 * 40)))
        b1 = b0 + timedelta(minutes=draw(st.integers(0, 300)))
        offset = timezone(timedelta(minutes=draw(st.sampled_from([0, 60, -300, 330, 765]))))
        busy.append(Interval(b0.astimezone(offset), b1.astimezone(offset)))
    request = {
        "duration": draw(st.sampled_from([15, 30, 45, 60, 90, 240, 360, 25])),
        "start": start,
        "end": end,
        "tz": draw(st.sampled_from(ZONES)),
        "now": now,
        "step": draw(st.sampled_from([None, 10, 15, 20, 30, 45])),
        "min_notice": draw(st.sampled_from([0, 0, 60, 120, 1440, 7])),
    }
    return rules, busy, request


def instant(zone: str, day: date, minute: int) -> datetime:
    """Wall clock → UTC via pendulum: gaps use pendulum's default (offset before the change),
    ambiguous times fold=0 (first occurrence)."""
    if minute == 1440:
        day, minute = day + timedelta(days=1), 0
    h, m = divmod(minute, 60)
    moved = pendulum.datetime(day.year, day.month, day.day, h, m, tz=zone)
    if (moved.year, moved.month, moved.day, moved.hour, moved.minute) != (day.year, day.month, day.day, h, m):
        return moved.in_tz("UTC")  # the time does not exist
    return pendulum.datetime(day.year, day.month, day.day, h, m, tz=zone, fold=0).in_tz("UTC")


def working_periods(rules: AvailabilityRules, day: date) -> list[tuple[datetime, datetime]]:
    def minutes(pairs):
        covered = set()
        for a, b in pairs:
            ha, ma = map(int, a.split(":"))
            hb, mb = map(int, b.split(":"))
            covered |= set(range(ha * 60 + ma, hb * 60 + mb))
        return covered

    work = minutes(rules.working_hours.get(WEEKDAYS[day.weekday()], ())) - minutes(rules.breaks)
    periods, run_start = [], None
    for minute in range(1441):
        if minute in work and run_start is None:
            run_start = minute
        elif minute not in work and run_start is not None:
            periods.append((instant(rules.timezone, day, run_start), instant(rules.timezone, day, minute)))
            run_start = None
    return periods


def expected_slots(rules, busy, *, duration, start, end, tz, now, step, min_notice):
    step, length = timedelta(minutes=step or duration), timedelta(minutes=duration)
    earliest = now + timedelta(minutes=min_notice)
    latest = pendulum.instance(now).in_tz("UTC").add(months=1)
    before, after = timedelta(minutes=rules.buffer_before), timedelta(minutes=rules.buffer_after)
    taken = [(b.start, b.end) for b in busy if b.end > b.start]
    found = set()
    day = start - timedelta(days=2)
    while day <= end + timedelta(days=2):
        for p0, p1 in working_periods(rules, day):
            s = p0
            while s + length <= p1:
                if (
                    earliest <= s <= latest
                    and start <= s.astimezone(ZoneInfo(tz)).date() <= end
                    and not any(b0 < s + length + after and b1 > s - before for b0, b1 in taken)
                ):
                    found.add(datetime.fromtimestamp(s.timestamp(), UTC))
                s += step
        day += timedelta(days=1)
    return sorted(found)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_offered_slots_are_exactly_those_every_rule_allows(scenario):
    rules, busy, request = scenario
    slots = find_slots(rules, busy, **request)
    assert slots == sorted(set(slots))
    assert all(s.tzinfo is UTC for s in slots)
    assert slots == expected_slots(rules, busy, **request)
    for slot in slots[:3]:  # the booking check takes the same path
        assert is_slot_free(
            rules,
            busy,
            start_at=slot,
            duration=request["duration"],
            now=request["now"],
            min_notice=request["min_notice"],
            step=request["step"],
        )
