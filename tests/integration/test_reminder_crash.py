"""Reminders are due while the server is killed with SIGKILL and restarted, several times:
in the end every reminder was recorded, posted and mailed exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.bootstrap import bootstrap
from bot.settings import Settings
from tests.support.process import ServerProcess

pytestmark = pytest.mark.slow
AGENTS = ("alice", "bob", "carol", "dave")
PER_AGENT = 3
KILLS = 4


def query(path: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path, timeout=30) as db:
        return db.execute(sql).fetchall()


async def book_meetings(server: ServerProcess) -> list[str]:
    meetings = []
    today = date.today()
    async with aiohttp.ClientSession() as http:
        for slug in AGENTS:
            params = {
                "start": str(today),
                "end": str(today + timedelta(days=27)),
                "duration": "30",
                "tz": "UTC",
            }
            async with http.get(f"{server.url}/api/agents/{slug}/slots", params=params) as r:
                slots = [s["start"] for s in (await r.json())["slots"]]
            later = datetime.now(UTC) + timedelta(hours=2)
            slots = [s for s in slots if datetime.fromisoformat(s.replace("Z", "+00:00")) > later][:PER_AGENT]
            for n, start in enumerate(slots):
                name = f"{slug}-guest-{n}"
                async with http.post(
                    f"{server.url}/api/guest/sessions", json={"name": name, "email": f"{name}@example.org"}
                ) as r:
                    token = (await r.json())["token"]
                async with http.post(
                    f"{server.url}/api/guest/meetings",
                    json={"agent": slug, "start": start, "duration": 30, "subject": f"Call {name}"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    assert r.status == 201, await r.text()
                    meetings.append((await r.json())["meeting"]["id"])
    return meetings


async def bring_reminders_forward(server: ServerProcess, meetings: list[str]) -> None:
    """Through the engine's own job API: each reminder becomes due within the next few seconds."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{server.db_path}", data_dir=server.folder, secret_key="x"
    )
    runtime = bootstrap(settings, channels={}, calendars={})
    try:
        async with runtime.uow() as uow:
            now = datetime.now(UTC)
            for i, meeting_id in enumerate(meetings):
                # The guests proved their addresses earlier (bot/identity): reminders go to proven ones.
                meeting = await uow.meetings.get(meeting_id)
                assert meeting is not None
                guest = await uow.guests.get(meeting.guest_id)
                assert guest is not None
                guest.email_proven_at = now
                await uow.guests.save(guest)
                when = now + timedelta(seconds=1 + 0.4 * i)
                await uow.jobs.schedule(
                    "meeting_reminder", when, {"meeting_id": meeting_id}, key=f"reminder:{meeting_id}"
                )
            await uow.commit()
    finally:
        await runtime.storage.dispose()


def reminders_recorded(db: str) -> int:
    return query(db, "SELECT count(*) FROM outbox WHERE event_type = 'ReminderDue'")[0][0]


async def test_every_reminder_is_sent_exactly_once_across_sigkills() -> None:
    server = ServerProcess({"CONVENE_JOB_LEASE_SECONDS": "1", "CONVENE_WORKER_POLL_SECONDS": "0.05"})
    server.prepare()
    server.start()
    try:
        await server.ready()
        meetings = await book_meetings(server)
        assert len(meetings) == len(AGENTS) * PER_AGENT
        await bring_reminders_forward(server, meetings)
        seen = 0
        for _ in range(KILLS):
            # Kill just as reminders start landing, so some die mid-job or mid-delivery.
            deadline = time.monotonic() + 30
            while reminders_recorded(server.db_path) <= seen and seen < len(meetings):
                assert time.monotonic() < deadline, "no reminder fired"
                await asyncio.sleep(0.01)  # watching the database, not waiting for a fixed time
            seen = reminders_recorded(server.db_path)
            server.kill()
            server.start()
            await server.ready()
        deadline = time.monotonic() + 60
        while (
            reminders_recorded(server.db_path) < len(meetings)
            or query(server.db_path, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")[0][0]
        ):
            assert time.monotonic() < deadline, "reminders or their delivery did not finish"
            await asyncio.sleep(0.05)
    finally:
        server.stop()

    db = server.db_path
    per_meeting = dict(
        query(
            db,
            "SELECT json_extract(payload, '$.meeting_id'), count(*) FROM outbox WHERE event_type='ReminderDue' GROUP BY 1",
        )
    )
    assert per_meeting == {m: 1 for m in meetings}
    notices = query(
        db,
        "SELECT m.id, count(x.id) FROM meetings m LEFT JOIN messages x ON x.conversation_id = m.conversation_id "
        "AND x.author_kind = 'system' AND x.text LIKE 'Reminder:%' GROUP BY m.id",
    )
    assert dict(notices) == {m: 1 for m in meetings}
    jobs = query(db, "SELECT status, count(*) FROM jobs WHERE kind = 'meeting_reminder' GROUP BY status")
    assert dict(jobs) == {"done": len(meetings)}
    outbox = Path(server.folder) / "outbox"
    for meeting_id in meetings:
        mails = list(outbox.glob(f"meeting.{meeting_id}.ReminderDue.*.eml"))
        assert len(mails) == 2, mails  # the agent and the guest, once each
