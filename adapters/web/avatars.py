"""Agents' uploaded pictures: checked by their bytes, redrawn from their pixels, stored under the data
folder, served as files.

Why redraw: a picture is shown to guests on other people's websites, and an upload can carry more
than pixels: EXIF with the GPS position of the agent's home, comments and text chunks, an ICC profile,
or a second file after the image's end (an HTML or script polyglot a browser might sniff). Pillow
decodes the pixels and a fresh image is encoded from them alone, so nothing else survives. The
declared size is checked before decoding: a tiny file can declare a picture of billions of pixels (a
decompression bomb). A replaced or removed picture is deleted from disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from pathlib import Path

from aiohttp import web
from PIL import Image, ImageOps

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.openapi import AGENT, documented
from bot.commands import SetAgentAvatar
from bot.errors import InvalidInput, NotFound
from bot.private_files import private_dir, write_private

routes = web.RouteTableDef()
MAX_BYTES = 512 * 1024
KINDS = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}  # the bytes decide, never the header
NAME = re.compile(r"^[a-z0-9_-]{1,64}-[0-9a-f]{12}\.(png|jpg)$")
MAX_SIDE = 4096  # pixels; far more than an avatar needs, and at most 64 MB decoded
PILLOW_FORMAT = {"png": "PNG", "jpg": "JPEG"}


def redraw(data: bytes, kind: str) -> bytes:
    """The picture's pixels alone, encoded afresh as ``kind``; refuses what is not such a picture."""
    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMAT[kind]]) as image:
            width, height = image.size  # from the header: nothing is decoded yet
            if width > MAX_SIDE or height > MAX_SIDE:
                raise InvalidInput(
                    f"The picture is larger than {MAX_SIDE}×{MAX_SIDE} pixels.", code="avatar_too_many_pixels"
                )
            image.load()
            upright = ImageOps.exif_transpose(image)  # a phone's rotation, before its EXIF goes
            mode = "RGBA" if kind == "png" and upright.has_transparency_data else "RGB"
            pixels = upright.convert(mode)
    except InvalidInput:
        raise
    except Image.DecompressionBombError as error:
        raise InvalidInput("The picture has too many pixels.", code="avatar_too_many_pixels") from error
    except Exception as error:  # noqa: BLE001 - any decoding failure: truncated, corrupt, not this format
        raise InvalidInput("Send a PNG or JPEG picture.", code="avatar_not_an_image") from error
    # A new image from the raw pixels has an empty info: no EXIF, ICC, text chunks or comments to copy.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, PILLOW_FORMAT[kind], **({"quality": 90} if kind == "jpg" else {}))
    return out.getvalue()


def _forget(folder: Path, slug: str, url: str | None, keep: str | None = None) -> None:
    """Delete the stored file behind the agent's picture URL that is no longer theirs."""
    name = (url or "").rsplit("/", 1)[-1]
    if NAME.match(name) and name.startswith(f"{slug}-") and name != keep:
        (folder / name).unlink(missing_ok=True)


def _folder(request: web.Request) -> Path:
    return Path(request.app[RUNTIME].settings.data_dir) / "avatars"


@routes.put("/api/agent/avatar")
@documented(
    "Upload my picture (PNG or JPEG body, at most 512 KB)",
    auth=AGENT,
    responses={"400": "avatar_too_large, avatar_too_many_pixels or avatar_not_an_image"},
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
    picture = await asyncio.to_thread(redraw, bytes(data), kind)  # decoding is CPU work: off the loop
    name = f"{agent.slug}-{hashlib.sha256(picture).hexdigest()[:12]}.{kind}"
    folder = _folder(request)
    private_dir(folder)  # this process serves the pictures; nobody else on the host needs to read them
    write_private(folder / name, picture)
    url = f"{request.app[RUNTIME].settings.base_url}/avatars/{name}"
    await request.app[RUNTIME].bus.handle(SetAgentAvatar(agent.slug, url))
    _forget(folder, agent.slug, agent.avatar_url, keep=name)
    return web.json_response({"avatar_url": url})


@routes.delete("/api/agent/avatar")
@documented("Go back to generated initials", auth=AGENT)
async def remove(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    await request.app[RUNTIME].bus.handle(SetAgentAvatar(agent.slug, None))
    _forget(_folder(request), agent.slug, agent.avatar_url)
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
