"""50 guests book the same slot at once, over real HTTP: exactly one wins, 49 hear slot_taken,
and the database holds no overlapping meetings — on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select

from adapters.web.app import make_app
from storage.models import MeetingRow

GUESTS = 50
SLOT = "2026-10-26T08:00:00Z"  # Mon 09:00 Berlin


async def test_fifty_concurrent_bookings_for_one_slot(seeded: Any, clock: Any) -> None:
    clock.set(datetime(2026, 10, 19, 6, 0, tzinfo=UTC))
    seeded.settings = replace(seeded.settings, guest_sessions_per_ip=0)  # fifty guests on one address
    runner = web.AppRunner(make_app(seeded, manage_workers=False), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=GUESTS)) as http:

            async def sign_in(i: int) -> str:
                async with http.post(
                    f"{base}/api/guest/sessions",
                    json={"name": f"Guest {i}", "email": f"guest{i}@example.org"},
                ) as r:
                    return (await r.json())["token"]

            tokens = await asyncio.gather(*(sign_in(i) for i in range(GUESTS)))
            go = asyncio.Event()

            async def attempt(token: str) -> tuple[int, str | None]:
                await go.wait()  # everybody leaves the starting line together
                async with http.post(
                    f"{base}/api/guest/meetings",
                    json={"agent": "alice", "start": SLOT, "duration": 30, "subject": "Race"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    body = await r.json()
                    return r.status, body.get("code")

            tasks = [asyncio.create_task(attempt(t)) for t in tokens]
            go.set()
            results = await asyncio.gather(*tasks)
    finally:
        await runner.cleanup()
    assert sorted(results, key=lambda r: r[0]) == [(201, None)] + [(409, "slot_taken")] * (GUESTS - 1)
    async with seeded.storage.session() as s:
        rows = (await s.execute(select(MeetingRow).where(MeetingRow.agent == "alice"))).scalars().all()
    booked = sorted((r.start_at, r.end_at) for r in rows if r.status == "booked")
    assert len(booked) == 1
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(booked, booked[1:], strict=False))
