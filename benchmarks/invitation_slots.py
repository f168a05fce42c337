"""The invitation dialog's slot count: ``scheduling.invitation_slots`` for a 5-member team with 2 rooms
and a pool of 5 rooms over 30 days, 200 busy events per person and per room (2,400 intervals).

Every member through ``find_slots`` with their own hours, every room and pool room with the time frame's
hours, then the intersection: the same code the dialog, creation and the booking check run.
Run: ``.venv/bin/python benchmarks/invitation_slots.py``. Prints one JSON line (milliseconds), with the
floor of the same run: merely sorting all the busy intervals.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.availability import AvailabilityRules  # noqa: E402
from scheduling.calendar import Interval  # noqa: E402
from scheduling.invitation_slots import MemberTime, TimeFrame, invitation_slots  # noqa: E402

MEMBERS, ROOMS, POOL, BUSY_EACH, DAYS, REPS = 5, 2, 5, 200, 30, 60
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
HOURS = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}


def busy(rng: random.Random) -> list[Interval]:
    out = []
    for _ in range(BUSY_EACH):
        start = NOW + timedelta(minutes=15 * rng.randrange(4 * 24 * DAYS))
        out.append(Interval(start, start + timedelta(minutes=rng.choice((15, 30, 60, 90)))))
    return out


def main() -> None:
    rng = random.Random(7)
    rules = AvailabilityRules("Europe/Berlin", HOURS, breaks=[("13:00", "14:00")])
    members = {f"agent{i}": MemberTime(rules, busy(rng)) for i in range(MEMBERS)}
    rooms = {f"room{i}": busy(rng) for i in range(ROOMS)}
    pools = {"pool": {f"pool{i}": busy(rng) for i in range(POOL)}}
    frame = TimeFrame(
        date(2026, 3, 2), date(2026, 3, 2) + timedelta(days=DAYS - 1), "08:00", "18:00", "Europe/Berlin"
    )
    horizon = NOW + timedelta(days=91)
    timings, found = [], []
    for _ in range(REPS + 5):
        started = time.perf_counter()
        found = invitation_slots(frame, members, rooms, pools, duration=60, now=NOW, horizon=horizon)
        timings.append((time.perf_counter() - started) * 1000)
    timings = sorted(timings[5:])  # the first runs warm the per-day period caches
    intervals = [iv for m in members.values() for iv in m.busy] + [iv for b in rooms.values() for iv in b]
    intervals += [iv for b in pools["pool"].values() for iv in b]
    floors = []
    for _ in range(REPS):
        shuffled = intervals[:]
        rng.shuffle(shuffled)
        started = time.perf_counter()
        sorted(shuffled, key=lambda iv: (iv.start, iv.end))
        floors.append((time.perf_counter() - started) * 1000)
    floor = statistics.median(floors)
    p95 = timings[int(0.95 * len(timings)) - 1]
    print(
        json.dumps(
            {
                "benchmark": "invitation_slots",
                "members": MEMBERS,
                "rooms": ROOMS,
                "pool_rooms": POOL,
                "busy_each": BUSY_EACH,
                "days": DAYS,
                "slots": len(found),
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(p95, 2),
                "busy_intervals": len(intervals),
                "sort_floor_ms": round(floor, 2),
                "ratio_p95_to_floor": round(p95 / floor, 1),
                "goal_p95_ms": 50,
            }
        )
    )


if __name__ == "__main__":
    main()
