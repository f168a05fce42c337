"""Two worker processes on PostgreSQL (``convene serve --workers 2``), SIGKILL one and then the other
under load: nothing acknowledged is lost or doubled, every event reaches every destination, and a guest
whose socket is held by the surviving worker keeps receiving live messages (LISTEN/NOTIFY) meanwhile."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import require_postgres
from tests.support.process import ServerProcess

GUESTS = 6
MESSAGES_EACH = 50
KILL_AT = (70, 170)  # acknowledged messages before the first and the second kill

pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return sorted(int(p) for p in text.split())


def holder(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """Which process holds the server side of the connection from ``client_port`` (from /proc)."""
    wanted = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if (cols[1], cols[2]) == wanted:
            inode = cols[9]
    if inode is None:
        return None
    for pid in pids:
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except FileNotFoundError:
            continue
        if f"socket:[{inode}]" in links:
            return pid
    return None


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A database of its own: the two workers, migrate and demo all reach it by URL, as in production."""
    base = make_url(require_postgres())
    name = f"convene_crash_{uuid.uuid4().hex[:10]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_two_postgres_workers_killed_in_turn_lose_and_double_nothing(database: str) -> None:
    server = ServerProcess(
        {
            "CONVENE_DATABASE_URL": database,
            "CONVENE_JOB_LEASE_SECONDS": "1",
            "CONVENE_WORKER_POLL_SECONDS": "0.05",
            # A few guests send far faster than a person: raised, still checked on every request.
            "CONVENE_GUEST_MESSAGES_PER_SECOND": "100000",
            "CONVENE_GUEST_MESSAGES_PER_HOUR": "100000",
            "CONVENE_GUEST_SESSIONS_PER_IP": "1000",
        },
        serve_args=("--workers", "2"),
    )
    server.prepare()
    server.start()
    assert server.process is not None
    parent = server.process.pid
    acked: dict[str, str] = {}  # client id → message id the server acknowledged
    live: dict[int, list[str]] = {}  # watcher socket's worker → message ids it was pushed
    timeout = aiohttp.ClientTimeout(total=10)

    async def workers(count: int = 2, *, without: int | None = None) -> list[int]:
        while len(pids := children(parent)) != count or without in pids:
            await asyncio.sleep(0.05)  # watching the supervisor restart a worker, not waiting for work
        await server.ready()
        return pids

    async def send(http: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> dict[str, Any]:
        """A well-behaved client: retries the same request (same client id) until it is acknowledged."""
        while True:
            try:
                async with http.request(method, server.url + path, **kw) as r:
                    if r.status < 500:
                        assert r.status in (200, 201), await r.text()
                        return dict(await r.json())
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                await asyncio.sleep(0.02)  # the connection broke; a client backs off briefly

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

    async def watcher_on(
        http: aiohttp.ClientSession, token: str, pid: int
    ) -> aiohttp.ClientWebSocketResponse:
        """Opens the watcher's sockets until one lands on ``pid`` (the kernel spreads them by port)."""
        spare = []
        try:
            for _ in range(64):
                socket = await http.ws_connect(server.url + "/api/guest/ws")
                await socket.send_json({"token": token})
                assert (await socket.receive_json(timeout=10))["type"] == "hello"
                if holder(server.port, socket.get_extra_info("sockname")[1], [pid]) == pid:
                    return socket
                spare.append(socket)
            raise AssertionError(f"no socket landed on worker {pid}")
        finally:
            for other in spare:
                await other.close()

    async def watch(socket: aiohttp.ClientWebSocketResponse, pid: int) -> None:
        async for frame in socket:
            data = frame.json()
            if data.get("type") == "message":
                live.setdefault(pid, []).append(data["message"]["id"])

    async def live_while_other_dies(http: aiohttp.ClientSession, watcher: dict[str, Any], at: int) -> None:
        while len(acked) < at:
            await asyncio.sleep(0.01)  # watching the clients' progress, not waiting for the server
        victim, survivor = await workers()
        socket = await watcher_on(http, watcher["token"], survivor)
        watching = asyncio.create_task(watch(socket, survivor))
        os.kill(victim, signal.SIGKILL)
        # While the victim is down (or restarting), the guest posts; the survivor's socket must show it.
        said = await send(
            http,
            "POST",
            f"/api/guest/conversations/{watcher['conversation']}/messages",
            headers=watcher["auth"],
            json={"text": f"while {victim} is down", "client_id": f"w-{at}"},
        )
        deadline = time.monotonic() + 30  # behind the guests' backlog, on a shared machine
        while said["message"]["id"] not in live.get(survivor, []):
            assert time.monotonic() < deadline, f"worker {survivor} stopped pushing live messages"
            await asyncio.sleep(0.01)  # watching frames arrive
        await socket.close()
        await watching
        await workers(without=victim)  # the supervisor started a new worker in its place

    try:
        await server.ready()
        assert len(await workers()) == 2
        async with aiohttp.ClientSession(timeout=timeout) as http:
            session = await send(http, "POST", "/api/guest/sessions", json={"name": "Watcher"})
            auth = {"Authorization": f"Bearer {session['token']}"}
            opened = await send(
                http,
                "POST",
                "/api/guest/conversations",
                headers=auth,
                json={"service": "sales", "text": "watching", "client_id": "w-0"},
            )
            watcher = {"token": session["token"], "auth": auth, "conversation": opened["conversation"]["id"]}
            killing = asyncio.create_task(_in_turn(http, watcher, live_while_other_dies))
            await asyncio.gather(*(guest(http, n) for n in range(GUESTS)))
            await asyncio.wait_for(killing, 60)
        db = await asyncpg.connect(make_url(database).set(drivername="postgresql").render_as_string(False))
        try:
            deadline = time.monotonic() + 30
            while await db.fetchval("SELECT count(*) FROM outbox WHERE dispatched_at IS NULL"):
                assert time.monotonic() < deadline, "the outbox did not drain after the kills"
                await asyncio.sleep(0.05)  # watching the outbox drain
            await _check(db, acked)
        finally:
            await db.close()
    finally:
        server.stop()
    assert server.process is None


async def _in_turn(http: aiohttp.ClientSession, watcher: dict[str, Any], step: Any) -> None:
    for at in KILL_AT:
        await step(http, watcher, at)


async def _check(db: Any, acked: dict[str, str]) -> None:
    stored = await db.fetch(
        "SELECT client_id, id, count(*) OVER (PARTITION BY client_id) AS n FROM messages "
        "WHERE author_kind='guest' AND client_id LIKE 'g%'"
    )
    assert len(stored) == GUESTS * MESSAGES_EACH == len(acked)
    assert {
        r["client_id"]: r["id"] for r in stored
    } == acked  # each acknowledged message, the one acknowledged
    assert all(r["n"] == 1 for r in stored)
    doubled = await db.fetch(
        "SELECT payload->>'message_id', count(*) FROM outbox WHERE event_type='MessagePosted' "
        "GROUP BY 1 HAVING count(*) <> 1"
    )
    assert doubled == []  # one event per message: a retry doubled nothing
    missing = await db.fetch(
        "SELECT o.id, b.id FROM outbox o JOIN bindings b ON b.conversation_id = o.conversation_id "
        "LEFT JOIN deliveries d ON d.key = o.id || ':' || b.id WHERE d.key IS NULL"
    )
    assert missing == []  # every event reached every destination of its conversation
    seqs = await db.fetch("SELECT count(*) AS n, max(seq) AS top FROM messages GROUP BY conversation_id")
    assert all(r["n"] == r["top"] for r in seqs)  # no gaps, no duplicate sequence numbers
