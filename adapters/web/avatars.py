"""Agents' uploaded pictures: checked by their bytes, stored under the data folder, served as files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.openapi import AGENT, documented
from bot.commands import SetAgentAvatar
from bot.errors import InvalidInput, NotFound
from bot.private_files import private_dir, write_private

routes = web.RouteTableDef()
MAX_BYTES = 512 * 1024
KINDS = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}  # the bytes decide, never the header
NAME = re.compile(r"^[a-z0-9_-]{1,64}-[0-9a-f]{12}\.(png|jpg)$")


def _folder(request: web.Request) -> Path:
    return Path(request.app[RUNTIME].settings.data_dir) / "avatars"


@routes.put("/api/agent/avatar")
@documented(
    "Upload my picture (PNG or JPEG body, at most 512 KB)",
    auth=AGENT,
    responses={"400": "avatar_too_large or avatar_not_an_image"},
)
async def upload(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > MAX_BYTES:  # stop reading at once: a huge body costs us nothing more
            raise InvalidInput("The picture is larger than 512 KB.", code="avatar_too_large")
    kind = next((ext for magic, ext in KINDS.items() if bytes(data[:8]).startswith(magic)), None)
    if kind is None:
        raise InvalidInput("Send a PNG or JPEG picture.", code="avatar_not_an_image")
    name = f"{agent.slug}-{hashlib.sha256(bytes(data)).hexdigest()[:12]}.{kind}"
    folder = _folder(request)
    private_dir(folder)  # this process serves the pictures; nobody else on the host needs to read them
    write_private(folder / name, bytes(data))
    url = f"{request.app[RUNTIME].settings.base_url}/avatars/{name}"
    await request.app[RUNTIME].bus.handle(SetAgentAvatar(agent.slug, url))
    return web.json_response({"avatar_url": url})


@routes.delete("/api/agent/avatar")
@documented("Go back to generated initials", auth=AGENT)
async def remove(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    await request.app[RUNTIME].bus.handle(SetAgentAvatar(agent.slug, None))
    return web.json_response({"avatar_url": None})


@routes.get("/avatars/{name}")
async def picture(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    path = _folder(request) / name
    if not NAME.match(name) or not path.is_file():
        raise NotFound("No such picture.", code="not_found")
    response = web.FileResponse(path)
    response.content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # the name is the content hash
    return response
