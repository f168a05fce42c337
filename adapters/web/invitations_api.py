"""Invitations over HTTP, agent side: the live slot count, creation (with the links to copy), the
Invitations list, withdraw and resend, and the rooms and pools the dialog offers.

Translation only: the body becomes an ``InvitationDraft``; every rule is in ``bot.invitations``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.errors import read_json
from adapters.web.openapi import AGENT, documented, schema
from adapters.web.serialize import iso
from bot.errors import DomainError
from bot.invitations import queries
from bot.invitations.commands import CreateInvitation, InvitationDraft, ResendInvitation, WithdrawInvitation
from bot.invitations.handlers import count_slots
from bot.invitations.links import links
from bot.invitations.model import Invitation, repository

routes = web.RouteTableDef()

_DRAFT = schema(
    guest_name="string",
    guest_email="string",
    subject="string",
    duration="integer",
    members="array",
    rooms="array",
    pools="array",
    start_date="string",
    end_date="string",
    day_start="string",
    day_end="string",
    timezone="string",
    description="string",
    description_private="boolean",
    conferencing="string",
    meeting_type="string",
    location="string",
    guest_timezone="string",
    add_to_calendar="boolean",  # default true: the customer is an attendee of the calendar events
    send_confirmation="boolean",  # default true: the customer gets the booking mail and its .ics
    timezone_mode="string",  # customer (default: the customer's detected zone) | fixed (the invitation's)
    promoted="array",
    send_email="boolean",
)
_CODES = {
    "400": "a code and a field: unknown_member | unknown_room | unknown_pool | empty_team | invalid_duration | "
    "time_frame_in_past | invalid_time_frame | time_frame_too_far | too_many_promoted | "
    "promoted_slot_not_free | invalid_email | invalid_boolean (add_to_calendar, send_confirmation) | "
    "invalid_timezone_mode | …",
    "409": "no_free_slots {busy}",
}


def _bad(name: str, what: str) -> DomainError:
    return DomainError(f"'{name}' must be {what}.", code="invalid_field", field=name)


def _text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _bad(name, "text")
    return value


def _names(body: dict[str, Any], name: str) -> tuple[str, ...]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(name, "a list of names")
    return tuple(value)


def _date(body: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(str(body.get(name)))
    except ValueError:
        raise _bad(name, "a date like 2026-11-24") from None


def _instant(value: object, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _bad(name, "a list of times like 2026-11-24T09:00:00Z") from None
    if parsed.utcoffset() is None:
        raise _bad(name, "a list of times with a zone")
    return parsed


def draft_from(body: dict[str, Any], organizer: str) -> InvitationDraft:
    duration = body.get("duration", 30)
    if not isinstance(duration, int) or isinstance(duration, bool):
        raise DomainError(
            "'duration' must be a whole number of minutes.", code="invalid_duration", field="duration"
        )
    promoted = body.get("promoted") or []
    if not isinstance(promoted, list):
        raise _bad("promoted", "a list of times")
    members = _names(body, "members") if "members" in body else (organizer,)
    return InvitationDraft(
        guest_name=_text(body, "guest_name"),
        guest_email=_text(body, "guest_email"),
        subject=_text(body, "subject"),
        duration=duration,
        members=members,
        start_date=_date(body, "start_date"),
        end_date=_date(body, "end_date"),
        day_start=_text(body, "day_start", "09:00"),
        day_end=_text(body, "day_end", "17:00"),
        timezone=_text(body, "timezone") or None,
        rooms=_names(body, "rooms"),
        pools=_names(body, "pools"),
        description=_text(body, "description"),
        description_private=bool(body.get("description_private", False)),
        conferencing=_text(body, "conferencing"),
        meeting_type=_text(body, "meeting_type", "video"),
        location=_text(body, "location"),
        guest_timezone=_text(body, "guest_timezone") or None,
        # passed as given: the engine refuses what is not a boolean, naming the field
        add_to_calendar=body.get("add_to_calendar", True),
        send_confirmation=body.get("send_confirmation", True),
        timezone_mode=_text(body, "timezone_mode", "customer") or "customer",
        promoted=tuple(_instant(p, "promoted") for p in promoted),
        send_email=bool(body.get("send_email", True)),
    )


def invitation_json(invitation: Invitation, base_url: str, now: datetime) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "status": invitation.state(now),
        "subject": invitation.subject,
        "guest_name": invitation.guest_name,
        "guest_email": invitation.guest_email,
        "conversation_id": invitation.conversation_id,
        "organizer": invitation.organizer,
        "duration": invitation.duration,
        "members": invitation.members,
        "rooms": invitation.rooms,
        "pools": invitation.pools,
        "start_date": invitation.start_date.isoformat(),
        "end_date": invitation.end_date.isoformat(),
        "day_start": invitation.day_start,
        "day_end": invitation.day_end,
        "timezone": invitation.timezone,
        "description": invitation.description,
        "description_private": invitation.description_private,
        "conferencing": invitation.conferencing,
        "meeting_type": invitation.meeting_type,
        "location": invitation.location,
        "guest_timezone": invitation.guest_timezone,
        "add_to_calendar": invitation.add_to_calendar,
        "send_confirmation": invitation.send_confirmation,
        "timezone_mode": invitation.timezone_mode,
        "promoted": [iso(p) for p in invitation.promoted],
        "meeting_id": invitation.meeting_id,
        "expires_at": iso(invitation.frame.closes_at()),
        # Only the answer that issued the token can show the links (the database keeps its hash).
        "links": links(base_url, invitation.token, invitation.promoted) if invitation.token else None,
    }


@routes.post("/api/agent/invitations/slots")
@documented(
    "How many slots the invitation being written would offer (the same body as creation)",
    body=_DRAFT,
    auth=AGENT,
    responses={"200": "{count, slots (first 50), busy: names with no free time}", **_CODES},
)
async def slot_count(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    body = await read_json(request)
    found = await count_slots(draft_from(body, agent.slug), agent.actor, runtime, runtime.clock)
    return web.json_response(
        {"count": found["count"], "slots": [iso(s) for s in found["slots"][:50]], "busy": found["busy"]}
    )


@routes.post("/api/agent/invitations")
@documented(
    "Invite a customer to self-schedule; the answer carries the links to copy",
    body=_DRAFT,
    auth=AGENT,
    responses={"201": "{invitation}", **_CODES},
)
async def create(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    body = await read_json(request)
    invitation = await runtime.bus.handle(CreateInvitation(draft_from(body, agent.slug), agent.actor))
    return web.json_response(
        {"invitation": invitation_json(invitation, runtime.settings.base_url, runtime.clock.now())},
        status=201,
    )


@routes.get("/api/agent/invitations")
@documented("The agent's invitations; ?status=open|booked|withdrawn|expired", auth=AGENT)
async def listing(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    status = request.query.get("status") or None
    if status not in (None, "open", "booked", "withdrawn", "expired"):
        raise DomainError(
            "status is open, booked, withdrawn or expired.", code="invalid_status", field="status"
        )
    now = runtime.clock.now()
    async with runtime.uow(read_only=True) as uow:
        found = await queries.of_agent(uow, agent.slug, status, now)
    base = runtime.settings.base_url
    return web.json_response({"invitations": [invitation_json(i, base, now) for i in found]})


@routes.post("/api/agent/invitations/{id}/withdraw")
@documented(
    "Withdraw an open invitation (its links then say so)",
    auth=AGENT,
    responses={"409": "invitation_not_open"},
)
async def withdraw(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    invitation = await runtime.bus.handle(WithdrawInvitation(request.match_info["id"], agent.actor))
    return web.json_response(
        {"invitation": invitation_json(invitation, runtime.settings.base_url, runtime.clock.now())}
    )


@routes.post("/api/agent/invitations/{id}/resend")
@documented(
    "Email an open invitation to the customer again", auth=AGENT, responses={"410": "invitation_expired"}
)
async def resend(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    invitation = await runtime.bus.handle(ResendInvitation(request.match_info["id"], agent.actor))
    return web.json_response(
        {"invitation": invitation_json(invitation, runtime.settings.base_url, runtime.clock.now())}
    )


@routes.get("/api/agent/rooms")
@documented("Rooms and resource pools for the invitation dialog", auth=AGENT)
async def rooms(request: web.Request) -> web.Response:
    await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await repository(uow).rooms()
    return web.json_response(
        {
            "rooms": [
                {
                    "id": r.id,
                    "name": r.name,
                    "email": r.email,
                    "capacity": r.capacity,
                    "pool": r.pool,
                    "provider": r.provider,  # None: Microsoft 365 when configured, else local
                }
                for r in found
            ],
            "pools": sorted({r.pool for r in found if r.pool}),
        }
    )
