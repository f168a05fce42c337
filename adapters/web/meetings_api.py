"""Meetings over HTTP, from both sides: a guest books, lists, changes and cancels their own; an
agent books for a conversation's guest and changes the meetings they may see.

Translation only: a field the caller leaves out (``duration``, ``subject``) is sent as None and the
engine fills it in (``bot.meetings.options``); the rules live in ``bot.meetings``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent, current_guest
from adapters.web.errors import field, read_json
from adapters.web.openapi import AGENT, GUEST, documented, schema
from adapters.web.serialize import iso
from bot.errors import InvalidInput
from bot.meetings import queries
from bot.meetings.commands import (
    BookMeeting,
    CancelMeeting,
    ChangeMeetingDuration,
    IssueManageToken,
    RescheduleMeeting,
)
from bot.meetings.manage_links import manage_url
from bot.meetings.model import Meeting
from bot.model import Actor

routes = web.RouteTableDef()

_BOOK = schema(
    agent="string",
    service="string",
    start="string",
    duration="integer",
    subject="string",
    timezone="string",
    email="string",
    link_start="string",
    link_end="string",
)
_CHANGE = schema(start="string", duration="integer")
_REASON = schema(reason="string")
_CHANGE_CODES = {
    "404": "not_found (someone else's meeting looks missing)",
    "409": "slot_taken {alternatives} | meeting_cancelled",
    "400": "meeting_in_past | invalid_duration | invalid_start",
}
_CANCEL_CODES = {  # a cancellation asks for no time, so it can be neither taken nor malformed
    "404": "not_found (someone else's meeting looks missing)",
    "409": "meeting_cancelled",
    "400": "meeting_in_past",
}
_BOOK_NOTE = "duration and subject default to the agent's booking options (GET /api/agents/{slug}/booking)"


def parse_start(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidInput(
            "'start' is required, like 2026-11-24T09:00:00Z.", code="invalid_start", field="start"
        )
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "'start' must be a date and time like 2026-11-24T09:00:00Z.", code="invalid_start", field="start"
        ) from None
    if parsed.utcoffset() is None:
        raise InvalidInput("'start' needs a zone (Z or +01:00).", code="invalid_start", field="start")
    return parsed


_start = parse_start  # the older name, still imported by invite_api


def _link_day(body: dict[str, Any], name: str) -> date | None:
    """A personal link's day, as the link wrote it (24.11.2026) or as ISO (2026-11-24)."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
    raise InvalidInput(f"'{name}' must be a date like 24.11.2026.", code="invalid_date", field=name)


def _duration(body: dict[str, Any], *, required: bool) -> int | None:
    value = body.get("duration")
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(
            "'duration' must be a whole number of minutes.", code="invalid_duration", field="duration"
        )
    return value


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


async def _book(
    request: web.Request, by: Actor, link: tuple[date | None, date | None] = (None, None), **extra: Any
) -> web.Response:
    body = await read_json(request)
    booking = await request.app[RUNTIME].bus.handle(
        BookMeeting(
            start=parse_start(body.get("start")),
            duration=_duration(body, required=False),
            subject=field(body, "subject", required=False),
            by=by,
            agent=field(body, "agent", required=False),
            service=field(body, "service", required=False),
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            link_start=link[0],
            link_end=link[1],
            **{name: field(body, key, required=required) for name, (key, required) in extra.items()},
        )
    )
    status = 201 if booking.created else 200
    if by.kind != "guest":
        return await _one(request, booking.meeting, status)
    # The guest's way back without a session: the confirmation page and the mails link to it.
    runtime = request.app[RUNTIME]
    token = await runtime.bus.handle(IssueManageToken(booking.meeting.id, by))
    return web.json_response(
        {
            "meeting": meeting_json(booking.meeting, await _names(request)),
            "manage_token": token,
            "manage_url": manage_url(runtime.settings.base_url, token),
        },
        status=status,
    )


@routes.post("/api/guest/meetings")
@documented(
    "Book {agent|service, start, duration?, subject?, timezone?, email?, link_start?, link_end?}; "
    + _BOOK_NOTE
    + "; a guest without an email gives one here (else email_required, field email); link_start and "
    "link_end are the personal link's ?start=&end= days, a rule the start must fall within; an "
    "Idempotency-Key header repeats answer 200 with the same meeting",
    body=_BOOK,
    auth=GUEST,
    responses={
        "201": "booked",
        "400": "email_required | invalid_email | outside_link_window | beyond_horizon | invalid_date",
        "409": "slot_taken {alternatives}",
        "503": "calendar_unavailable",
    },
)
async def guest_book(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    body = await read_json(request)
    return await _book(
        request,
        guest.actor,
        guest_timezone=("timezone", False),
        guest_email=("email", False),
        link=(_link_day(body, "link_start"), _link_day(body, "link_end")),
    )


@routes.get("/api/guest/meetings")
@documented("The guest's upcoming meetings", auth=GUEST)
async def guest_meetings(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.upcoming_meetings(uow, guest_id=guest.id)
    names = await _names(request)
    return web.json_response({"meetings": [meeting_json(m, names) for m in found]})


@routes.get("/api/guest/meetings/{id}")
@documented("One of the guest's meetings", auth=GUEST, responses={"404": "not_found"})
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
        command: Any = RescheduleMeeting(meeting_id, parse_start(body["start"]), by, duration)
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
@documented(
    "Reschedule and/or change the duration {start?, duration?}",
    body=_CHANGE,
    auth=GUEST,
    responses=_CHANGE_CODES,
)
async def guest_change(request: web.Request) -> web.Response:
    return await _change(request, (await current_guest(request)).actor)


@routes.delete("/api/guest/meetings/{id}")
@documented("Cancel {reason?}", body=_REASON, auth=GUEST, responses=_CANCEL_CODES)
async def guest_cancel(request: web.Request) -> web.Response:
    return await _cancel(request, (await current_guest(request)).actor)


@routes.get("/api/agent/meetings")
@documented("Upcoming meetings the agent may see (own and their services'); ?conversation_id=", auth=AGENT)
async def agent_meetings(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    conversation_id = request.query.get("conversation_id") or None
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.upcoming_meetings(uow, agent=agent.slug, conversation_id=conversation_id)
    names = await _names(request)
    return web.json_response({"meetings": [meeting_json(m, names) for m in found]})


@routes.post("/api/agent/meetings")
@documented(
    "Book for a conversation's guest {conversation_id, start, duration?, subject?, agent?, service?}; "
    + _BOOK_NOTE,
    body=_BOOK,
    auth=AGENT,
    responses={"201": "booked", "409": "slot_taken {alternatives}"},
)
async def agent_book(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    return await _book(request, agent.actor, conversation_id=("conversation_id", True))


@routes.get("/api/agent/meetings/{id}")
@documented("One meeting the agent may see", auth=AGENT, responses={"404": "not_found"})
async def agent_meeting(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        meeting = await queries.get_meeting_for(uow, agent.actor, request.match_info["id"])
    return await _one(request, meeting)


@routes.patch("/api/agent/meetings/{id}")
@documented(
    "Reschedule and/or change the duration {start?, duration?}",
    body=_CHANGE,
    auth=AGENT,
    responses=_CHANGE_CODES,
)
async def agent_change(request: web.Request) -> web.Response:
    return await _change(request, (await current_agent(request)).actor)


@routes.delete("/api/agent/meetings/{id}")
@documented("Cancel {reason?}", body=_REASON, auth=AGENT, responses=_CANCEL_CODES)
async def agent_cancel(request: web.Request) -> web.Response:
    return await _cancel(request, (await current_agent(request)).actor)
