"""Slot list for a 50-member service, 200 busy events each, 31-day window.

Run: ``.venv/bin/python benchmarks/slots.py``. Prints one JSON line. The floor is the time to merely
``sorted()`` all busy intervals by start, so the ratio tells how far we are from "touch each once".
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.availability import AvailabilityRules, service_slots  # noqa: E402
from scheduling.calendar import Interval  # noqa: E402

MEMBERS, BUSY_PER_MEMBER, DAYS, REPS, FLOOR_REPS = 50, 200, 31, 50, 200
ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
OFFSETS = (UTC,)  # the port promises UTC instants (scheduling/calendar.py)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def build_service(rng: random.Random) -> dict[str, tuple[AvailabilityRules, list[Interval]]]:
    members: dict[str, tuple[AvailabilityRules, list[Interval]]] = {}
    for i in range(MEMBERS):
        first_hour = rng.choice(("08:00", "09:00", "10:00"))
        last_hour = rng.choice(("16:00", "17:00", "18:00"))
        rules = AvailabilityRules(
            timezone=ZONES[i % len(ZONES)],
            working_hours={d: [(first_hour, last_hour)] for d in ("mon", "tue", "wed", "thu", "fri")},
            breaks=[("13:00", "14:00")] if i % 3 else [],
            buffer_before=rng.choice((0, 15, 30)),
            buffer_after=rng.choice((0, 15)),
        )
        busy = []
        for _ in range(BUSY_PER_MEMBER):
            start = NOW + timedelta(minutes=15 * rng.randrange(4 * 24 * DAYS))
            end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90, 120)))
            offset = rng.choice(OFFSETS)
            busy.append(Interval(start.astimezone(offset), end.astimezone(offset)))
        members[f"agent{i:02d}"] = (rules, busy)
    return members


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    members = build_service(random.Random(20260302))
    window = {
        "duration": 30,
        "start": NOW.date(),
        "end": NOW.date() + timedelta(days=DAYS - 1),
        "tz": "America/New_York",
        "now": NOW,
    }
    assert isinstance(window["start"], date)

    timings: list[float] = []
    slots = {}
    for _ in range(REPS):
        t0 = time.perf_counter()
        slots = service_slots(members, **window)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - t0) * 1000)

    all_busy = [iv for _, busy in members.values() for iv in busy]
    by_start = attrgetter("start")
    floors = []
    for _ in range(FLOOR_REPS):
        t0 = time.perf_counter()
        sorted(all_busy, key=by_start)
        floors.append((time.perf_counter() - t0) * 1000)

    p50, p95, floor = statistics.median(timings), percentile(timings, 0.95), statistics.median(floors)
    print(
        json.dumps(
            {
                "benchmark": "slots",
                "members": MEMBERS,
                "busy_per_member": BUSY_PER_MEMBER,
                "days": DAYS,
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "first_run_ms": round(timings[0], 2),  # includes filling the per-day period cache
                "sort_floor_ms": round(floor, 2),
                "ratio_p95_to_floor": round(p95 / floor, 2),
                "slots": len(slots),
                "goal_p95_ms": 50,
                "goal_ratio": 20,
            }
        )
    )


if __name__ == "__main__":
    main()
