"""The service slot list end to end through the engine: one query for the members' meetings, the
local calendar's busy rows (read once, then revalidated by a per-agent version), then
``scheduling.availability.service_slots``. The first, cold run is reported apart.

A 50-member service, 200 busy events each (local calendar rows), a 31-day window, SQLite.
Run: ``.venv/bin/python benchmarks/service_slots_query.py``. Prints one JSON line (milliseconds).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.bootstrap import bootstrap  # noqa: E402
from bot.calendars.sources import fetch_busy, load_profiles  # noqa: E402
from bot.commands import CreateAgent, CreateService  # noqa: E402
from bot.meetings import queries  # noqa: E402
from bot.settings import Settings  # noqa: E402

MEMBERS, BUSY_PER_MEMBER, DAYS, REPS = 50, 200, 31, 50
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def main() -> None:
    folder = tempfile.mkdtemp(prefix="convene-bench-")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
        data_dir=folder,
        secret_key="bench",
        log_level="WARNING",
    )
    runtime = bootstrap(settings, clock=FixedClock(), channels={})
    await runtime.storage.migrate()
    rng = random.Random(7)
    await runtime.bus.handle(CreateService("big", "Big"))
    for i in range(MEMBERS):
        settings_i = {"timezone": "Europe/Berlin", "working_hours": HOURS, "lunch_break": ["13:00", "14:00"]}
        await runtime.bus.handle(
            CreateAgent(
                f"agent{i:02d}", f"Agent {i}", f"a{i}@example.com", settings=settings_i, services=("big",)
            )
        )
    async with runtime.uow() as uow:
        for i in range(MEMBERS):
            for _ in range(BUSY_PER_MEMBER):
                start = NOW + timedelta(minutes=15 * rng.randrange(4 * 24 * DAYS))
                await uow.local_events.block(
                    f"agent{i:02d}", start, start + timedelta(minutes=rng.choice((15, 30, 60, 90)))
                )
        await uow.commit()
    first, last = date(2026, 3, 2), date(2026, 3, 2) + timedelta(days=DAYS - 1)
    timings = []
    for _ in range(REPS + 5):
        started = time.perf_counter()
        found = await queries.service_slots(runtime, "big", first, last, 30, "Europe/Berlin")
        timings.append((time.perf_counter() - started) * 1000)
    cold = timings[0]  # nothing cached yet: every member's busy rows read and parsed
    timings = sorted(timings[5:])  # the first runs warm caches
    # The floor, in the same run: merely sorting the service's 10,000 busy intervals.
    async with runtime.uow(read_only=True) as uow:
        profiles = await load_profiles(uow, [f"agent{i:02d}" for i in range(MEMBERS)])
    busy = await fetch_busy(runtime.calendars, profiles.values(), NOW, NOW + timedelta(days=DAYS + 1))
    intervals = [iv for ivs in busy.by_agent.values() for iv in ivs]
    shuffled = intervals[:]
    floors = []
    for _ in range(REPS):
        rng.shuffle(shuffled)
        started = time.perf_counter()
        sorted(shuffled, key=lambda iv: (iv.start, iv.end))
        floors.append((time.perf_counter() - started) * 1000)
    floor = statistics.median(floors)
    print(
        json.dumps(
            {
                "benchmark": "service_slots_query",
                "members": MEMBERS,
                "busy_per_member": BUSY_PER_MEMBER,
                "days": DAYS,
                "slots": len(found),
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 2),
                "cold_first_run_ms": round(cold, 2),
                "busy_intervals": len(intervals),
                "sort_floor_ms": round(floor, 2),
                "ratio_p95_to_floor": round(timings[int(0.95 * len(timings)) - 1] / floor, 1),
                "goal_p95_ms": 50,
                "goal_ratio": 20,
            }
        )
    )
    await runtime.storage.dispose()


if __name__ == "__main__":
    asyncio.run(main())
