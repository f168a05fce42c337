"""Who is calling: guests and agents are identified only by server-issued bearer tokens."""

from __future__ import annotations

from aiohttp import web

from bot import queries
from bot.bootstrap import Runtime
from bot.model import Agent, Guest

RUNTIME = web.AppKey("runtime", Runtime)


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


async def current_guest(request: web.Request) -> Guest:
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        return await queries.guest_for_token(uow, bearer(request), runtime.clock)


async def current_agent(request: web.Request) -> Agent:
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        return await queries.agent_for_token(uow, bearer(request), runtime.clock)
