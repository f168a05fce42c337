"""Slack ack latency: signed ``block_actions`` (Assign to me) at a fixed rate against the real server.

The server is ``convene serve`` in its own process on loopback, with Slack switched on and its Web API
pointed at a local fake; every click runs the real work after the ack (identity, AssignConversation,
notices through the outbox to the fake Slack). The same client, at the same rate, also measures a bare
aiohttp handler that only returns 200 in its own process: the floor.

Open loop: each request is sent at its scheduled time whatever earlier ones are doing, and latency is
counted from the scheduled time, so a stalled server cannot hide its queue (no coordinated omission).

Prints one JSON line. Goal: p99 < 50 ms at 100 requests/s (issue 17; it was 300 ms at 50 requests/s).
    python benchmarks/slack_ack.py [--rate 100] [--seconds 10]
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
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _servers import Server, free_port  # noqa: E402

from tests.integration.slack.fake_slack import FakeSlack, signature_headers  # noqa: E402

SECRET = "benchmark-signing-secret"
GOAL_P99_MS = 50.0
USERS = {"UALICE": ("alice@example.com", "Alice"), "UBOB": ("bob@example.com", "Bob")}


def click(user: str, conversation_id: str, n: int) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": f"trigger-{n}",
        "team": {"id": "T1", "domain": "bench"},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "CSALES", "is_ephemeral": False},
        "channel": {"id": "CSALES", "name": "sales"},
        "actions": [
            {
                "action_id": "assign_to_me",
                "block_id": "b",
                "type": "button",
                "value": conversation_id,
                "action_ts": "1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def load(url: str, bodies: list[str], rate: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(at: float, body: str) -> None:
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(SECRET, body)}
            try:
                async with http.post(url, data=body.encode(), headers=headers) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1
            except aiohttp.ClientError:
                statuses[0] = statuses.get(0, 0) + 1
                return
            latencies.append(time.perf_counter() - at)

        start = time.perf_counter() + 0.2
        await asyncio.gather(*(one(start + i / rate, body) for i, body in enumerate(bodies)))
    ordered = sorted(latencies)
    return {
        "requests": len(bodies),
        "ok": statuses.get(200, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def last_seq(http: aiohttp.ClientSession, url: str, token: str, conversation: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{url}/api/guest/conversations/{conversation}", headers=headers) as r:
        return int((await r.json())["last_seq"])


async def drain(
    url: str, token: str, conversation: str, *, base: int, expected: int, since: float
) -> float | None:
    """Seconds from the first click until every click's assignment is committed (None: not in 120 s)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(1200):
            if await last_seq(http, url, token, conversation) - base >= expected:
                return round(time.perf_counter() - since, 2)
            await asyncio.sleep(0.1)  # polling the server's own state from outside
    return None


def baseline_server(port: int) -> None:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/slack/events", ok)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


async def ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            try:
                async with http.post(url, data=b"") as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)  # polling a readiness probe
    raise RuntimeError(f"{url} did not come up")


async def main(rate: float, seconds: float) -> dict[str, Any]:
    n = int(rate * seconds)
    fake = FakeSlack()
    fake.users.update(USERS)
    await fake.start()
    port = free_port()
    floor = subprocess.Popen([sys.executable, __file__, "--baseline-port", str(port)])
    server = Server(
        env={
            "CONVENE_SLACK_BOT_TOKEN": "xoxb-bench",
            "CONVENE_SLACK_SIGNING_SECRET": SECRET,
            "CONVENE_SLACK_API_URL": fake.url + "/api/",
            "CONVENE_PUBLIC_URL": "http://convene.bench",
        }
    )
    try:
        server.prepare()
        server.start()
        await server.ready()
        async with aiohttp.ClientSession() as http:
            async with http.post(server.url + "/api/guest/sessions", json={"name": "Ann"}) as r:
                token = (await r.json())["token"]
            body = {"service": "sales", "text": "Hello"}
            async with http.post(
                server.url + "/api/guest/conversations",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            ) as r:
                conversation = (await r.json())["conversation"]["id"]
            base = await last_seq(http, server.url, token, conversation)
        users = list(USERS)
        bodies = [click(users[i % len(users)], conversation, i) for i in range(n)]
        # Warm-up: bolt's one auth.test, the identity cache, connection set-up.
        await load(server.url + "/slack/events", bodies[:10], rate)
        started = time.perf_counter()
        convene = await load(server.url + "/slack/events", bodies, rate)
        # The work behind the acks: every click is one assignment notice in the conversation.
        drained = await drain(
            server.url, token, conversation, base=base, expected=len(bodies) + 10, since=started
        )

        await ready(f"http://127.0.0.1:{port}/slack/events")
        await load(f"http://127.0.0.1:{port}/slack/events", bodies[:10], rate)
        bare = await load(f"http://127.0.0.1:{port}/slack/events", bodies, rate)
    finally:
        server.stop()
        floor.terminate()
        floor.wait(10)
        await fake.stop()
    return {
        "benchmark": "slack_ack",
        "rate_per_second": rate,
        "seconds": seconds,
        "convene": convene,
        "baseline_aiohttp_200": bare,
        "work_done_after_s": drained,  # all assignments behind the acks committed, from the first click
        "goal_p99_ms": GOAL_P99_MS,
        "meets_goal": convene["p99_ms"] < GOAL_P99_MS and convene["ok"] == n,
        "load_average": os.getloadavg(),  # the machine is shared
        "fake_slack_calls": len(
            fake.calls
        ),  # auth.test once, users.info once per user: identities are cached
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--baseline-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_port:
        baseline_server(args.baseline_port)
    else:
        print(json.dumps(asyncio.run(main(args.rate, args.seconds))))
