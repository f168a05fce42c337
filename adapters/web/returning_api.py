"""Returning guests and conversations agents create, over HTTP, and the two pages they lead to.

Translation only: whose continue link it is, and every rule of a created conversation, are the engine's
(``bot.returning``, ``bot.handlers.creating``). ``/c/{id}`` is the guest's page for one conversation (the
links in guest mails open it); ``/join/{token}`` lets a person give a name and an address and join a
conversation available by link. Both are static pages that read their id from the address: CSP-clean.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, bearer, current_agent, current_guest
from adapters.web.errors import field, read_json
from adapters.web.limits import in_background, limit_login_ip, login_mail_allowed
from adapters.web.openapi import AGENT, documented, schema
from adapters.web.pages import page
from adapters.web.serialize import view_json
from bot import queries
from bot.bootstrap import Runtime
from bot.commands import CreateConversation
from bot.errors import DomainError
from bot.returning import RequestContinueLink

routes = web.RouteTableDef()


@routes.post("/api/guest/continue")
@documented(
    "Continue a previous conversation on this device: mails a one-time link (30 minutes) to the address "
    "if a guest used it; always 202. Redeem it with /api/guest/email/redeem",
    body=schema(email="string", conversation="string"),
)
async def request_continue(request: web.Request) -> web.Response:
    limit_login_ip(request)  # 429 past the per-IP limit
    body = await read_json(request)
    email = field(body, "email")
    conversation = field(body, "conversation", required=False) or ""
    guest_id = None
    if bearer(request):
        guest_id = (await current_guest(request)).id
    command = RequestContinueLink(email=email, guest_id=guest_id, conversation=conversation)
    if not email.strip():
        await request.app[RUNTIME].bus.handle(command)  # the engine's own refusal, with its field
    # The same answer whether or not anybody used the address, and no more mails than sign-in links.
    if login_mail_allowed(request, email):
        in_background(request, _continue(request.app[RUNTIME], command))
    return web.json_response({"status": "sent"}, status=202)


async def _continue(runtime: Runtime, command: RequestContinueLink) -> None:
    try:
        await runtime.bus.handle(command)
    except DomainError:
        pass  # a malformed address mails nothing; the answer was the same


def _strings(body: dict[str, Any], name: str) -> tuple[str, ...]:
    values = field(body, name, list, required=False) or []
    if not all(isinstance(v, str) for v in values):
        raise DomainError(f"'{name}' must be a list of strings.", code="invalid_field", field=name)
    return tuple(values)


@routes.post("/api/agent/conversations")
@documented(
    "Create a conversation: name, optional description, members (agents by slug, others by email), "
    "read_only_external, available_by_link (off unless chosen). Returns {conversation}",
    body=schema(
        name="string",
        description="string",
        agents="array",
        emails="array",
        read_only_external="boolean",
        available_by_link="boolean",
    ),
    auth=AGENT,
    responses={"400": "no_guest, invalid_email", "404": "unknown_agent", "409": "too_many_members"},
)
async def create(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    runtime = request.app[RUNTIME]
    created = await runtime.bus.handle(
        CreateConversation(
            by=agent.actor,
            name=field(body, "name"),
            description=field(body, "description", required=False) or "",
            agents=_strings(body, "agents"),
            emails=_strings(body, "emails"),
            read_only_external=bool(field(body, "read_only_external", bool, required=False)),
            available_by_link=bool(field(body, "available_by_link", bool, required=False)),
        )
    )
    async with runtime.uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, agent.actor, created.conversation.id)
    return web.json_response({"conversation": view_json(view, for_agent=True)}, status=201)


@routes.get("/c/{id}")
async def conversation_page(request: web.Request) -> web.FileResponse:
    return page("conversation.html")


@routes.get("/join/{token}")
async def join_page(request: web.Request) -> web.FileResponse:
    return page("join.html")
