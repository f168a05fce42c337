"""An agent's notification preferences over HTTP (``bot.preferences``): which notices also reach them
as a Slack or Teams direct message, and whether they get unread-message emails. The engine validates;
a refused value is a 400 with ``code`` and ``field`` and changes nothing."""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.errors import read_json
from adapters.web.openapi import AGENT, documented
from bot import preferences

routes = web.RouteTableDef()
SHAPE = (
    "{slack: {mention, new_conversation, guest_message, snooze_ended}, teams: {…the same}, unread_email}, "
    "each true or false"
)


@routes.get("/api/agent/preferences")
@documented(f"The agent's notification preferences: {SHAPE}", auth=AGENT)
async def get_preferences(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await preferences.preferences_of(uow, agent.slug)
    return web.json_response({"preferences": found})


@routes.put("/api/agent/preferences")
@documented(
    f"Change the notification preferences (the keys given; the rest stay): {SHAPE}",
    body={"type": "object", "properties": {"preferences": {"type": "object"}}},
    auth=AGENT,
    responses={"400": "invalid_preferences {field}"},
)
async def put_preferences(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    data = body.get("preferences", body) if isinstance(body, dict) else body
    runtime = request.app[RUNTIME]
    async with runtime.uow() as uow:
        saved = await preferences.change(uow, agent.slug, data, runtime.clock.now())
        await uow.commit()
    return web.json_response({"preferences": saved})
