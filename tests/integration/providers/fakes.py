"""Shared plumbing for the local fake API servers: an aiohttp app on 127.0.0.1, request recording,
scripted faults, and a sleep that records instead of waiting."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] | None = None


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    path_contains: str = ""
    body: Any = None


class FakeServer:
    """Records every request and serves scripted faults before the real handlers run."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def fail(
        self, status: int, times: int = 1, path_contains: str = "", body: Any = None, **headers: str
    ) -> None:
        self.faults.extend(Fault(status, dict(headers), path_contains, body) for _ in range(times))

    def seen(self, method: str, path_contains: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_contains in r.path]

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        record = Recorded(request.method, request.path, dict(request.query), dict(request.headers))
        if request.content_type == "application/json" and request.can_read_body:
            record.json = await request.json()
        elif request.content_type == "application/x-www-form-urlencoded":
            record.form = dict(await request.post())
        self.requests.append(record)
        for fault in self.faults:
            if fault.path_contains in request.path:
                self.faults.remove(fault)
                return web.json_response(
                    fault.body or {"error": {"code": fault.status, "message": "scripted fault"}},
                    status=fault.status,
                    headers=fault.headers,
                )
        return await handler(request)

    def make_app(self) -> web.Application:
        return web.Application(middlewares=[self._record])

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._runner = web.AppRunner(self.make_app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class RecordingSleep:
    """Injected in place of asyncio.sleep: remembers the waits, never waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
