"""Typing signals over the live sockets: ``{type: typing, conversation_id, internal?}`` in, the same
frame with its author out to whoever ``bot.typing`` says may see it.

Ephemeral by design: nothing is stored, nothing enters the outbox; a signal lost with a dropped
socket is simply not shown. One signal per socket and conversation every ``TYPING_EVERY_SECONDS``
is passed on; browsers send about one every 2.5 s while the person types and stop showing it
``TYPING_LASTS_SECONDS`` after the last one.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from adapters.web.errors import bad_text
from bot.errors import DomainError
from bot.typing import TYPING_EVERY_SECONDS, typing_audience


async def on_typing(
    ws: web.WebSocketResponse,
    runtime: Any,
    who: Any,
    kind: str,
    frame: dict[str, Any],
    last: dict[str, float],
) -> None:
    """``last``: this socket's (conversation, internal) → when it last passed a signal on (monotonic s)."""
    conversation_id = frame.get("conversation_id")
    if not isinstance(conversation_id, str) or not conversation_id or bad_text(conversation_id):
        await ws.send_json(
            {
                "type": "error",
                "code": "invalid_input",
                "field": "conversation_id",
                "message": "Name the conversation.",
            }
        )
        return
    internal = bool(frame.get("internal")) and kind == "agent"
    key = f"{conversation_id} {internal}"  # switching between a note and a reply signals at once
    now = time.monotonic()
    if now - last.get(key, float("-inf")) < TYPING_EVERY_SECONDS:
        return  # throttled: the screens still show the previous signal
    last[key] = now
    try:
        async with runtime.uow(read_only=True) as uow:
            audience = await typing_audience(uow, who.actor, conversation_id, internal=internal)
    except DomainError as error:
        await ws.send_json({"type": "error", "code": error.code, "message": error.message})
        return
    author = {"kind": who.actor.kind, "id": who.actor.id, "name": who.actor.name}
    payload = {"type": "typing", "conversation_id": conversation_id, "author": author}
    fanout = runtime.channels["web"].fanout
    if audience.agents:
        await fanout.publish({"agents": sorted(audience.agents)}, {**payload, "internal": internal})
    for guest_id in sorted(audience.guests):
        await fanout.publish({"guest": guest_id}, payload)
