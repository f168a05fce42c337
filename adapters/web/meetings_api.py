"""Meetings over HTTP: slot lists, booking, changes from both sides, agent settings, the booking
page and the local calendar's feed. Translation only: the rules live in ``bot.meetings``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent, current_guest
from adapters.web.errors import field, read_json
from adapters.web.openapi import document
from adapters.web.serialize import iso
from bot.calendars.connections import connection_status
from bot.calendars.sources import scheduling_settings
from bot.errors import InvalidInput, NotFound
from bot.meetings import queries
from bot.meetings.commands import (
    BookMeeting,
    CancelMeeting,
    ChangeMeetingDuration,
    RescheduleMeeting,
    UpdateAgentSettings,
)
from bot.meetings.model import Meeting
from bot.model import Actor
from scheduling.agent_settings import settings_to_dict

STATIC = Path(__file__).parent / "static"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_DAYS = 7
routes = web.RouteTableDef()


# -- parameters -------------------------------------------------------------------------------------


def _date(request: web.Request, name: str, default: date) -> date:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        if not DATE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"'{name}' must be a date like 2026-11-24.", code="invalid_date", field=name
        ) from None


def _slot_request(request: web.Request) -> tuple[date, date, int, str]:
    tz = request.query.get("tz") or "UTC"
    raw = request.query.get("duration", "30")
    try:
        duration = int(raw)
    except ValueError:
        raise InvalidInput("'duration' must be a whole number of minutes.", code="invalid_duration") from None
    try:
        today = datetime.now(ZoneInfo(tz)).date()
    except (ValueError, KeyError):
        raise InvalidInput(
            f"{tz!r} is not a known time zone (use Area/City).", code="invalid_timezone"
        ) from None
    start = _date(request, "start", today)
    end = _date(request, "end", start + timedelta(days=DEFAULT_DAYS - 1))
    return start, end, duration, tz


def _start(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidInput("'start' is required, like 2026-11-24T09:00:00Z.", code="invalid_start")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "'start' must be a date and time like 2026-11-24T09:00:00Z.", code="invalid_start"
        ) from None
    if parsed.utcoffset() is None:
        raise InvalidInput("'start' needs a zone (Z or +01:00).", code="invalid_start")
    return parsed


def _duration(body: dict[str, Any], *, required: bool) -> int | None:
    value = body.get("duration")
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("'duration' must be a whole number of minutes.", code="invalid_duration")
    return value


def _slot_json(slot: datetime, tz: ZoneInfo) -> dict[str, Any]:
    return {"start": iso(slot), "local": slot.astimezone(tz).isoformat()}


def meeting_json(meeting: Meeting, agent_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "conversation_id": meeting.conversation_id,
        "agent": meeting.agent,
        "agent_name": agent_names.get(meeting.agent, meeting.agent),
        "service": meeting.service,
        "guest_id": meeting.guest_id,
        "subject": meeting.subject,
        "start": iso(meeting.start),
        "end": iso(meeting.end),
        "duration": meeting.duration,
        "status": meeting.status,
        "sequence": meeting.sequence,
        "guest_timezone": meeting.guest_timezone,
    }


async def _names(request: web.Request) -> dict[str, str]:
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        return {a.slug: a.name for a in await uow.agents.list()}


async def _one(request: web.Request, meeting: Meeting, status: int = 200) -> web.Response:
    return web.json_response({"meeting": meeting_json(meeting, await _names(request))}, status=status)


# -- slots (public) -----------------------------------------------------------------------------------


@routes.get("/api/agents/{slug}/slots")
async def agent_slots(request: web.Request) -> web.Response:
    start, end, duration, tz = _slot_request(request)
    slug = request.match_info["slug"]
    slots = await queries.agent_slots(request.app[RUNTIME], slug, start, end, duration, tz)
    zone = ZoneInfo(tz)
    return web.json_response(
        {"agent": slug, "timezone": tz, "duration": duration, "slots": [_slot_json(s, zone) for s in slots]}
    )


@routes.get("/api/services/{slug}/slots")
async def service_slots(request: web.Request) -> web.Response:
    start, end, duration, tz = _slot_request(request)
    slug = request.match_info["slug"]
    found = await queries.service_slots(request.app[RUNTIME], slug, start, end, duration, tz)
    zone = ZoneInfo(tz)
    return web.json_response(
        {
            "service": slug,
            "timezone": tz,
            "duration": duration,
            "slots": [{**_slot_json(s, zone), "members": members} for s, members in found.items()],
            "unavailable": found.unavailable,
        }
    )


@routes.get("/api/agents/{slug}/booking")
async def booking_info(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        agent = await uow.agents.get(slug)
    if agent is None:
        raise NotFound(f"There is no agent called {slug!r}.", code="unknown_agent")
    settings = scheduling_settings(agent)
    return web.json_response(
        {
            "agent": agent.slug,
            "name": agent.name,
            "timezone": settings.timezone,
            "durations": list(settings.durations),
            "default_duration": settings.default_duration,
        }
    )


# -- guests ---------------------------------------------------------------------------------------------


async def _book(request: web.Request, by: Actor, **extra: Any) -> web.Response:
    body = await read_json(request)
    booking = await request.app[RUNTIME].bus.handle(
        BookMeeting(
            start=_start(body.get("start")),
            duration=_duration(body, required=False) or 30,
            subject=field(body, "subject"),
            by=by,
            agent=field(body, "agent", required=False),
            service=field(body, "service", required=False),
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            **{name: field(body, key, required=required) for name, (key, required) in extra.items()},
        )
    )
    return await _one(request, booking.meeting, 201 if booking.created else 200)


@routes.post("/api/guest/meetings")
async def guest_book(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    return await _book(request, guest.actor, guest_timezone=("timezone", False))


@routes.get("/api/guest/meetings")
async def guest_meetings(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.upcoming_meetings(uow, guest_id=guest.id)
    names = await _names(request)
    return web.json_response({"meetings": [meeting_json(m, names) for m in found]})


@routes.get("/api/guest/meetings/{id}")
async def guest_meeting(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        meeting = await queries.get_meeting_for(uow, guest.actor, request.match_info["id"])
    return await _one(request, meeting)


async def _change(request: web.Request, by: Actor) -> web.Response:
    body = await read_json(request)
    duration = _duration(body, required=False)
    meeting_id = request.match_info["id"]
    if body.get("start") is not None:
        command: Any = RescheduleMeeting(meeting_id, _start(body["start"]), by, duration)
    elif duration is not None:
        command = ChangeMeetingDuration(meeting_id, duration, by)
    else:
        raise InvalidInput("Send a new 'start', a new 'duration', or both.", code="missing_field")
    return await _one(request, await request.app[RUNTIME].bus.handle(command))


async def _cancel(request: web.Request, by: Actor) -> web.Response:
    body = await read_json(request) if request.can_read_body else {}
    reason = field(body, "reason", required=False)
    meeting = await request.app[RUNTIME].bus.handle(CancelMeeting(request.match_info["id"], by, reason))
    return await _one(request, meeting)


@routes.patch("/api/guest/meetings/{id}")
async def guest_change(request: web.Request) -> web.Response:
    return await _change(request, (await current_guest(request)).actor)


@routes.delete("/api/guest/meetings/{id}")
async def guest_cancel(request: web.Request) -> web.Response:
    return await _cancel(request, (await current_guest(request)).actor)


# -- agents ----------------------------------------------------------------------------------------------


@routes.get("/api/agent/meetings")
async def agent_meetings(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    conversation_id = request.query.get("conversation_id") or None
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.upcoming_meetings(uow, agent=agent.slug, conversation_id=conversation_id)
    names = await _names(request)
    return web.json_response({"meetings": [meeting_json(m, names) for m in found]})


@routes.post("/api/agent/meetings")
async def agent_book(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    return await _book(request, agent.actor, conversation_id=("conversation_id", True))


@routes.get("/api/agent/meetings/{id}")
async def agent_meeting(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        meeting = await queries.get_meeting_for(uow, agent.actor, request.match_info["id"])
    return await _one(request, meeting)


@routes.patch("/api/agent/meetings/{id}")
async def agent_change(request: web.Request) -> web.Response:
    return await _change(request, (await current_agent(request)).actor)


@routes.delete("/api/agent/meetings/{id}")
async def agent_cancel(request: web.Request) -> web.Response:
    return await _cancel(request, (await current_agent(request)).actor)


def _settings_json(request: web.Request, slug: str, settings: dict[str, Any]) -> dict[str, Any]:
    runtime = request.app[RUNTIME]
    local = runtime.calendars.get("local")
    return {
        "settings": settings,
        "booking_url": f"{runtime.settings.base_url}/book/{slug}",
        "calendar_feed_url": local.feed_url(slug) if hasattr(local, "feed_url") else None,
    }


@routes.get("/api/agent/settings")
async def get_settings(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = _settings_json(request, agent.slug, settings_to_dict(scheduling_settings(agent)))
    body["calendar"] = await connection_status(request.app[RUNTIME], agent.slug)  # {provider, status}
    return web.json_response(body)


@routes.put("/api/agent/settings")
async def put_settings(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    data = body["settings"] if isinstance(body.get("settings"), dict) else body
    saved = await request.app[RUNTIME].bus.handle(UpdateAgentSettings(agent.slug, data, agent.actor))
    return web.json_response(_settings_json(request, agent.slug, saved))


# -- pages and feeds ------------------------------------------------------------------------------------


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


G, A = "guestToken", "agentToken"
_SLOT_PARAMS = "?start=YYYY-MM-DD&end=YYYY-MM-DD&duration=30&tz=Area/City"
_CODES = {
    "400": "invalid_date | invalid_range | invalid_duration | invalid_timezone",
    "404": "unknown agent/service",
}
_BOOK = {
    "type": "object",
    "properties": {
        k: {"type": t}
        for k, t in [
            ("agent", "string"),
            ("service", "string"),
            ("start", "string"),
            ("duration", "integer"),
            ("subject", "string"),
            ("timezone", "string"),
        ]
    },
}
_CHANGE = {"type": "object", "properties": {"start": {"type": "string"}, "duration": {"type": "integer"}}}
_REASON = {"type": "object", "properties": {"reason": {"type": "string"}}}
_CHANGE_CODES = {
    "404": "not_found (someone else's meeting looks missing)",
    "409": "slot_taken {alternatives} | meeting_cancelled",
    "400": "meeting_in_past | invalid_duration | invalid_start",
}
for _method, _path, _summary, _body, _auth, _responses in [
    (
        "GET",
        "/api/agents/{slug}/slots",
        f"Free starts of an agent {_SLOT_PARAMS}: [{{start (UTC), local}}]",
        None,
        None,
        {**_CODES, "503": "calendar_unavailable"},
    ),
    (
        "GET",
        "/api/services/{slug}/slots",
        f"Union over a service's members {_SLOT_PARAMS}: [{{start, local, members}}], unavailable",
        None,
        None,
        _CODES,
    ),
    (
        "GET",
        "/api/agents/{slug}/booking",
        "What the booking page needs: name, timezone, durations, default_duration",
        None,
        None,
        {"404": "unknown_agent"},
    ),
    (
        "POST",
        "/api/guest/meetings",
        "Book {agent|service, start, duration, subject}; Idempotency-Key header repeats answer 200 with the same meeting",
        _BOOK,
        G,
        {"201": "booked", "409": "slot_taken {alternatives}", "503": "calendar_unavailable"},
    ),
    ("GET", "/api/guest/meetings", "The guest's upcoming meetings", None, G, {}),
    ("GET", "/api/guest/meetings/{id}", "One of the guest's meetings", None, G, {"404": "not_found"}),
    (
        "PATCH",
        "/api/guest/meetings/{id}",
        "Reschedule and/or change the duration {start?, duration?}",
        _CHANGE,
        G,
        _CHANGE_CODES,
    ),
    ("DELETE", "/api/guest/meetings/{id}", "Cancel {reason?}", _REASON, G, _CHANGE_CODES),
    (
        "GET",
        "/api/agent/meetings",
        "Upcoming meetings the agent may see (own and their services'); ?conversation_id=",
        None,
        A,
        {},
    ),
    (
        "POST",
        "/api/agent/meetings",
        "Book for a conversation's guest {conversation_id, start, duration, subject, agent?, service?}",
        _BOOK,
        A,
        {"201": "booked", "409": "slot_taken {alternatives}"},
    ),
    ("GET", "/api/agent/meetings/{id}", "One meeting the agent may see", None, A, {"404": "not_found"}),
    (
        "PATCH",
        "/api/agent/meetings/{id}",
        "Reschedule and/or change the duration {start?, duration?}",
        _CHANGE,
        A,
        _CHANGE_CODES,
    ),
    ("DELETE", "/api/agent/meetings/{id}", "Cancel {reason?}", _REASON, A, _CHANGE_CODES),
    (
        "GET",
        "/api/agent/settings",
        "The agent's scheduling settings, booking page URL, .ics feed URL and calendar {provider, status}",
        None,
        A,
        {},
    ),
    (
        "PUT",
        "/api/agent/settings",
        "Replace the scheduling settings (missing keys take defaults)",
        {"type": "object"},
        A,
        {"400": "invalid_settings {field}"},
    ),
]:
    document(_method, _path, _summary, body=_body, responses=_responses, auth=_auth)
