"""A conversation's own picture over HTTP: upload (raw PNG or JPEG body, like the agent's avatar) and
removal. Checking and redrawing the bytes is adapters.web.pictures' (shared with agents' avatars); who
may change the picture, and the notice everyone sees, is the engine's (SetConversationPicture).

The conversation is looked up for the agent before anything is written: a conversation the agent
cannot see answers 404 and leaves no file behind. A replaced or removed picture is deleted from disk.
"""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.openapi import AGENT, documented
from adapters.web.pictures import forget, store_upload
from bot import queries
from bot.commands import SetConversationPicture
from bot.errors import Forbidden
from bot.model import Actor

routes = web.RouteTableDef()
_PATH = "/api/agent/conversations/{id}/picture"
_REFUSALS = {"403": "agents_only", "404": "unknown_conversation"}


async def _current_picture(request: web.Request, actor: Actor) -> str | None:
    """The picture now, if this agent may change it (404 if they cannot see the conversation)."""
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, actor, request.match_info["id"])
    if view.role != "agent":
        raise Forbidden("Only agents manage a conversation.", code="agents_only")
    return view.conversation.picture


@routes.put(_PATH)
@documented(
    "Set the conversation's picture (PNG or JPEG body, at most 512 KB)",
    auth=AGENT,
    responses={"400": "avatar_too_large, avatar_too_many_pixels or avatar_not_an_image", **_REFUSALS},
)
async def upload(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    conversation_id = request.match_info["id"]
    before = await _current_picture(request, agent.actor)
    name, url = await store_upload(request, conversation_id)
    await request.app[RUNTIME].bus.handle(SetConversationPicture(conversation_id, url, agent.actor))
    forget(request, conversation_id, before, keep=name)
    return web.json_response({"id": conversation_id, "picture": url})


@routes.delete(_PATH)
@documented("Remove the conversation's picture (back to initials)", auth=AGENT, responses=_REFUSALS)
async def remove(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    conversation_id = request.match_info["id"]
    before = await _current_picture(request, agent.actor)
    await request.app[RUNTIME].bus.handle(SetConversationPicture(conversation_id, None, agent.actor))
    forget(request, conversation_id, before)
    return web.json_response({"id": conversation_id, "picture": None})
