"""Agents' uploaded pictures: checked, redrawn and stored by adapters.web.pictures (shared with the
conversations' pictures), served as files. A replaced or removed picture is deleted from disk.
"""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.openapi import AGENT, documented
from adapters.web.pictures import NAME, folder, forget, store_upload
from bot.commands import SetAgentAvatar
from bot.errors import NotFound

routes = web.RouteTableDef()


@routes.put("/api/agent/avatar")
@documented(
    "Upload my picture (PNG or JPEG body, at most 512 KB)",
    auth=AGENT,
    responses={"400": "avatar_too_large, avatar_too_many_pixels or avatar_not_an_image"},
)
async def upload(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    name, url = await store_upload(request, agent.slug)
    await request.app[RUNTIME].bus.handle(SetAgentAvatar(agent.slug, url))
    forget(request, agent.slug, agent.avatar_url, keep=name)
    return web.json_response({"avatar_url": url})


@routes.delete("/api/agent/avatar")
@documented("Go back to generated initials", auth=AGENT)
async def remove(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    await request.app[RUNTIME].bus.handle(SetAgentAvatar(agent.slug, None))
    forget(request, agent.slug, agent.avatar_url)
    return web.json_response({"avatar_url": None})


@routes.get("/avatars/{name}")
async def picture(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    path = folder(request) / name
    if not NAME.match(name) or not path.is_file():
        raise NotFound("No such picture.", code="not_found")
    response = web.FileResponse(path)
    response.content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # the name is the content hash
    return response
