"""Kill the real server with SIGKILL under load, several times: nothing acknowledged is lost or doubled,
and every recorded event is delivered."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import aiohttp
import pytest

from tests.support.process import ServerProcess

GUESTS = 8
MESSAGES_EACH = 60
KILL_EVERY = 90  # acknowledged messages between kills
KILLS = 4

pytestmark = pytest.mark.slow


def query(path: str, sql: str) -> list[tuple]:
    with sqlite3.connect(path, timeout=30) as db:
        return db.execute(sql).fetchall()


async def test_sigkill_under_load_loses_and_doubles_nothing() -> None:
    server = ServerProcess(
        {
            "CONVENE_JOB_LEASE_SECONDS": "1",
            "CONVENE_WORKER_POLL_SECONDS": "0.05",
            # a load test, not an abuse test: a few guests send far faster than people type
            "CONVENE_GUEST_MESSAGES_PER_SECOND": "0",
            "CONVENE_GUEST_MESSAGES_PER_HOUR": "0",
            "CONVENE_GUEST_SESSIONS_PER_IP": "0",
        }
    )
    server.prepare()
    server.start()
    await server.ready()
    up = asyncio.Event()
    up.set()
    acked: dict[str, str] = {}  # client id → message id the server acknowledged
    kills = 0

    async def send(http: aiohttp.ClientSession, method: str, path: str, **kw: object) -> dict:
        """A well-behaved client: retries the same request (same client id) until it is acknowledged."""
        while True:
            await up.wait()
            try:
                async with http.request(method, server.url + path, **kw) as r:
                    if r.status < 500:
                        assert r.status in (200, 201), await r.text()
                        return await r.json()
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                pass
            await up.wait()

    async def guest(http: aiohttp.ClientSession, n: int) -> None:
        session = await send(http, "POST", "/api/guest/sessions", json={"name": f"Guest {n}"})
        auth = {"Authorization": f"Bearer {session['token']}"}
        first = await send(
            http,
            "POST",
            "/api/guest/conversations",
            headers=auth,
            json={"service": "sales", "text": "hello", "client_id": f"g{n}-0"},
        )
        acked[f"g{n}-0"] = first["message"]["id"]
        conversation = first["conversation"]["id"]
        for i in range(1, MESSAGES_EACH):
            client_id = f"g{n}-{i}"
            reply = await send(
                http,
                "POST",
                f"/api/guest/conversations/{conversation}/messages",
                headers=auth,
                json={"text": f"message {i}", "client_id": client_id},
            )
            assert acked.setdefault(client_id, reply["message"]["id"]) == reply["message"]["id"]

    async def killer() -> None:
        nonlocal kills
        while kills < KILLS:
            target = (kills + 1) * KILL_EVERY
            while len(acked) < target:
                await asyncio.sleep(0.01)  # watching the clients' progress, not waiting for the server
            up.clear()
            server.kill()
            kills += 1
            server.start()
            await server.ready()
            up.set()

    timeout = aiohttp.ClientTimeout(total=10)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            killing = asyncio.create_task(killer())
            await asyncio.gather(*(guest(http, n) for n in range(GUESTS)))
            await asyncio.wait_for(killing, 60)
        assert kills == KILLS
        deadline = time.monotonic() + 30
        while query(server.db_path, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")[0][0]:
            assert time.monotonic() < deadline, "the outbox did not drain after the restarts"
            await asyncio.sleep(0.05)
    finally:
        server.stop()

    db = server.db_path
    stored = query(
        db,
        "SELECT client_id, id, count(*) OVER (PARTITION BY client_id) FROM messages WHERE author_kind='guest'",
    )
    assert len(stored) == GUESTS * MESSAGES_EACH == len(acked)
    assert {c: m for c, m, _ in stored} == acked  # every acknowledged message, exactly the one acknowledged
    assert all(n == 1 for _, _, n in stored)
    per_message = query(
        db,
        "SELECT json_extract(payload, '$.message_id'), count(*) FROM outbox "
        "WHERE event_type='MessagePosted' GROUP BY 1 HAVING count(*) <> 1",
    )
    assert per_message == []  # one event per message: a retry doubled nothing
    missing = query(
        db,
        "SELECT o.id, b.id FROM outbox o JOIN bindings b ON b.conversation_id = o.conversation_id "
        "LEFT JOIN deliveries d ON d.key = o.id || ':' || b.id WHERE d.key IS NULL",
    )
    assert missing == []  # every event reached every destination of its conversation
    seqs = query(db, "SELECT conversation_id, count(*), max(seq) FROM messages GROUP BY conversation_id")
    assert all(count == top for _, count, top in seqs)  # no gaps, no duplicate sequence numbers
    assert json.loads(query(db, "SELECT payload FROM outbox LIMIT 1")[0][0])
