"""Live updates over WebSockets: guests get their conversations, agents everything their services see."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from typing import Any

from aiohttp import WSMsgType, web

from adapters.web.auth import RUNTIME
from adapters.web.errors import bad_text, check_json, field
from adapters.web.limits import SocketGuard
from adapters.web.openapi import documented
from adapters.web.serialize import message_json
from bot import sessions
from bot.commands import PostMessage, StartConversation
from bot.errors import DomainError, Unauthorized

log = logging.getLogger(__name__)
AUTH_TIMEOUT = 10.0
_FRAME_STRINGS = ("conversation_id", "service", "agent", "text", "client_id")


class LiveHub:
    """Sockets of this process, by who holds them. Sending never blocks delivery for long."""

    def __init__(self) -> None:
        self.guests: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.agents: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    async def send(self, sockets: set[web.WebSocketResponse], payload: dict[str, Any]) -> None:
        data = json.dumps(payload)
        for ws in list(sockets):
            if ws.closed:
                sockets.discard(ws)
                continue
            try:
                await ws.send_str(data)
            except (ConnectionError, RuntimeError):
                sockets.discard(ws)  # a reconnecting client catches up from the API with ?after=seq

    async def to_guest(self, guest_id: str, payload: dict[str, Any]) -> None:
        if guest_id in self.guests:
            await self.send(self.guests[guest_id], payload)

    async def to_agents(self, slugs: set[str], payload: dict[str, Any]) -> None:
        await asyncio.gather(*(self.send(self.agents[s], payload) for s in slugs if s in self.agents))


async def _authenticate(ws: web.WebSocketResponse, request: web.Request, kind: str) -> Any:
    runtime = request.app[RUNTIME]
    try:
        first = await ws.receive(timeout=AUTH_TIMEOUT)
    except TimeoutError:
        first = None
    token = None
    if first is not None and first.type == WSMsgType.TEXT:
        try:
            token = json.loads(first.data).get("token")
        except (ValueError, AttributeError):
            token = None
    if kind == "guest":
        return await sessions.guest_for_token(runtime, token)
    return await sessions.agent_for_token(runtime, token)


async def _serve(request: web.Request, kind: str) -> web.WebSocketResponse:
    # The token comes in the first frame, not the URL, so it never lands in access logs.
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    runtime = request.app[RUNTIME]
    hub: LiveHub = runtime.channels["web"].hub  # type: ignore[attr-defined]
    try:
        who = await _authenticate(ws, request, kind)
    except Unauthorized as error:
        await ws.send_json({"type": "error", "code": error.code, "message": error.message})
        await ws.close(code=4401, message=b"unauthorized")
        return ws
    registry = hub.guests[who.id] if kind == "guest" else hub.agents[who.slug]
    registry.add(ws)
    await ws.send_json({"type": "hello", "id": who.id if kind == "guest" else who.slug, "name": who.name})
    guard = SocketGuard(request, who.id if kind == "guest" else None)  # abuse limits (adapters/web/limits.py)
    try:
        async for frame in ws:
            if not await guard.admit(ws) or frame.type != WSMsgType.TEXT:
                continue
            await _on_frame(ws, runtime, who, kind, frame.data, guard)
    finally:
        registry.discard(ws)
    return ws


async def _on_frame(
    ws: web.WebSocketResponse, runtime: Any, who: Any, kind: str, data: str, guard: SocketGuard
) -> None:
    try:
        frame = json.loads(data)
        if not isinstance(frame, dict):
            raise ValueError
    except (ValueError, RecursionError):
        await ws.send_json({"type": "error", "code": "malformed_json", "message": "Frames are JSON objects."})
        return
    if frame.get("type") == "ping":
        await ws.send_json({"type": "pong"})
        return
    if frame.get("type") != "send":
        await ws.send_json({"type": "error", "code": "unknown_frame", "message": "Unknown frame type."})
        return
    client_id = frame.get("client_id")
    try:
        # The same checks as an HTTP body: text no column holds, nesting, and each field's type.
        check_json(frame, "frame")
        for name in _FRAME_STRINGS:
            field(frame, name, required=False)
        text = frame.get("text")
        guard.message()  # the guest's message limit, shared with REST
        if kind == "guest" and not frame.get("conversation_id"):
            posted = await runtime.bus.handle(
                StartConversation(
                    guest_id=who.id,
                    text=text,
                    service=frame.get("service"),
                    agent=frame.get("agent"),
                    client_id=client_id,
                    page_url=frame.get("page_url"),  # bot.origin checks it
                )
            )
        else:
            posted = await runtime.bus.handle(
                PostMessage(
                    conversation_id=str(frame.get("conversation_id")),
                    author=who.actor,
                    text=text,
                    client_id=client_id,
                    internal=bool(frame.get("internal")) and kind == "agent",
                )
            )
    except DomainError as error:
        retry_after = getattr(error, "retry_after", None)  # rate_limited says when to try again
        await ws.send_json(
            {
                "type": "error",
                "client_id": client_id if isinstance(client_id, str) and not bad_text(client_id) else None,
                "code": error.code,
                "message": error.message,
                **({"field": error.details["field"]} if "field" in error.details else {}),
            }
            | ({"retry_after": retry_after} if retry_after is not None else {})
        )
        return
    # The ack is sent only after the commit: an acknowledged message is durable.
    await ws.send_json(
        {
            "type": "ack",
            "client_id": client_id,
            "conversation_id": posted.conversation.id,
            "message": message_json(posted.message, for_guest=kind == "guest"),
        }
    )


@documented(
    "WebSocket: first frame {token}; then live {type: message|event}; "
    "send {type: send, conversation_id|service|agent, text, client_id} → {type: ack}"
)
async def guest_ws(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, "guest")


@documented("WebSocket for the inbox: first frame {token}; live events of every visible conversation")
async def agent_ws(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, "agent")
