"""Where live pushes go: this process's sockets, or every process's when they share PostgreSQL.

With several processes, the one that delivers an event is rarely the one holding the guest's socket.
On PostgreSQL every process LISTENs on one channel; a delivery NOTIFYs, and each process pushes to its
own sockets (the sender included, so nothing is pushed twice). NOTIFY payloads stop at 8000 bytes, so
large ones travel in numbered parts that receivers put back together.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from adapters.web.live import LiveHub

log = logging.getLogger(__name__)
CHANNEL = "convene_live"
PART = 7000  # characters per NOTIFY, safely under PostgreSQL's 8000-byte limit once escaped


class LocalFanout:
    def __init__(self, hub: LiveHub) -> None:
        self.hub = hub

    async def publish(self, audience: dict[str, Any], payload: dict[str, Any]) -> None:
        await push(self.hub, audience, payload)

    async def stop(self) -> None:
        return None


async def push(hub: LiveHub, audience: dict[str, Any], payload: dict[str, Any]) -> None:
    if audience.get("guest"):
        await hub.to_guest(audience["guest"], payload)
    if audience.get("agents"):
        await hub.to_agents(set(audience["agents"]), payload)


class PostgresFanout:
    def __init__(self, hub: LiveHub, dsn: str) -> None:
        self.hub = hub
        self.dsn = dsn
        self._connection: Any = None
        self._lock = asyncio.Lock()
        self._parts: dict[str, list[str | None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self) -> None:
        await self._connect()

    async def _connect(self) -> Any:
        import asyncpg

        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(self.dsn)
            await self._connection.add_listener(CHANNEL, self._on_notify)
        return self._connection

    async def publish(self, audience: dict[str, Any], payload: dict[str, Any]) -> None:
        data = json.dumps({"audience": audience, "payload": payload})
        parts = [data[i : i + PART] for i in range(0, len(data), PART)] or [""]
        key = uuid.uuid4().hex
        async with self._lock:  # one connection, so the parts of one push arrive in order
            connection = await self._connect()  # a dropped connection is reopened; raising means "retry"
            for n, part in enumerate(parts):
                frame = json.dumps({"k": key, "n": n, "of": len(parts), "d": part})
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, frame)

    def _on_notify(self, connection: Any, pid: int, channel: str, raw: str) -> None:
        try:
            frame = json.loads(raw)
            parts = self._parts.setdefault(frame["k"], [None] * frame["of"])
            parts[frame["n"]] = frame["d"]
            if any(p is None for p in parts):
                return
            del self._parts[frame["k"]]
            message = json.loads("".join(p for p in parts if p is not None))
        except (ValueError, KeyError, IndexError, TypeError):
            log.warning("ignoring a malformed live notification")
            return
        task = asyncio.get_running_loop().create_task(push(self.hub, message["audience"], message["payload"]))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()


def postgres_dsn(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
