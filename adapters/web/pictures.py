"""Uploaded pictures (agents' avatars, conversations' pictures): read, checked by their bytes, redrawn
from their pixels, stored under the data folder.

Why redraw: a picture is shown to guests on other people's websites, and an upload can carry more
than pixels: EXIF with the GPS position of the agent's home, comments and text chunks, an ICC profile,
or a second file after the image's end (an HTML or script polyglot a browser might sniff). Pillow
decodes the pixels and a fresh image is encoded from them alone, so nothing else survives. The
declared size is checked before decoding: a tiny file can declare a picture of billions of pixels (a
decompression bomb). Both kinds of picture go through ``store_upload``; one place decides what is safe.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from pathlib import Path

from aiohttp import web
from PIL import Image, ImageOps

from adapters.web.auth import RUNTIME
from bot.errors import InvalidInput
from bot.private_files import private_dir, write_private

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


def folder(request: web.Request) -> Path:
    return Path(request.app[RUNTIME].settings.data_dir) / "avatars"


async def store_upload(request: web.Request, owner: str) -> tuple[str, str]:
    """Read the request's body as a picture, redraw and store it as ``{owner}-{hash}.{kind}``.

    Returns the stored file's name and its public URL (served by ``/avatars/{name}``)."""
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > MAX_BYTES:  # stop reading at once: a huge body costs us nothing more
            raise InvalidInput("The picture is larger than 512 KB.", code="avatar_too_large")
    kind = next((ext for magic, ext in KINDS.items() if bytes(data[:8]).startswith(magic)), None)
    if kind is None:
        raise InvalidInput("Send a PNG or JPEG picture.", code="avatar_not_an_image")
    picture = await asyncio.to_thread(redraw, bytes(data), kind)  # decoding is CPU work: off the loop
    name = f"{owner}-{hashlib.sha256(picture).hexdigest()[:12]}.{kind}"
    where = folder(request)
    private_dir(where)  # this process serves the pictures; nobody else on the host needs to read them
    write_private(where / name, picture)
    return name, f"{request.app[RUNTIME].settings.base_url}/avatars/{name}"


def forget(request: web.Request, owner: str, url: str | None, keep: str | None = None) -> None:
    """Delete the stored file behind ``owner``'s picture URL that is no longer theirs."""
    name = (url or "").rsplit("/", 1)[-1]
    if NAME.match(name) and name.startswith(f"{owner}-") and name != keep:
        (folder(request) / name).unlink(missing_ok=True)
