"""Who is calling: guests and agents are identified only by server-issued bearer tokens, which end
when unused for long (``bot.sessions``)."""

from __future__ import annotations

from aiohttp import web

from bot import sessions
from bot.bootstrap import Runtime
from bot.model import Agent, Guest

RUNTIME = web.AppKey("runtime", Runtime)


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


async def current_guest(request: web.Request) -> Guest:
    return await sessions.guest_for_token(request.app[RUNTIME], bearer(request))


async def current_agent(request: web.Request) -> Agent:
    return await sessions.agent_for_token(request.app[RUNTIME], bearer(request))
