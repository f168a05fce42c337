"""Reminders through the job table with a driven clock: once at start − 15 min, moved by a
reschedule, removed by a cancel, and exactly once when two workers race for them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from adapters.web.app import make_app
from bot.jobs import JobRunner
from storage.models import OutboxRow
from tests.integration.meetings_support import book, drain, guest, meeting_mails, thread

NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)
START = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # Mon 09:00 Berlin


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def reminders_sent(runtime: Any) -> int:
    async with runtime.storage.session() as s:
        query = select(func.count(OutboxRow.id)).where(OutboxRow.event_type == "ReminderDue")
        return (await s.execute(query)).scalar_one()


async def at(runtime: Any, when: datetime) -> int:
    runtime.clock.set(when)
    await drain(runtime)
    return await reminders_sent(runtime)


async def test_reminder_fires_once_fifteen_minutes_before(client: Any) -> None:
    runtime, ann = client.runtime, await guest(client)
    meeting = (await (await book(client, ann, "2026-10-26T08:00:00Z")).json())["meeting"]
    # (clock) → reminders recorded so far
    assert await at(runtime, START - timedelta(minutes=16)) == 0
    assert await at(runtime, START - timedelta(minutes=15)) == 1
    assert await at(runtime, START - timedelta(minutes=14)) == 1
    assert await at(runtime, START + timedelta(hours=1)) == 1
    assert (await thread(client, ann, meeting["conversation_id"]))[-1] == (
        "Reminder: Demo starts in 15 minutes (Mon 26 Oct 2026 09:00–09:30 (Europe/Berlin) · 08:00–08:30 UTC)."
    )
    reminders = [m for m in meeting_mails(runtime) if m.subject.startswith("Reminder")]
    assert sorted(m.to for m in reminders) == ["Alice <alice@example.com>", "Ann <ann@example.org>"]
    assert all("starts in 15 minutes" in m.text for m in reminders)


async def test_reschedule_moves_the_reminder_and_cancel_removes_it(client: Any) -> None:
    runtime, ann = client.runtime, await guest(client)
    meeting = (await (await book(client, ann, "2026-10-26T08:00:00Z")).json())["meeting"]
    r = await client.patch(
        f"/api/guest/meetings/{meeting['id']}", json={"start": "2026-10-26T10:00:00Z"}, headers=ann
    )
    assert r.status == 200
    assert await at(runtime, START - timedelta(minutes=15)) == 0  # the old time passes quietly
    assert await at(runtime, datetime(2026, 10, 26, 9, 45, tzinfo=UTC)) == 1

    other = (await (await book(client, ann, "2026-10-26T11:00:00Z")).json())["meeting"]
    assert (await client.delete(f"/api/guest/meetings/{other['id']}", headers=ann)).status == 200
    assert await at(runtime, datetime(2026, 10, 26, 11, 0, tzinfo=UTC)) == 1


async def test_two_workers_racing_send_each_reminder_once(client: Any) -> None:
    runtime = client.runtime
    for i, slug in enumerate(["alice", "bob", "carol"]):
        r = await book(
            client, await guest(client, f"G{i}", f"g{i}@example.org"), "2026-10-26T09:00:00Z", agent=slug
        )
        assert r.status == 201
    runtime.clock.set(datetime(2026, 10, 26, 8, 46, tzinfo=UTC))  # all three are due
    workers = [
        JobRunner(runtime.storage.jobs, runtime.uow, runtime.clock, worker_id=f"worker-{n}", lease_seconds=60)
        for n in range(2)
    ]
    for worker in workers:
        worker.handlers = dict(runtime.jobs.handlers)
    await asyncio.gather(*(w.run_due() for w in workers for _ in range(3)))
    assert await reminders_sent(runtime) == 3
    runtime.clock.advance(minutes=5)
    await asyncio.gather(*(w.run_due() for w in workers))
    assert await reminders_sent(runtime) == 3
