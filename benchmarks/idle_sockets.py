"""Many idle guests: 10,000 authenticated guest WebSockets held by one ``convene serve`` process.

Measures, while they are all held: the server's resident memory (goal < 1 GB), ``/healthz`` latency
(goal p95 < 50 ms) and how long a message an agent posts takes to reach one of those guests (goal
< 50 ms, from the agent's POST to the frame in the guest's socket). The floor is a bare aiohttp server
in its own process holding the same number of sockets the same way (first frame, one reply, then idle),
measured in the same run with the same client.

The benchmark raises its open-files limit to the hard limit (servers it starts inherit it) and connects
from several loopback source addresses (127.0.0.2, …) so 2 × 10,000 connections never run short of
ephemeral ports. Guest sessions are created past a person's abuse limits, so the run raises
``guest_sessions_per_ip`` through its setting (it is still checked on every request).

Prints one JSON line.
    python benchmarks/idle_sockets.py [--sockets 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _processes import raise_open_files, rss_bytes  # noqa: E402
from _servers import Server, free_port  # noqa: E402

SOURCES = [f"127.0.0.{n}" for n in range(2, 10)]  # source addresses: 8 × ~28,000 ephemeral ports
CONNECTING = 100  # sockets being opened at once
GOAL_RSS_BYTES = 1024**3
GOAL_MS = 50.0
PROBES = 200  # /healthz requests while the sockets are held
DELIVERIES = 30  # messages to one held guest


# -- the floor: a bare aiohttp server holding sockets ----------------------------------------------------
def floor_server(port: int) -> None:
    held: dict[str, web.WebSocketResponse] = {}

    async def ws(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(heartbeat=20)
        await socket.prepare(request)
        token = json.loads((await socket.receive()).data)["token"]
        held[token] = socket
        await socket.send_json({"type": "hello"})
        async for _ in socket:
            pass
        held.pop(token, None)
        return socket

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def push(request: web.Request) -> web.Response:
        body = await request.json()
        await held[body["token"]].send_json({"type": "message", "message": {"text": body["text"]}})
        return web.json_response({"ok": True}, status=201)

    app = web.Application()
    app.router.add_get("/ws", ws)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/push", push)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# -- the client ----------------------------------------------------------------------------------------
class Guests:
    """Holds the sockets: one reading task each (answers the server's pings), frames of the first kept."""

    def __init__(self) -> None:
        self.sessions = [
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, local_addr=(source, 0)))
            for source in SOURCES
        ]
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.readers: list[asyncio.Task[None]] = []
        self.first_frames: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()

    async def open(self, url: str, tokens: list[str]) -> float:
        gate = asyncio.Semaphore(CONNECTING)
        started = time.perf_counter()

        async def one(n: int, token: str) -> None:
            async with gate:
                socket = await self.sessions[n % len(self.sessions)].ws_connect(url, max_msg_size=0)
                await socket.send_json({"token": token})
                hello = await socket.receive_json(timeout=60)
                assert hello["type"] == "hello", hello
            self.sockets.append(socket)
            self.readers.append(asyncio.create_task(self._read(socket, first=n == 0)))

        await asyncio.gather(*(one(n, t) for n, t in enumerate(tokens)))
        return time.perf_counter() - started

    async def _read(self, socket: aiohttp.ClientWebSocketResponse, *, first: bool) -> None:
        async for frame in socket:
            if first and frame.type == aiohttp.WSMsgType.TEXT:
                self.first_frames.put_nowait((time.perf_counter(), json.loads(frame.data)))

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)
        for session in self.sessions:
            await session.close()


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def healthz_latency(url: str) -> dict[str, float]:
    samples = []
    async with aiohttp.ClientSession() as http:
        for _ in range(PROBES):
            started = time.perf_counter()
            async with http.get(url + "/healthz") as r:
                assert r.status == 200, r.status
                await r.read()
            samples.append(time.perf_counter() - started)
    return percentiles(samples)


async def delivery_latency(guests: Guests, post: Any) -> dict[str, float]:
    """From the POST that sends a message to the frame carrying it in the first guest's socket."""
    samples = []
    async with aiohttp.ClientSession() as http:
        for i in range(DELIVERIES):
            text = f"ping {i}"
            started = time.perf_counter()
            await post(http, text)
            while True:
                arrived, frame = await asyncio.wait_for(guests.first_frames.get(), 10)
                if frame.get("type") == "message" and frame["message"]["text"] == text:
                    break
            samples.append(arrived - started)
    return percentiles(samples)


async def wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            try:
                async with http.get(url + "/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)  # polling a readiness probe
    raise RuntimeError(f"{url} did not come up")


async def measure_floor(count: int) -> dict[str, Any]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--floor-port", str(port)])
    url = f"http://127.0.0.1:{port}"
    guests = Guests()
    try:
        await wait_ready(url)
        before = rss_bytes(process.pid)
        tokens = [f"t{n}" for n in range(count)]
        opened = await guests.open(url.replace("http", "ws") + "/ws", tokens)
        held = rss_bytes(process.pid)
        health = await healthz_latency(url)

        async def post(http: aiohttp.ClientSession, text: str) -> None:
            async with http.post(url + "/push", json={"token": tokens[0], "text": text}) as r:
                assert r.status == 201

        delivery = await delivery_latency(guests, post)
        return figures(before, held, count, opened, health, delivery)
    finally:
        await guests.close()
        process.terminate()
        process.wait(10)


async def measure_convene(count: int) -> dict[str, Any]:
    server = Server(env={"CONVENE_GUEST_SESSIONS_PER_IP": str(count * 10)})
    server.prepare()
    server.start()
    guests = Guests()
    try:
        await server.ready()
        assert server.process is not None
        agent = {"Authorization": f"Bearer {server.agent_token('alice@example.com')}"}
        gate = asyncio.Semaphore(20)
        async with aiohttp.ClientSession() as http:

            async def session(n: int) -> str:
                async with gate, http.post(server.url + "/api/guest/sessions", json={"name": f"G{n}"}) as r:
                    assert r.status == 201, await r.text()
                    return str((await r.json())["token"])

            tokens = await asyncio.gather(*(session(n) for n in range(count)))
            first = {"Authorization": f"Bearer {tokens[0]}"}
            body = {"service": "sales", "text": "hello", "client_id": "idle-0"}
            async with http.post(server.url + "/api/guest/conversations", json=body, headers=first) as r:
                conversation = (await r.json())["conversation"]["id"]
        before = rss_bytes(server.process.pid)
        opened = await guests.open(server.url.replace("http", "ws") + "/api/guest/ws", tokens)
        held = rss_bytes(server.process.pid)
        health = await healthz_latency(server.url)
        path = f"/api/agent/conversations/{conversation}/messages"

        async def post(http: aiohttp.ClientSession, text: str) -> None:
            async with http.post(server.url + path, json={"text": text}, headers=agent) as r:
                assert r.status in (200, 201), await r.text()

        delivery = await delivery_latency(guests, post)
        return figures(before, held, count, opened, health, delivery)
    finally:
        await guests.close()
        server.stop()


def figures(
    before: int, held: int, count: int, opened: float, health: dict[str, float], delivery: dict[str, float]
) -> dict[str, Any]:
    return {
        "rss_mb": round(held / 1024**2, 1),
        "rss_before_sockets_mb": round(before / 1024**2, 1),
        "kb_per_socket": round((held - before) / count / 1024, 1),
        "open_seconds": round(opened, 1),
        "healthz": health,
        "delivery": delivery,
    }


async def main(count: int) -> dict[str, Any]:
    limit = raise_open_files()
    if limit < count + 1000:
        raise SystemExit(f"open-files limit {limit} is too low for {count} sockets; raise the hard limit")
    floor = await measure_floor(count)
    convene = await measure_convene(count)
    meets = {
        "rss": convene["rss_mb"] * 1024**2 < GOAL_RSS_BYTES,
        "healthz_p95": convene["healthz"]["p95_ms"] < GOAL_MS,
        "delivery_max": convene["delivery"]["max_ms"] < GOAL_MS,
    }
    return {
        "benchmark": "idle_sockets",
        "sockets": count,
        "open_files_limit": limit,
        "convene": convene,
        "floor_bare_aiohttp": floor,
        "goals": {"rss_mb": GOAL_RSS_BYTES // 1024**2, "healthz_p95_ms": GOAL_MS, "delivery_ms": GOAL_MS},
        "meets": meets,
        "meets_goal": all(meets.values()),
        "load_average": os.getloadavg(),  # the machine is shared: a high figure slows both sides
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--floor-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_port:
        floor_server(args.floor_port)
    else:
        print(json.dumps(asyncio.run(main(args.sockets))))
