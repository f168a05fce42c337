"""Resolve, reopen and snooze a conversation from the web inbox (or anything with an agent token).

The engine (``bot.status``) decides who may and what a snooze's end is; this module reads the request
and answers with the conversation's status."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.errors import field, read_json
from adapters.web.openapi import AGENT, documented, schema
from adapters.web.serialize import iso
from bot.model import Conversation
from bot.status.commands import ReopenConversation, ResolveConversation, SnoozeConversation

routes = web.RouteTableDef()


def status_json(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "status": conversation.status,
        "snoozed_until": iso(conversation.snoozed_until),
        "resolved_at": iso(conversation.resolved_at),
        "resolved_by": conversation.resolved_by,
        "assignee": conversation.assignee,
    }


@routes.post("/api/agent/conversations/{id}/resolve")
@documented(
    "Resolve: out of the inbox until someone writes; the thread gets a notice",
    auth=AGENT,
    responses={"404": "unknown_conversation"},
)
async def resolve(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    done = await request.app[RUNTIME].bus.handle(ResolveConversation(request.match_info["id"], agent.actor))
    return web.json_response(status_json(done))


@routes.post("/api/agent/conversations/{id}/reopen")
@documented(
    "Reopen a resolved or snoozed conversation", auth=AGENT, responses={"404": "unknown_conversation"}
)
async def reopen(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    done = await request.app[RUNTIME].bus.handle(ReopenConversation(request.match_info["id"], agent.actor))
    return web.json_response(status_json(done))


@routes.post("/api/agent/conversations/{id}/snooze")
@documented(
    "Snooze until {until} (ISO 8601; without an offset, the agent's own time zone) or a {preset}: "
    "hour, tomorrow (9:00), next_week (Monday 9:00), in the agent's zone. It reopens itself then",
    body=schema(until="string", preset="string"),
    auth=AGENT,
    responses={
        "400": "invalid_time {field: until}, snooze_in_past, snooze_too_long, invalid_snooze_preset "
        "{field: preset}, snooze_until_required",
        "404": "unknown_conversation",
    },
)
async def snooze(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    done = await request.app[RUNTIME].bus.handle(
        SnoozeConversation(
            request.match_info["id"],
            agent.actor,
            until=field(body, "until", required=False),
            preset=field(body, "preset", required=False),
        )
    )
    return web.json_response(status_json(done))
