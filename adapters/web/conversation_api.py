"""Conversation rules over HTTP: members, renames, read-only, joining by link, reactions, read markers.

Translation only: every rule (who may do what, what answers a refusal) is in ``bot.access`` and the
membership handlers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent, current_guest
from adapters.web.errors import field, read_json
from adapters.web.openapi import AGENT, GUEST, documented, schema
from adapters.web.serialize import member_json, view_json
from bot import queries
from bot.commands import AddMember, JoinByLink, React, RemoveMember, RenameConversation, SetReadOnly, Unreact
from bot.model import Actor
from bot.queries import ReactionCount

routes = web.RouteTableDef()
_REACTION = "Add (POST) or take back (DELETE) a reaction {emoji}; returns the emoji's count"
_REFUSALS = {"403": "read_only / members_hidden / agents_only", "404": "unknown_conversation"}


def _reactions_json(found: dict[str, list[ReactionCount]]) -> dict[str, Any]:
    return {
        "reactions": {
            message_id: [
                {
                    "emoji": r.emoji,
                    "count": r.count,
                    "mine": r.mine,
                    **({"by": r.by} if r.by is not None else {}),
                }
                for r in counts
            ]
            for message_id, counts in found.items()
        }
    }


async def _emoji(request: web.Request) -> str:
    if request.method == "DELETE" and "emoji" in request.query:
        return request.query["emoji"]
    return field(await read_json(request), "emoji")


async def _react(request: web.Request, actor: Actor) -> web.Response:
    kind = React if request.method == "POST" else Unreact
    count = await request.app[RUNTIME].bus.handle(
        kind(
            conversation_id=request.match_info["id"],
            message_id=request.match_info["message_id"],
            by=actor,
            emoji=await _emoji(request),
        )
    )
    return web.json_response({"message_id": request.match_info["message_id"], "count": count})


async def _members(request: web.Request, actor: Actor, *, for_agent: bool) -> web.Response:
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.members(uow, actor, request.match_info["id"])
    return web.json_response({"members": [member_json(m, for_agent=for_agent) for m in found]})


async def _reactions(request: web.Request, actor: Actor) -> web.Response:
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.reactions(uow, actor, request.match_info["id"])
    return web.json_response(_reactions_json(found))


# --- guests ---------------------------------------------------------------------------------------


@routes.post("/api/guest/join")
@documented(
    "Join a conversation by its link token, as an external member (guests need an email)",
    body=schema(link_token="string"),
    auth=GUEST,
    responses=_REFUSALS,
)
async def join(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    body = await read_json(request)
    runtime = request.app[RUNTIME]
    joined = await runtime.bus.handle(JoinByLink(guest_id=guest.id, link_token=field(body, "link_token")))
    async with runtime.uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, guest.actor, joined.conversation.id)
    return web.json_response(
        {"conversation": view_json(view, for_agent=False)}, status=201 if joined.created else 200
    )


@routes.get("/api/guest/conversations/{id}/members")
@documented("Members (hidden from read-only external members)", auth=GUEST, responses=_REFUSALS)
async def guest_members(request: web.Request) -> web.Response:
    return await _members(request, (await current_guest(request)).actor, for_agent=False)


@routes.get("/api/guest/conversations/{id}/reactions")
@documented(
    "Reactions per message id: emoji, count, mine, by (names, when the member list is visible)",
    auth=GUEST,
    responses=_REFUSALS,
)
async def guest_reactions(request: web.Request) -> web.Response:
    return await _reactions(request, (await current_guest(request)).actor)


@routes.post("/api/guest/conversations/{id}/messages/{message_id}/reactions")
@routes.delete("/api/guest/conversations/{id}/messages/{message_id}/reactions")
@documented(_REACTION, body=schema(emoji="string"), auth=GUEST, responses=_REFUSALS)
async def guest_react(request: web.Request) -> web.Response:
    return await _react(request, (await current_guest(request)).actor)


# --- agents ---------------------------------------------------------------------------------------


@routes.get("/api/agent/conversations/{id}/members")
@documented("Members with their read markers (last_read_seq)", auth=AGENT, responses=_REFUSALS)
async def agent_members(request: web.Request) -> web.Response:
    return await _members(request, (await current_agent(request)).actor, for_agent=True)


@routes.post("/api/agent/conversations/{id}/members")
@documented(
    "Add an agent {agent: slug} or a guest {email, name?}; at most 1,000 members",
    body=schema(agent="string", email="string", name="string"),
    auth=AGENT,
    responses=_REFUSALS,
)
async def add_member(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    joined = await request.app[RUNTIME].bus.handle(
        AddMember(
            conversation_id=request.match_info["id"],
            by=agent.actor,
            agent=field(body, "agent", required=False),
            email=field(body, "email", required=False),
            name=field(body, "name", required=False),
        )
    )
    return web.json_response(
        {"member": member_json(joined.member, for_agent=True)}, status=201 if joined.created else 200
    )


@routes.delete("/api/agent/conversations/{id}/members/{kind}/{member_id}")
@documented("Remove a member", auth=AGENT, responses=_REFUSALS)
async def remove_member(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    await request.app[RUNTIME].bus.handle(
        RemoveMember(
            conversation_id=request.match_info["id"],
            by=agent.actor,
            kind=request.match_info["kind"],
            member_id=request.match_info["member_id"],
        )
    )
    return web.json_response({"removed": True})


@routes.post("/api/agent/conversations/{id}/rename")
@documented("Rename for everyone", body=schema(title="string"), auth=AGENT, responses=_REFUSALS)
async def rename(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    conversation = await request.app[RUNTIME].bus.handle(
        RenameConversation(
            conversation_id=request.match_info["id"], by=agent.actor, title=field(body, "title")
        )
    )
    return web.json_response({"id": conversation.id, "title": conversation.title})


@routes.post("/api/agent/conversations/{id}/read-only")
@documented(
    "Make the conversation read-only for external members (or not)",
    body=schema(read_only="boolean"),
    auth=AGENT,
    responses=_REFUSALS,
)
async def read_only(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    conversation = await request.app[RUNTIME].bus.handle(
        SetReadOnly(
            conversation_id=request.match_info["id"],
            by=agent.actor,
            read_only=field(body, "read_only", bool),
        )
    )
    return web.json_response({"id": conversation.id, "read_only_external": conversation.read_only_external})


@routes.get("/api/agent/conversations/{id}/reactions")
@documented("Reactions per message id, with who reacted", auth=AGENT, responses=_REFUSALS)
async def agent_reactions(request: web.Request) -> web.Response:
    return await _reactions(request, (await current_agent(request)).actor)


@routes.post("/api/agent/conversations/{id}/messages/{message_id}/reactions")
@routes.delete("/api/agent/conversations/{id}/messages/{message_id}/reactions")
@documented(_REACTION, body=schema(emoji="string"), auth=AGENT, responses=_REFUSALS)
async def agent_react(request: web.Request) -> web.Response:
    return await _react(request, (await current_agent(request)).actor)
