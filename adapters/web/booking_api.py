"""The public side of booking: free slots of an agent or a service, what the booking page offers,
the booking page itself and the local calendar's feed.

Translation only: what a form offers (zone, lengths, default length and subject, window) is the
engine's ``bot.meetings.options``; the slots are ``bot.meetings.queries``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.web.auth import RUNTIME, bearer, current_guest
from adapters.web.openapi import documented
from adapters.web.serialize import iso
from bot.errors import InvalidInput, Unauthorized
from bot.meetings import queries
from bot.meetings.options import BookingOptions, options_for, service_options_for
from bot.meetings.slots import EARLIEST_YEAR, LATEST_YEAR
from bot.zones import zone

STATIC = Path(__file__).parent / "static"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_DAYS = 7
routes = web.RouteTableDef()

_SLOT_PARAMS = "?start=YYYY-MM-DD&end=YYYY-MM-DD&duration=minutes&tz=Area/City"
_SLOT_CODES = {
    "400": "invalid_date | invalid_range | invalid_duration | invalid_timezone",
    "404": "unknown agent/service",
}


def _date(request: web.Request, name: str, default: date) -> date:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        if not DATE.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:  # the default end is start + 6 days
            raise ValueError(raw)
        return day
    except ValueError:
        raise InvalidInput(
            f"'{name}' must be a date like 2026-11-24, between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
            code="invalid_date",
            field=name,
        ) from None


def _slot_request(request: web.Request, options: BookingOptions) -> tuple[date, date, int, str]:
    """What the caller left out is the engine's: the zone, the length, and today by the clock."""
    tz = request.query.get("tz") or options.time_zone
    raw = request.query.get("duration") or str(options.default_duration)
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise InvalidInput(
            "'duration' must be a whole number of minutes.", code="invalid_duration", field="duration"
        )
    duration = int(raw)
    today = request.app[RUNTIME].clock.now().astimezone(zone(tz, "tz")).date()
    start = _date(request, "start", today)
    end = _date(request, "end", start + timedelta(days=DEFAULT_DAYS - 1))
    return start, end, duration, tz


def _slot_json(slot: datetime, tz: ZoneInfo) -> dict[str, Any]:
    return {"start": iso(slot), "local": slot.astimezone(tz).isoformat()}


@routes.get("/api/agents/{slug}/slots")
@documented(
    f"Free starts of an agent {_SLOT_PARAMS}: [{{start (UTC), local}}]; zone, length and start "
    "default to the agent's booking options",
    responses={**_SLOT_CODES, "503": "calendar_unavailable"},
)
async def agent_slots(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        options = await options_for(uow, runtime.clock, agent=slug)
    start, end, duration, tz = _slot_request(request, options)
    slots = await queries.agent_slots(runtime, slug, start, end, duration, tz)
    where = ZoneInfo(tz)
    return web.json_response(
        {"agent": slug, "timezone": tz, "duration": duration, "slots": [_slot_json(s, where) for s in slots]}
    )


@routes.get("/api/services/{slug}/slots")
@documented(
    f"Union over a service's members {_SLOT_PARAMS}: [{{start, local, members}}], unavailable",
    responses=_SLOT_CODES,
)
async def service_slots(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        options = await service_options_for(uow, runtime.clock, slug)
    start, end, duration, tz = _slot_request(request, options)
    found = await queries.service_slots(runtime, slug, start, end, duration, tz)
    where = ZoneInfo(tz)
    return web.json_response(
        {
            "service": slug,
            "timezone": tz,
            "duration": duration,
            "slots": [{**_slot_json(s, where), "members": members} for s, members in found.items()],
            "unavailable": found.unavailable,
        }
    )


async def _guest_id(request: web.Request) -> str | None:
    """The page is public: a guest's token names the guest; any other token (the inbox sends the
    agent's) or a stale one just leaves the guest unknown."""
    if not bearer(request):
        return None
    try:
        return (await current_guest(request)).id
    except Unauthorized:
        return None


@routes.get("/api/agents/{slug}/booking")
@documented(
    "What a booking form offers, the same in every channel: {agent, name, avatar_url, timezone, durations, "
    "default_duration, default_subject, window_start, window_end (YYYY-MM-DD in the agent's zone), "
    "horizon_days}; with a guest token the default subject names the guest",
    responses={"404": "unknown_agent"},
)
async def booking_info(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    runtime = request.app[RUNTIME]
    guest_id = await _guest_id(request)
    async with runtime.uow(read_only=True) as uow:
        options = await options_for(uow, runtime.clock, agent=slug, guest_id=guest_id)
        agent = await uow.agents.get(slug)
    return web.json_response(
        {
            "agent": slug,
            "name": agent.name if agent else slug,
            "avatar_url": agent.avatar_url if agent else None,
            "timezone": options.time_zone,
            "durations": list(options.durations),
            "default_duration": options.default_duration,
            "default_subject": options.default_subject,
            "window_start": options.window_start.isoformat(),
            "window_end": options.window_end.isoformat(),
            "horizon_days": options.horizon_days,
        }
    )


@routes.get("/api/services/{slug}/booking")
@documented(
    "What a service's booking form offers before a member is chosen, the engine's answer the widget "
    "starts from: {service, name, timezone, durations, default_duration, window_start, window_end, "
    "horizon_days}",
    responses={"404": "unknown_service"},
)
async def service_booking_info(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        options = await service_options_for(uow, runtime.clock, slug)
        service = await uow.services.get(slug)
    return web.json_response(
        {
            "service": slug,
            "name": service.name if service else slug,
            "timezone": options.time_zone,
            "durations": list(options.durations),
            "default_duration": options.default_duration,
            "window_start": options.window_start.isoformat(),
            "window_end": options.window_end.isoformat(),
            "horizon_days": options.horizon_days,
        }
    )


@routes.get("/book/{slug}")
async def booking_page(request: web.Request) -> web.FileResponse:
    response = web.FileResponse(STATIC / "book.html")
    response.content_type = "text/html"
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/book.js")
async def booking_script(request: web.Request) -> web.FileResponse:
    response = web.FileResponse(STATIC / "book.js")
    response.content_type = "application/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/calendar/{slug}/{token}.ics")
async def calendar_feed(request: web.Request) -> web.Response:
    local = request.app[RUNTIME].calendars.get("local")
    body = await local.feed(request.match_info["slug"], request.match_info["token"]) if local else None
    if body is None:
        raise web.HTTPNotFound()
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")
