"""The guest's manage link (``/booked/{token}``): the booked meeting, its "add to calendar" links and
``.ics``, and reschedule or cancel without a session.

Translation only: the token is resolved by ``bot.meetings.manage_links`` (a wrong token looks like a
missing meeting, and a GET never writes); changes are the ordinary ``RescheduleMeeting`` and
``CancelMeeting`` commands with the meeting's guest as the actor, so they carry the same checks and
race safety as the guest's own API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME
from adapters.web.errors import field, read_json
from adapters.web.meetings_api import meeting_json, parse_start
from adapters.web.openapi import documented, schema
from bot.meetings.commands import CancelMeeting, RescheduleMeeting
from bot.meetings.manage_links import Managed, manage_url, managed_by_token
from scheduling.ics import google_calendar_link, meeting_uid, outlook_calendar_link, single_event

STATIC = Path(__file__).parent / "static"
routes = web.RouteTableDef()
_CODES = {"404": "not_found (a wrong or unknown link)"}


def _private(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the path
    return response


@routes.get("/booked/{token}")
async def booked_page(request: web.Request) -> web.StreamResponse:
    """The booking page shows the confirmation for this path (static/book.js)."""
    response = web.FileResponse(STATIC / "book.html")
    response.content_type = "text/html"
    return _private(response)


async def _managed(request: web.Request) -> Managed:
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        return await managed_by_token(uow, request.match_info["token"], runtime.clock)


def _details(host: str, url: str) -> str:
    return f"With {host}. Reschedule or cancel: {url}"


async def _answer(request: web.Request, managed: Managed) -> web.Response:
    runtime = request.app[RUNTIME]
    meeting = managed.meeting
    async with runtime.uow(read_only=True) as uow:
        agent = await uow.agents.get(meeting.agent)
    host = agent.name if agent else meeting.agent
    token = request.match_info["token"]
    url = manage_url(runtime.settings.base_url, token)
    details = _details(host, url)
    body: dict[str, Any] = {
        "meeting": meeting_json(meeting, {meeting.agent: host}),
        "host": {
            "slug": meeting.agent,
            "name": host,
            "timezone": (agent.timezone if agent else None) or "UTC",
            "avatar_url": agent.avatar_url if agent else None,
        },
        "guest": {"name": managed.guest.name},
        "manage_url": url,
        "calendar": {
            "google": google_calendar_link(meeting.subject, meeting.start, meeting.end, details),
            "outlook": outlook_calendar_link(meeting.subject, meeting.start, meeting.end, details),
            "ics": f"/api/manage/{token}/meeting.ics",
        },
    }
    return web.json_response(body)


@routes.get("/api/manage/{token}")
@documented(
    "A booked meeting seen through its manage link: {meeting, host {slug, name, timezone, "
    "avatar_url}, guest {name}, manage_url, calendar {google, outlook, ics}}; never changes anything",
    responses=_CODES,
)
async def managed_meeting(request: web.Request) -> web.StreamResponse:
    return _private(await _answer(request, await _managed(request)))


@routes.get("/api/manage/{token}/meeting.ics")
@documented("The meeting as an .ics file to import (times in UTC)", responses=_CODES)
async def managed_ics(request: web.Request) -> web.StreamResponse:
    managed = await _managed(request)
    meeting = managed.meeting
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        agent = await uow.agents.get(meeting.agent)
    url = manage_url(runtime.settings.base_url, request.match_info["token"])
    body = single_event(
        uid=meeting_uid(meeting.id),
        sequence=meeting.sequence,
        subject=meeting.subject,
        start=meeting.start,
        end=meeting.end,
        description=_details(agent.name if agent else meeting.agent, url),
        url=url,
        dtstamp=runtime.clock.now(),
    )
    response = web.Response(body=body, content_type="text/calendar", charset="utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return _private(response)


@routes.post("/api/manage/{token}/reschedule")
@documented(
    "Move the meeting {start}, as its guest",
    body=schema(start="string"),
    responses={
        **_CODES,
        "409": "slot_taken {alternatives} | meeting_cancelled",
        "400": "meeting_in_past | invalid_start",
    },
)
async def managed_reschedule(request: web.Request) -> web.StreamResponse:
    managed = await _managed(request)
    body = await read_json(request)
    command = RescheduleMeeting(managed.meeting.id, parse_start(body.get("start")), managed.guest.actor)
    await request.app[RUNTIME].bus.handle(command)
    return _private(await _answer(request, await _managed(request)))


@routes.post("/api/manage/{token}/cancel")
@documented(
    "Cancel the meeting {reason?}, as its guest",
    body=schema(reason="string"),
    responses={**_CODES, "409": "meeting_cancelled", "400": "meeting_in_past"},
)
async def managed_cancel(request: web.Request) -> web.StreamResponse:
    managed = await _managed(request)
    body = await read_json(request) if request.can_read_body else {}
    reason = field(body, "reason", required=False)
    await request.app[RUNTIME].bus.handle(CancelMeeting(managed.meeting.id, managed.guest.actor, reason))
    return _private(await _answer(request, await _managed(request)))
