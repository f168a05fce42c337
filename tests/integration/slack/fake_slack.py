"""A local stand-in for the Slack Web API (and response URLs): records every call, answers in
Slack's JSON shapes, and can be told to rate-limit a method once."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, tuple[str, str]] = {}  # Slack user id → (email, real name)
        self.rate_limit_once: dict[str, int] = {}  # method → Retry-After seconds
        self.errors: dict[str, str] = {}  # method → the Slack error it answers while set
        self.down: dict[str, int] = {}  # method → the HTTP status (5xx) it answers while set
        self._ts = 1_780_000_000
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests read -----------------------------------------------------------------------------

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method and c.status == 200]

    def thread(self, channel: str, ts: str) -> list[str]:
        return [
            a["text"]
            for a in self.of("chat.postMessage")
            if a.get("channel") == channel and a.get("thread_ts") == ts
        ]

    def ephemerals(self, user: str) -> list[str]:
        texts = [a.get("text", "") for a in self.of("chat.postEphemeral") if a.get("user") == user]
        return texts + [a.get("text", "") for a in self.of("response_url")]

    def next_ts(self) -> str:
        self._ts += 1
        return f"{self._ts}.000100"

    # -- the server ----------------------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(dict(parse_qsl(raw)))
        for key in ("blocks", "view"):  # form-encoded calls carry these as JSON strings
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        if method in self.rate_limit_once:
            retry = self.rate_limit_once.pop(method)
            self.calls.append(Call(method, args, 429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry)}
            )
        if method in self.down:
            self.calls.append(Call(method, args, self.down[method]))
            return web.Response(status=self.down[method], text="upstream connect error")
        if method in self.errors:
            self.calls.append(Call(method, args, 400))  # ok: false (Slack answers HTTP 200)
            return web.json_response({"ok": False, "error": self.errors[method]})
        self.calls.append(Call(method, args, 200))
        return web.json_response(self._answer(method, args))

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json(), 200))
        return web.Response(text="ok")

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team_id": "T1", "team": "Test", "user_id": BOT_USER, "bot_id": "BBOT"}
        if method == "users.info":
            user = args.get("user", "")
            if user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            email, name = self.users[user]
            return {"ok": True, "user": {"id": user, "real_name": name, "profile": {"email": email}}}
        if method == "users.lookupByEmail":  # a direct message finds its agent by address
            found = [
                u
                for u, (email, _) in self.users.items()
                if email.lower() == str(args.get("email", "")).lower()
            ]
            return (
                {"ok": True, "user": {"id": found[0]}} if found else {"ok": False, "error": "users_not_found"}
            )
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": self.next_ts(), "message": {}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method in ("views.open", "views.update"):
            return {
                "ok": True,
                "view": {**(args.get("view") or {}), "id": args.get("view_id") or "V1", "hash": "h1"},
            }
        return {"ok": True}


def signature_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 scheme: HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
