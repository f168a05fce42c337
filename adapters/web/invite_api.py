"""The customer's side of an invitation: the page behind every link, and the API it calls.

``/invite/{token}`` and ``/invite/{token}/{slot}`` only serve the page: a GET never books or changes
anything (mail scanners open links). The page reads ``GET /api/invitations/{token}`` (the invitation as
the customer may see it, its free times, what became of a promoted slot) and books with one POST.
The token is the only credential: it opens its own invitation and its own meeting, nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME
from adapters.web.errors import read_json
from adapters.web.meetings_api import _start
from adapters.web.openapi import documented, schema
from adapters.web.serialize import iso
from bot.invitations import queries
from bot.invitations.commands import BookInvitation, CancelByInvitation, RescheduleByInvitation
from bot.invitations.links import parse_slot_code
from bot.invitations.model import Invitation
from bot.meetings.model import Meeting
from bot.model import Agent

STATIC = Path(__file__).parent / "static"
ALTERNATIVES = 5
routes = web.RouteTableDef()


def _page() -> web.FileResponse:
    response = web.FileResponse(STATIC / "invite.html")
    response.content_type = "text/html"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the path
    return response


@routes.get("/invite/{token}")
async def invite_page(request: web.Request) -> web.FileResponse:
    return _page()


@routes.get("/invite/{token}/{slot}")
async def invite_slot_page(request: web.Request) -> web.FileResponse:
    return _page()


def _customer_view(invitation: Invitation, organizer: Agent | None, now: Any) -> dict[str, Any]:
    return {
        "status": invitation.state(now),
        "subject": invitation.subject,
        "organizer_name": organizer.name if organizer else invitation.organizer,
        # Whom to write to once the links no longer book (the invitation email's Reply-To anyway).
        "organizer_email": organizer.email if organizer else None,
        "guest_name": invitation.guest_name,
        "duration": invitation.duration,
        "description": "" if invitation.description_private else invitation.description,
        "meeting_type": invitation.meeting_type,
        "location": invitation.location,
        "timezone": invitation.timezone,
        "guest_timezone": invitation.guest_timezone,
        # "fixed": the page shows times in ``timezone`` and says so; "customer": in the customer's zone
        "timezone_mode": invitation.timezone_mode,
        "start_date": invitation.start_date.isoformat(),
        "end_date": invitation.end_date.isoformat(),
        "expires_at": iso(invitation.frame.closes_at()),
        "promoted": [iso(p) for p in invitation.promoted],
    }


def _meeting(meeting: Meeting | None, invitation: Invitation) -> dict[str, Any] | None:
    if meeting is None:
        return None
    return {
        "id": meeting.id,
        "subject": meeting.subject,
        "start": iso(meeting.start),
        "end": iso(meeting.end),
        "status": meeting.status,
        "conferencing": invitation.conferencing,
        "location": invitation.location,
    }


@routes.get("/api/invitations/{token}")
@documented(
    "An invitation as its customer sees it: state, free times and, with ?slot=CODE, whether that "
    "promoted slot is still free (else the next free times); never changes anything",
    responses={"404": "unknown_invitation"},
)
async def invitation(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    now = runtime.clock.now()
    async with runtime.uow(read_only=True) as uow:
        found = await queries.by_token(uow, request.match_info["token"])
        organizer = await uow.agents.get(found.organizer)
        meeting = await queries.meeting_of(uow, found)
    free = await queries.free_times(runtime, found, runtime.clock)
    body: dict[str, Any] = {
        "invitation": _customer_view(found, organizer, now),
        "slots": [iso(s) for s in free],
        "meeting": _meeting(meeting, found),
    }
    code = request.query.get("slot")
    if code:
        start = parse_slot_code(code)
        body["chosen"] = {
            "start": iso(start),
            "free": start in free,
            "alternatives": [iso(s) for s in free if s > start][:ALTERNATIVES] if start not in free else [],
        }
    return web.json_response(body)


@routes.post("/api/invitations/{token}/book")
@documented(
    "Book the invitation at {start} (one click: the customer confirms on the page)",
    body=schema(start="string", timezone="string"),
    responses={
        "201": "{meeting}",
        "409": "slot_taken {alternatives} | invitation_booked",
        "410": "invitation_withdrawn | invitation_expired",
    },
)
async def book(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    body = await read_json(request)
    timezone = body.get("timezone") if isinstance(body.get("timezone"), str) else None
    token = request.match_info["token"]
    meeting = await runtime.bus.handle(BookInvitation(token, _start(body.get("start")), timezone or None))
    async with runtime.uow(read_only=True) as uow:
        found = await queries.by_token(uow, token)
    return web.json_response({"meeting": _meeting(meeting, found)}, status=201)


@routes.post("/api/invitations/{token}/cancel")
@documented(
    "Cancel the meeting this invitation booked",
    body=schema(reason="string"),
    responses={"409": "invitation_not_booked | meeting_cancelled"},
)
async def cancel(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    body = await read_json(request) if request.can_read_body else {}
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    token = request.match_info["token"]
    meeting = await runtime.bus.handle(CancelByInvitation(token, reason))
    async with runtime.uow(read_only=True) as uow:
        found = await queries.by_token(uow, token)
    return web.json_response({"meeting": _meeting(meeting, found)})


@routes.post("/api/invitations/{token}/reschedule")
@documented(
    "Move the meeting this invitation booked to another free time of the invitation {start}",
    body=schema(start="string"),
    responses={"409": "slot_taken {alternatives} | invitation_not_booked"},
)
async def reschedule(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    body = await read_json(request)
    token = request.match_info["token"]
    meeting = await runtime.bus.handle(RescheduleByInvitation(token, _start(body.get("start"))))
    async with runtime.uow(read_only=True) as uow:
        found = await queries.by_token(uow, token)
    return web.json_response({"meeting": _meeting(meeting, found)})
