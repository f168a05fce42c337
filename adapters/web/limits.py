"""Abuse limits over HTTP and WebSockets: who the client is, and how a refusal is said.

The rules and counters are ``bot.limits`` (pure, in memory, one set per process); this module picks
the keys (the client IP, a sign-in address, a guest, a socket) and translates a refusal into
``429 {"code": "rate_limited", "retry_after": s}`` with a ``Retry-After`` header, or into a
``rate_limited`` frame and, for a socket that keeps flooding, a close with code 4429.

The client IP is the peer address; ``X-Forwarded-For`` is believed only when the peer is one of
the ``trusted_proxies``, and then the client is the rightmost address no trusted proxy owns.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from adapters.web.errors import Handler
from bot.bootstrap import Runtime
from bot.limits import AbuseLimits, FrameGate, RateLimited

log = logging.getLogger(__name__)
WS_CLOSE_FLOODING = 4429
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class WebLimits:
    def __init__(self, runtime: Runtime) -> None:
        self.limits = AbuseLimits(runtime.settings, runtime.clock)
        self.proxies: list[IPNetwork] = [
            ipaddress.ip_network(entry, strict=False) for entry in runtime.settings.trusted_proxies
        ]
        self.background: set[asyncio.Task[None]] = set()

    def client_ip(self, request: web.Request) -> str:
        peer = request.remote or ""
        if not self.proxies or not self._trusted(peer):
            return peer
        hops = [
            hop.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for hop in header.split(",")
        ]
        client = peer
        for hop in reversed(hops):  # each proxy appends who it saw: read from the nearest one out
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                break  # unparseable: believe nothing further left
            client = str(address)
            if not self._trusted(client):
                break
        return client

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the answer: its duration then says nothing to the client."""
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def settle(self) -> None:
        """Wait for the work started in the background (at shutdown, and in tests)."""
        while self.background:
            await asyncio.gather(*self.background, return_exceptions=True)


LIMITS = web.AppKey("limits", WebLimits)


def install(app: web.Application, runtime: Runtime) -> None:
    """One set of counters per application (so per process), and the 429 translation."""
    app[LIMITS] = WebLimits(runtime)
    app.middlewares.append(rate_limited_middleware)  # innermost: it sees the refusal first
    app.on_cleanup.append(_settle)


async def _settle(app: web.Application) -> None:
    await app[LIMITS].settle()


@web.middleware
async def rate_limited_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RateLimited as error:
        return web.json_response(
            {"code": error.code, "message": error.message, "retry_after": error.retry_after},
            status=error.status,
            headers={"Retry-After": str(error.retry_after)},
        )


# -- the hooks the handlers call -------------------------------------------------------------------------


def limit_login_ip(request: web.Request) -> None:
    """Sign-in requests from one IP; past the limit: 429."""
    limits = request.app[LIMITS]
    limits.limits.login_per_ip.check(limits.client_ip(request))


def login_mail_allowed(request: web.Request, email: str) -> bool:
    """Sign-in mails to one address. Known and unknown addresses count alike, and past the limit
    the caller still answers 202 (without a mail): the limit reveals nothing about accounts."""
    return request.app[LIMITS].limits.login_mails_per_address.hit(email.strip().lower()) <= 0


def in_background(request: web.Request, work: Coroutine[Any, Any, None]) -> None:
    request.app[LIMITS].in_background(work)


def limit_guest_session(request: web.Request) -> None:
    limits = request.app[LIMITS]
    limits.limits.guest_sessions_per_ip.check(limits.client_ip(request))


def limit_guest_message(request: web.Request, guest_id: str) -> None:
    """Guest messages over REST; the WebSocket counts into the same counter (``SocketGuard``)."""
    request.app[LIMITS].limits.guest_messages.check(guest_id)


def limit_guest_upload(request: web.Request, guest_id: str) -> None:
    """A guest's files: each is a message too (so both counters count it), and at most so many an hour."""
    limits = request.app[LIMITS].limits
    limits.guest_messages.check(guest_id)
    limits.guest_uploads.check(guest_id)


class SocketGuard:
    """One socket's frame gate, and its guest's message counter (shared with REST)."""

    def __init__(self, request: web.Request, guest_id: str | None) -> None:
        self.limits = request.app[LIMITS].limits
        self.gate: FrameGate = self.limits.frame_gate()
        self.guest_id = guest_id

    async def admit(self, ws: web.WebSocketResponse) -> bool:
        """True: handle the frame. False: it was dropped (no parsing, no database), the client was
        told once per window, and a socket that keeps flooding is closed with 4429."""
        verdict = self.gate.admit()
        if verdict == "pass":
            return True
        if verdict == "warn":
            await ws.send_json(
                {
                    "type": "error",
                    "code": "rate_limited",
                    "message": "Too many frames; these are dropped.",
                    "retry_after": RateLimited(self.gate.retry_after()).retry_after,
                }
            )
        elif verdict == "close":
            await ws.close(code=WS_CLOSE_FLOODING, message=b"rate limited")
        return False

    def message(self) -> None:
        """Count one guest message or raise ``RateLimited``; agents are not limited."""
        if self.guest_id is not None:
            self.limits.guest_messages.check(self.guest_id)
