"""Guests sending over the WebSocket to the real server on loopback, against a bare aiohttp echo ceiling.

Prints one JSON line: messages per second and p50/p99 ack latency for Convene (every message persisted,
fanned out to an agent's inbox socket) and for an echo server measured in the same run with the same client.

Few guests send many messages here, far past a person's abuse limits (README, "Security"), so the run
raises those limits through their settings: they are still checked on every message and frame.
"""

from __future__ import annotations

import argparse  # (workers)
import asyncio
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any  # (workers)

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _processes import client_cpu_seconds, cpu_seconds, drop_postgres, fresh_postgres, tree  # noqa: E402  (workers)
from _servers import CONVENE, Server, free_port  # noqa: E402

GUESTS = 20
MESSAGES_PER_GUEST = 100
WINDOW = 4  # messages in flight per guest
SINGLE = 200  # messages of the one guest alone, one at a time
# Raised, not switched off: the checks still run on every message and every frame.
RAISED_LIMITS = {
    "guest_messages_per_second": 1_000_000,
    "guest_messages_per_hour": 1_000_000,
    "ws_frames_per_second": 1_000_000,
    "guest_sessions_per_ip": 1_000,  # the guests and the warm-up guest come from one address
}
WARM_UP = 50  # messages of one more guest before the clock starts: a server that has run for a while


async def echo_server(port: int) -> web.AppRunner:
    async def ws(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for frame in socket:
            data = json.loads(frame.data)
            if data.get("type") == "send":
                await socket.send_str(json.dumps({"type": "ack", "client_id": data["client_id"]}))
        return socket

    app = web.Application()
    app.router.add_get("/ws", ws)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def guest_load(
    ws_url: str,
    tokens: list[str | None],
    service: str | None,
    *,
    each: int | None = None,
    window: int | None = None,
) -> tuple[float, list[float]]:
    per_guest = each or MESSAGES_PER_GUEST
    in_flight = window or WINDOW
    latencies: list[float] = []

    async def one_guest(http: aiohttp.ClientSession, token: str | None) -> None:
        async with http.ws_connect(ws_url) as socket:
            await socket.send_json({"token": token})
            if token is not None:
                await socket.receive_json()  # hello
            sent: dict[str, float] = {}
            conversation: str | None = None
            window = asyncio.Semaphore(in_flight)
            done = asyncio.Event()
            acked = 0

            async def reader() -> None:
                nonlocal acked, conversation
                async for frame in socket:
                    data = json.loads(frame.data)
                    if data.get("type") == "ack":
                        latencies.append(time.perf_counter() - sent.pop(data["client_id"]))
                        conversation = conversation or data.get("conversation_id")
                        acked += 1
                        window.release()
                        if acked == per_guest:
                            done.set()
                            return

            task = asyncio.create_task(reader())
            for i in range(per_guest):
                await window.acquire()
                client_id = uuid.uuid4().hex
                sent[client_id] = time.perf_counter()
                frame = {"type": "send", "text": f"message {i}", "client_id": client_id}
                if i == 0 or conversation is None:
                    frame["service"] = service
                    if i > 0:  # the first ack carries the conversation; until then, continue by service
                        pass
                else:
                    frame["conversation_id"] = conversation
                await socket.send_str(json.dumps(frame))
            await done.wait()
            task.cancel()

    async with aiohttp.ClientSession() as http:
        started = time.perf_counter()
        await asyncio.gather(*(one_guest(http, t) for t in tokens))
        elapsed = time.perf_counter() - started
    return elapsed, latencies


async def guest_tokens(server: Server, count: int) -> list[str]:
    async with aiohttp.ClientSession() as http:
        tokens = []
        for i in range(count):
            async with http.post(server.url + "/api/guest/sessions", json={"name": f"Guest {i}"}) as r:
                tokens.append((await r.json())["token"])
    return tokens


def figures(elapsed: float, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


async def inbox_listener(server: Server, token: str, expected: int, received: list[int]) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(server.url.replace("http", "ws") + "/api/agent/ws") as socket,
    ):
        await socket.send_json({"token": token})
        async for frame in socket:
            data = json.loads(frame.data)
            if data.get("type") == "message" and data["message"]["author"]["kind"] == "guest":
                received[0] += 1
                if received[0] >= expected:
                    return


class ProfiledServer(Server):
    """The same server under cProfile (``--profile FILE``): the stats are written when it stops."""

    def __init__(self, profile: str | None, env: dict[str, str] | None = None) -> None:
        # The server must run this checkout's code, not whichever one the venv was installed from.
        root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        super().__init__({**(env or {}), "PYTHONPATH": path})
        self.profile = profile

    def start(self) -> None:
        if self.profile is None:
            return super().start()
        command = [sys.executable, "-m", "cProfile", "-o", self.profile, CONVENE, "serve"]
        self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL)


def top_of_profile(path: str, lines: int = 25) -> None:
    stats = pstats.Stats(path, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(lines)


async def main() -> None:
    profile = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    port = free_port()
    runner = await echo_server(port)
    echo = figures(*await guest_load(f"ws://127.0.0.1:{port}/ws", [None] * GUESTS, None))
    await runner.cleanup()

    server = ProfiledServer(
        profile, {f"CONVENE_{name.upper()}": str(value) for name, value in RAISED_LIMITS.items()}
    )
    server.prepare()
    server.start()
    try:
        await server.ready()
        agent_token = server.agent_token("alice@example.com")
        tokens = await guest_tokens(server, GUESTS + 1)
        total = GUESTS * MESSAGES_PER_GUEST
        received = [0]
        listener = asyncio.create_task(
            inbox_listener(server, agent_token, WARM_UP + total + SINGLE, received)
        )
        await asyncio.sleep(0.2)  # let the inbox socket sign in before the load starts
        ws_url = server.url.replace("http", "ws") + "/api/guest/ws"
        await guest_load(ws_url, tokens[GUESTS:], "sales", each=WARM_UP, window=WINDOW)
        assert server.process is not None
        pids = tree(server.process.pid)
        cpu_before = cpu_seconds(pids)
        ours = figures(*await guest_load(ws_url, tokens[:GUESTS], "sales"))
        cpu_load = cpu_seconds(pids)
        # One guest, one message at a time: the latency a person sees when the server is not saturated.
        single = figures(*await guest_load(ws_url, tokens[GUESTS:], "sales", each=SINGLE, window=1))
        cpu_single = cpu_seconds(pids)
        # CPU per message holds up on a busy shared machine better than messages per second does.
        ours["server_cpu_ms_per_message"] = round((cpu_load - cpu_before) / total * 1000, 3)
        single["server_cpu_ms_per_message"] = round((cpu_single - cpu_load) / SINGLE * 1000, 3)
        try:
            await asyncio.wait_for(listener, 60)
        except TimeoutError:
            pass
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "benchmark": "messages",
                "guests": GUESTS,
                "messages": GUESTS * MESSAGES_PER_GUEST,
                "in_flight_per_guest": WINDOW,
                "convene": ours,
                "convene_single_guest": single,
                "echo_ceiling": echo,
                "throughput_vs_echo": round(ours["messages_per_second"] / echo["messages_per_second"], 3),
                "inbox_received": received[0],
                "inbox_expected": WARM_UP + total + SINGLE,
                "warm_up": f"{WARM_UP} messages of another guest before the clock starts",
                "cores": os.cpu_count(),
                "load_average": os.getloadavg(),  # the machine is shared: a high figure slows every run
                "goal_throughput_vs_echo": 0.20,
                "limits": "raised: " + ", ".join(f"{name}={value}" for name, value in RAISED_LIMITS.items()),
            }
        )
    )
    if profile is not None:
        top_of_profile(profile)


# -- several processes on PostgreSQL (issue 17): --database postgresql --workers N ---------------------------
# Added beside the SQLite run above, which stays the default. Each worker count gets a fresh database; on a
# 2-core machine the load generator shares the cores, so the CPU seconds each side used are printed too.
def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="PostgreSQL: measure 1 and this many workers")
    parser.add_argument("--database-url", default=os.environ.get("CONVENE_TEST_POSTGRES_URL", ""))
    parser.add_argument("--profile", help="SQLite: the server runs under cProfile; its top is printed")
    parser.add_argument(
        "--messages-per-guest",
        type=int,
        default=MESSAGES_PER_GUEST,
        help="a longer run shows the steady state (opening the 20 conversations weighs less)",
    )
    args = parser.parse_args()
    if args.database == "sqlite" and args.workers != 1:
        parser.error("several workers need --database postgresql (SQLite is one process)")
    if args.database == "postgresql" and not args.database_url:
        parser.error("--database postgresql needs --database-url or CONVENE_TEST_POSTGRES_URL")
    return args


async def one_postgres_run(url: str, workers: int) -> dict[str, Any]:
    env = {f"CONVENE_{name.upper()}": str(value) for name, value in RAISED_LIMITS.items()}
    server = Server(env={**env, "CONVENE_DATABASE_URL": url}, serve_args=("--workers", str(workers)))
    server.prepare()
    server.start()
    try:
        await server.ready()
        assert server.process is not None
        while len(pids := tree(server.process.pid)) < (workers + 1 if workers > 1 else 1):
            await asyncio.sleep(0.05)  # the supervisor is still starting its workers
        await asyncio.sleep(1)  # every worker past its start-up before the clock runs
        agent_token = server.agent_token("alice@example.com")
        tokens = await guest_tokens(server, GUESTS + 1)
        total = GUESTS * MESSAGES_PER_GUEST
        received = [0]
        listener = asyncio.create_task(inbox_listener(server, agent_token, WARM_UP + total, received))
        await asyncio.sleep(0.2)  # let the inbox socket sign in before the load starts
        ws_url = server.url.replace("http", "ws") + "/api/guest/ws"
        await guest_load(ws_url, tokens[GUESTS:], "sales", each=WARM_UP, window=WINDOW)
        server_cpu, client_cpu = cpu_seconds(pids), client_cpu_seconds()
        ours = figures(*await guest_load(ws_url, tokens[:GUESTS], "sales"))
        server_cpu, client_cpu = cpu_seconds(pids) - server_cpu, client_cpu_seconds() - client_cpu
        try:
            await asyncio.wait_for(listener, 60)
        except TimeoutError:
            pass
    finally:
        server.stop()
    return {
        "workers": workers,
        "convene": ours,
        "inbox_received": received[0],
        "cpu_seconds": {"server": round(server_cpu, 2), "client": round(client_cpu, 2)},
        # CPU per message holds up on a busy shared machine better than messages per second does.
        "server_cpu_ms_per_message": round(server_cpu / (GUESTS * MESSAGES_PER_GUEST) * 1000, 2),
    }


async def main_postgres(args: argparse.Namespace) -> None:
    port = free_port()
    runner = await echo_server(port)
    echo = figures(*await guest_load(f"ws://127.0.0.1:{port}/ws", [None] * GUESTS, None))
    await runner.cleanup()
    runs = []
    for workers in sorted({1, args.workers}):
        url = await fresh_postgres(args.database_url)
        try:
            runs.append(await one_postgres_run(url, workers))
        finally:
            await drop_postgres(url)
    print(
        json.dumps(
            {
                "benchmark": "messages",
                "database": "postgresql",
                "guests": GUESTS,
                "messages": GUESTS * MESSAGES_PER_GUEST,
                "in_flight_per_guest": WINDOW,
                "runs": runs,
                "echo_ceiling": echo,
                "cores": os.cpu_count(),
                "load_average": os.getloadavg(),  # the machine is shared: a high figure slows every run
                "limits": "raised: " + ", ".join(f"{name}={value}" for name, value in RAISED_LIMITS.items()),
            }
        )
    )


if __name__ == "__main__":
    arguments = options()  # --database / --workers: see the section at the end
    MESSAGES_PER_GUEST = arguments.messages_per_guest
    asyncio.run(main() if arguments.database == "sqlite" else main_postgres(arguments))
