"""The guest API: sessions, conversations, messages. Everything is scoped to the token's guest."""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME, current_guest
from adapters.web.errors import field, read_json, whole_number
from adapters.web.limits import limit_guest_message, limit_guest_session
from adapters.web.openapi import GUEST, documented, schema
from adapters.web.serialize import message_json, view_json
from bot import queries
from bot.commands import MarkRead, PostMessage, RegisterGuest, StartConversation

routes = web.RouteTableDef()


def _after(request: web.Request) -> int:
    return whole_number(request.query.get("after") or None, "after", default=0)


@routes.post("/api/guest/sessions")
@documented(
    "Start a guest session; returns {token, guest_id}",
    body=schema(name="string", email="string", timezone="string", page_url="string"),
)
async def create_session(request: web.Request) -> web.Response:
    limit_guest_session(request)
    body = await read_json(request)
    session = await request.app[RUNTIME].bus.handle(
        RegisterGuest(
            name=field(body, "name"),
            email=field(body, "email", required=False),
            timezone=field(body, "timezone", required=False),
            page_url=body.get("page_url"),  # bot.origin checks it
        )
    )
    return web.json_response(
        {"token": session.token, "guest_id": session.guest.id, "name": session.guest.name}, status=201
    )


@routes.get("/api/guest/me")
@documented("The signed-in guest", auth=GUEST)
async def me(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    return web.json_response({"guest_id": guest.id, "name": guest.name, "email": guest.email})


@routes.post("/api/guest/conversations")
@documented(
    "Write to a service or an agent; reuses the guest's earlier conversation with them",
    body=schema(service="string", agent="string", text="string", client_id="string", page_url="string"),
    auth=GUEST,
)
async def start_conversation(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    limit_guest_message(request, guest.id)
    body = await read_json(request)
    posted = await request.app[RUNTIME].bus.handle(
        StartConversation(
            guest_id=guest.id,
            text=field(body, "text"),
            service=field(body, "service", required=False),
            agent=field(body, "agent", required=False),
            client_id=field(body, "client_id", required=False),
            page_url=body.get("page_url"),  # bot.origin checks it
        )
    )
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, guest.actor, posted.conversation.id)
    return web.json_response(
        {
            "conversation": view_json(view, for_agent=False),
            "message": message_json(posted.message, for_guest=True),
        },
        status=201 if posted.created else 200,
    )


@routes.get("/api/guest/conversations")
@documented("The guest's conversations", auth=GUEST)
async def list_conversations(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        views = await queries.guest_conversations(uow, guest)
    return web.json_response({"conversations": [view_json(v, for_agent=False) for v in views]})


@routes.get("/api/guest/conversations/{id}")
@documented("One conversation (title as the guest sees it)", auth=GUEST)
async def get_conversation(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, guest.actor, request.match_info["id"])
    return web.json_response(view_json(view, for_agent=False))


@routes.get("/api/guest/conversations/{id}/messages")
@documented("Messages after ?after=seq", auth=GUEST)
async def list_messages(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.messages(uow, guest.actor, request.match_info["id"], after_seq=_after(request))
    return web.json_response({"messages": [message_json(m, for_guest=True) for m in found]})


@routes.post("/api/guest/conversations/{id}/messages")
@documented(
    "Post a message (client_id makes resends idempotent)",
    body=schema(text="string", client_id="string"),
    auth=GUEST,
)
async def post_message(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    limit_guest_message(request, guest.id)
    body = await read_json(request)
    posted = await request.app[RUNTIME].bus.handle(
        PostMessage(
            conversation_id=request.match_info["id"],
            author=guest.actor,
            text=field(body, "text"),
            client_id=field(body, "client_id", required=False),
        )
    )
    return web.json_response(
        {"message": message_json(posted.message, for_guest=True)}, status=201 if posted.created else 200
    )


@routes.post("/api/guest/conversations/{id}/read")
@documented("Mark read up to seq", body=schema(seq="integer"), auth=GUEST)
async def mark_read(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    body = await read_json(request)
    seq = await request.app[RUNTIME].bus.handle(
        MarkRead(conversation_id=request.match_info["id"], reader=guest.actor, seq=field(body, "seq", int))
    )
    return web.json_response({"seq": seq})
