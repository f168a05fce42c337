"""Live updates over WebSockets: guests get their conversations, agents everything their services see."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from adapters.web.auth import RUNTIME
from adapters.web.errors import bad_text, check_json, field
from adapters.web.limits import SocketGuard
from adapters.web.live_typing import on_typing
from adapters.web.openapi import documented
from adapters.web.serialize import message_json
from adapters.web.socket_writes import coalesce
from bot import json_text, sessions
from bot.commands import PostMessage, StartConversation
from bot.errors import DomainError, Unauthorized

log = logging.getLogger(__name__)
AUTH_TIMEOUT = 10.0
MAX_ACKED = 512  # client ids a guest socket remembers until their pushes come (LiveHub.note_ack)
MAX_PIPELINED = 64  # messages of one socket waiting for their commit at once; the next frame waits
_FRAME_STRINGS = ("conversation_id", "service", "agent", "text", "client_id")
# Every live push is serialised here, once per event and audience.
_encode = json_text.dumps


class LiveHub:
    """Sockets of this process, by who holds them. Sending never blocks delivery for long."""

    def __init__(self) -> None:
        self.guests: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.agents: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        # A guest's socket already has the message it sent, in the ack: its push is not sent there again
        # (the guest's other tabs still get it). Client ids by socket, oldest first, until the push comes.
        self.acked: dict[web.WebSocketResponse, dict[str, None]] = {}

    def note_ack(self, ws: web.WebSocketResponse, client_id: object) -> None:
        if isinstance(client_id, str) and client_id:
            acked = self.acked.setdefault(ws, {})
            acked[client_id] = None
            if len(acked) > MAX_ACKED:  # a push that never came (another process delivered it)
                del acked[next(iter(acked))]

    async def send(self, sockets: set[web.WebSocketResponse], payload: dict[str, Any] | str) -> None:
        data = payload if isinstance(payload, str) else _encode(payload)
        for ws in list(sockets):
            if ws.closed:
                sockets.discard(ws)
                continue
            try:
                await ws.send_str(data)
            except (ConnectionError, RuntimeError):
                sockets.discard(ws)  # a reconnecting client catches up from the API with ?after=seq

    def has_own(self, guest_id: str, client_id: str) -> bool:
        """Every socket of the guest here has this message of theirs in its ack: its push would go
        nowhere (``WebChannel`` then builds no payload). The acks are forgotten, as a push does."""
        sockets = self.guests.get(guest_id)
        if not sockets:
            return False
        acked = self.acked
        if not all(client_id in acked.get(ws, ()) for ws in sockets):
            return False
        for ws in sockets:
            del acked[ws][client_id]
        return True

    async def to_guest(self, guest_id: str, payload: dict[str, Any]) -> None:
        sockets = self.guests.get(guest_id)  # a dict lookup, whatever the number of sockets held
        if not sockets:
            return
        message = payload.get("message") if payload.get("type") == "message" else None
        if message and message["author"]["kind"] == "guest" and message.get("client_id"):
            own = message["client_id"]
            sender = {ws for ws in sockets if own in self.acked.get(ws, ())}
            for ws in sender:
                del self.acked[ws][own]
            if sender:
                if len(sender) == len(sockets):
                    return
                await self.send(sockets - sender, payload)
                return
        await self.send(sockets, payload)

    async def to_agents(self, slugs: set[str], payload: dict[str, Any]) -> None:
        """Serialised once for every agent's every socket."""
        targets = [self.agents[s] for s in slugs if self.agents.get(s)]
        if not targets:
            return
        data = _encode(payload)
        if len(targets) == 1:
            await self.send(targets[0], data)
        else:
            await asyncio.gather(*(self.send(sockets, data) for sockets in targets))


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
    coalesce(ws)  # the frames of one turn of the loop in one write (adapters/web/socket_writes.py)
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
    # Messages are pipelined: the next frame is read while earlier ones wait for their commit, so one
    # socket's messages share a batch (group commit). Each joins the batcher's queue in the first step
    # of its task, and tasks start in the order they are made, so a socket's messages keep their order.
    # A guest's messages by service or agent (before an answer names the conversation) are ordered by
    # the batcher, which has the later ones wait for the first (bot/batcher.py); a message by
    # conversation waits until those are written. Anything else waits for the pipeline to empty.
    pipeline: set[asyncio.Task[None]] = set()
    starting: set[asyncio.Task[None]] = set()  # a guest's messages by service or agent, in flight
    typing_sent: dict[
        str, float
    ] = {}  # conversation and kind → when this socket last passed a typing signal on
    try:
        async for message in ws:
            if not await guard.admit(ws) or message.type != WSMsgType.TEXT:
                continue
            frame = await _parse(ws, message.data)
            if frame is None:
                continue
            if frame.get("type") == "typing":  # ephemeral: never stored (adapters/web/live_typing.py)
                await on_typing(ws, runtime, who, kind, frame, typing_sent)
                continue
            if frame.get("type") == "send":
                by_conversation = kind == "agent" or bool(frame.get("conversation_id"))
                if by_conversation and starting:
                    await asyncio.wait(starting)
                if len(pipeline) >= MAX_PIPELINED:
                    await asyncio.wait(pipeline, return_when=asyncio.FIRST_COMPLETED)
                task = asyncio.create_task(_on_frame(ws, runtime, who, kind, frame, guard))
                pipeline.add(task)
                task.add_done_callback(pipeline.discard)
                if not by_conversation:
                    starting.add(task)
                    task.add_done_callback(starting.discard)
                continue
            if pipeline:
                await asyncio.wait(pipeline)
            await _on_frame(ws, runtime, who, kind, frame, guard)
    finally:
        if pipeline:  # the socket closed: the messages already read are still written (and acked if it can)
            await asyncio.wait(pipeline)
        registry.discard(ws)
        hub.acked.pop(ws, None)
    return ws


async def _parse(ws: web.WebSocketResponse, data: str) -> dict[str, Any] | None:
    try:
        frame = json.loads(data)
        if not isinstance(frame, dict):
            raise ValueError
    except (ValueError, RecursionError):
        await ws.send_json({"type": "error", "code": "malformed_json", "message": "Frames are JSON objects."})
        return None
    return frame


async def _on_frame(
    ws: web.WebSocketResponse, runtime: Any, who: Any, kind: str, frame: dict[str, Any], guard: SocketGuard
) -> None:
    try:
        await _handle_frame(ws, runtime, who, kind, frame, guard)
    except ConnectionError:  # the socket closed before the answer could go; the message stands
        pass
    except Exception:
        if ws.closed:
            return
        log.exception("a WebSocket frame failed")
        await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"internal error")


async def _handle_frame(
    ws: web.WebSocketResponse, runtime: Any, who: Any, kind: str, frame: dict[str, Any], guard: SocketGuard
) -> None:
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
    if kind == "guest":
        runtime.channels["web"].hub.note_ack(ws, client_id)  # before any await: the push comes after
    ack = {
        "type": "ack",
        "client_id": client_id,
        "conversation_id": posted.conversation.id,
        "message": message_json(posted.message, for_guest=kind == "guest"),
    }
    await ws.send_str(json_text.dumps(ack))


@documented(
    "WebSocket: first frame {token}; then live {type: message|event}; "
    "send {type: send, conversation_id|service|agent, text, client_id} → {type: ack}; "
    "{type: typing, conversation_id} → agents get {type: typing, author}"
)
async def guest_ws(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, "guest")


@documented("WebSocket for the inbox: first frame {token}; live events of every visible conversation")
async def agent_ws(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, "agent")
