"""The inbox's search, saved replies and contact panel over HTTP. The engine (``bot.search``,
``bot.saved_replies``, ``bot.contacts``)
decides what an agent finds and manages; this module only reads the request and writes JSON.

Search answers with highlight segments (``[{"text", "match"}]``): plain text the client shows as text,
never HTML. Guests have no search: a guest token here is refused like any wrong token."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.errors import read_json
from adapters.web.openapi import AGENT, documented, schema
from bot import contacts, saved_replies, search
from bot.errors import InvalidInput
from bot.saved_replies import SavedReply

routes = web.RouteTableDef()


@routes.get("/api/agent/search")
@documented(
    "Search messages (notes included), guest names and emails, meeting subjects in the conversations "
    "the agent may see: ?q=words&limit=30; each result has highlight segments [{text, match}]",
    auth=AGENT,
    responses={"400": "invalid_query {field: q}"},
)
async def search_inbox(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    limit = request.query.get("limit", "30")
    if not limit.isdigit():
        raise InvalidInput("'limit' is a whole number.", code="invalid_field", field="limit")
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        results = await search.find(uow, agent.slug, request.query.get("q", ""), limit=int(limit))
    return web.json_response({"results": results})


def _reply_json(reply: SavedReply) -> dict[str, Any]:
    return {"id": reply.id, "title": reply.title, "body": reply.body, "service": reply.service}


@routes.get("/api/agent/saved-replies")
@documented("The agent's own saved replies and their services'", auth=AGENT)
async def list_replies(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await saved_replies.visible(uow, agent.slug)
    return web.json_response({"saved_replies": [_reply_json(r) for r in found]})


_REPLY_BODY = schema(title="string", body="string", service="string")


@routes.post("/api/agent/saved-replies")
@documented(
    "Add a saved reply: the agent's own, or a service's ({service}); {guest_name} and {agent_name} "
    "are filled in when it is inserted",
    body=_REPLY_BODY,
    auth=AGENT,
    responses={"400": "invalid_saved_reply {field}"},
)
async def add_reply(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    runtime = request.app[RUNTIME]
    async with runtime.uow() as uow:
        reply = await saved_replies.save(uow, agent.slug, body, runtime.clock.now())
        await uow.commit()
    return web.json_response({"saved_reply": _reply_json(reply)}, status=201)


@routes.put("/api/agent/saved-replies/{id}")
@documented(
    "Change a saved reply",
    body=_REPLY_BODY,
    auth=AGENT,
    responses={"400": "invalid_saved_reply {field}", "404": "unknown_saved_reply"},
)
async def change_reply(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    runtime = request.app[RUNTIME]
    async with runtime.uow() as uow:
        reply = await saved_replies.save(uow, agent.slug, body, runtime.clock.now(), request.match_info["id"])
        await uow.commit()
    return web.json_response({"saved_reply": _reply_json(reply)})


@routes.delete("/api/agent/saved-replies/{id}")
@documented("Delete a saved reply", auth=AGENT, responses={"404": "unknown_saved_reply"})
async def delete_reply(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow() as uow:
        await saved_replies.remove(uow, agent.slug, request.match_info["id"])
        await uow.commit()
    return web.json_response({"deleted": True})


@routes.get("/api/agent/contacts/{guest_id}")
@documented(
    "The contact beside a thread: name, email (proven or not), time zone, where each conversation "
    "started, other conversations and meetings (upcoming, past), the agents' private note. Guests who "
    "proved the same email are one contact",
    auth=AGENT,
    responses={"404": "unknown_contact"},
)
async def get_contact(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        found = await contacts.contact(uow, agent.slug, request.match_info["guest_id"], runtime.clock.now())
    return web.json_response(found)


@routes.patch("/api/agent/contacts/{guest_id}")
@documented(
    "Rename the contact or write the private note (agents only)",
    body=schema(name="string", note="string"),
    auth=AGENT,
    responses={"400": "invalid_contact {field}", "404": "unknown_contact"},
)
async def change_contact(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    runtime = request.app[RUNTIME]
    guest_id = request.match_info["guest_id"]
    async with runtime.uow() as uow:
        await contacts.change(uow, agent.slug, guest_id, body, runtime.clock.now())
        await uow.commit()
    async with runtime.uow(read_only=True) as uow:
        found = await contacts.contact(uow, agent.slug, guest_id, runtime.clock.now())
    return web.json_response(found)
