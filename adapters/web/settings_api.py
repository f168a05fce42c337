"""An agent's scheduling settings over HTTP, with their booking page and calendar feed links.
The engine validates (``UpdateAgentSettings``); nothing is checked here."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.errors import read_json
from adapters.web.openapi import AGENT, documented
from bot.calendars.connections import connection_status
from bot.calendars.outlook_settings import sources_of
from bot.calendars.sources import scheduling_settings
from bot.meetings.commands import UpdateAgentSettings
from scheduling.agent_settings import settings_to_dict

routes = web.RouteTableDef()


def _settings_json(request: web.Request, slug: str, settings: dict[str, Any]) -> dict[str, Any]:
    runtime = request.app[RUNTIME]
    local = runtime.calendars.get("local")
    calendars = settings.get("booking_calendars") or ["primary"]
    return {
        "settings": settings,
        "booking_calendar": calendars[0],  # bookings go to the first chosen calendar, and only there
        "booking_url": f"{runtime.settings.base_url}/book/{slug}",
        "chat_url": f"{runtime.settings.base_url}/chat/{slug}",  # the personal chat link
        "calendar_feed_url": local.feed_url(slug) if hasattr(local, "feed_url") else None,
    }


async def _sources(request: web.Request, slug: str) -> dict[str, str]:
    """Where working hours and time zone come from: "outlook" (followed on every sync) or "convene"."""
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        return sources_of(await uow.calendar_connections.get(slug))


@routes.get("/api/agent/settings")
@documented(
    "The agent's scheduling settings, booking_calendar, personal links (booking_url for the calendar, "
    "chat_url for the chat), .ics feed URL and calendar {provider, status}",
    auth=AGENT,
)
async def get_settings(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = _settings_json(request, agent.slug, settings_to_dict(scheduling_settings(agent)))
    body["calendar"] = await connection_status(request.app[RUNTIME], agent.slug)  # {provider, status}
    body["sources"] = await _sources(request, agent.slug)
    return web.json_response(body)


@routes.put("/api/agent/settings")
@documented(
    "Replace the scheduling settings (missing keys take defaults); booking_calendar names the one "
    "calendar bookings go to (stored as booking_calendars' first; several are refused)",
    body={"type": "object"},
    auth=AGENT,
    responses={"400": "invalid_settings {field}"},
)
async def put_settings(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    data = body["settings"] if isinstance(body.get("settings"), dict) else body
    saved = await request.app[RUNTIME].bus.handle(UpdateAgentSettings(agent.slug, data, agent.actor))
    body = _settings_json(request, agent.slug, saved)
    body["sources"] = await _sources(request, agent.slug)
    return web.json_response(body)
