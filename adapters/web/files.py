"""Files in conversations over HTTP: guests and agents attach a picture or a PDF (the raw file as the
body, its name in ``?name=``), and whoever may see the message fetches it from ``/files/{id}/{name}``.

What a file is comes from its bytes (``bot.attachments.sniff``) and, for pictures, from Pillow reading
their header and checking the whole stream; the name and the Content-Type the sender gave are never
believed. The body is read in chunks and refused as soon as it passes 10 MB (413 ``file_too_large``).
The conversation is looked up for the sender before anything is written, so a refused upload leaves
no file behind, and one the engine refuses afterwards (read-only, …) is deleted again.

Serving: the token in ``Authorization`` (a guest's or an agent's, never a cookie: the widget fetches
from other sites, so ``/files/`` answers CORS like the guest API) must belong to someone who sees the
message the file belongs to (an internal note's file: agents only); anyone else gets 404, as for an
unknown file. The response cannot run anything even if a browser were to open it as a page:
``nosniff``, ``Content-Security-Policy: sandbox; default-src 'none'``, and a PDF is a download
(``Content-Disposition: attachment``); only pictures are shown inline.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from PIL import Image

from adapters.web.auth import RUNTIME, bearer, current_agent, current_guest
from adapters.web.limits import limit_guest_upload
from adapters.web.openapi import AGENT, GUEST, documented
from adapters.web.serialize import message_json
from bot import queries, sessions
from bot.attachments import MAX_BYTES, is_image, refuse_size, refuse_type, sniff
from bot.commands import AttachFile
from bot.errors import InvalidInput, NotFound, Unauthorized
from bot.model import Actor, new_id
from bot.private_files import private_dir, write_private

routes = web.RouteTableDef()
MAX_PIXELS = 50_000_000  # a picture's declared size; more is a decompression bomb, not a photo
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
FILE_POLICY = "sandbox; default-src 'none'"
_UPLOAD = {"400": "file_type_not_allowed, empty_file", "413": "file_too_large", "404": "unknown_conversation"}


def folder(request: web.Request) -> Path:
    return Path(request.app[RUNTIME].settings.data_dir) / "files"


async def read_upload(request: web.Request) -> bytes:
    """The body, at most 10 MB: a larger declared length is refused unread, a longer stream at once."""
    if request.content_length is not None and request.content_length > MAX_BYTES:
        raise refuse_size()
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > MAX_BYTES:
            raise refuse_size()
    if not data:
        raise InvalidInput("The file is empty.", code="empty_file", field="file")
    return bytes(data)


def check_picture(data: bytes, content_type: str) -> None:
    """Pillow reads the header (its declared size) and checks the whole stream without decoding it."""
    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidInput(
                    "The picture has too many pixels.", code="file_too_many_pixels", field="file"
                )
            image.verify()
    except InvalidInput:
        raise
    except Exception as error:  # noqa: BLE001 - truncated, corrupt, or another format behind the magic
        raise refuse_type() from error


async def kind_of(data: bytes) -> str:
    content_type = sniff(data[:16])
    if content_type is None:
        raise refuse_type()
    if is_image(content_type):
        await asyncio.to_thread(check_picture, data, content_type)  # CPU work: off the event loop
    return content_type


async def _attach(request: web.Request, author: Actor, *, internal: bool, for_guest: bool) -> web.Response:
    runtime = request.app[RUNTIME]
    conversation_id = request.match_info["id"]
    async with runtime.uow(read_only=True) as uow:  # 404 before a byte is read or written
        await queries.view_conversation(uow, author, conversation_id)
    data = await read_upload(request)
    content_type = await kind_of(data)
    file_id = new_id()
    where = folder(request)
    private_dir(where)
    write_private(where / file_id, data)
    try:
        posted = await runtime.bus.handle(
            AttachFile(
                conversation_id=conversation_id,
                author=author,
                file_id=file_id,
                name=request.query.get("name", ""),
                content_type=content_type,
                size=len(data),
                text=request.query.get("text", ""),
                client_id=request.query.get("client_id") or None,
                internal=internal,
            )
        )
    except BaseException:
        (where / file_id).unlink(missing_ok=True)
        raise
    if not posted.created:  # a resend: the first upload's file is the one kept
        (where / file_id).unlink(missing_ok=True)
    status = 201 if posted.created else 200
    return web.json_response({"message": message_json(posted.message, for_guest=for_guest)}, status=status)


@routes.post("/api/guest/conversations/{id}/files")
@documented(
    "Attach a file: the body is a PNG, JPEG, GIF, WebP or PDF of at most 10 MB; ?name=, ?text=, ?client_id=",
    auth=GUEST,
    responses=_UPLOAD,
)
async def guest_upload(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    limit_guest_upload(request, guest.id)
    return await _attach(request, guest.actor, internal=False, for_guest=True)


@routes.post("/api/agent/conversations/{id}/files")
@documented(
    "Attach a file (as the guest API; ?internal=true makes it an internal note's file)",
    auth=AGENT,
    responses=_UPLOAD,
)
async def agent_upload(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    internal = request.query.get("internal", "").lower() in {"1", "true", "yes"}
    return await _attach(request, agent.actor, internal=internal, for_guest=False)


async def _viewer(request: web.Request) -> Actor:
    """The agent or the guest whose token this is."""
    runtime = request.app[RUNTIME]
    try:
        return (await sessions.agent_for_token(runtime, bearer(request))).actor
    except Unauthorized:
        return (await sessions.guest_for_token(runtime, bearer(request))).actor


@routes.get("/files/{id}/{name}")
@documented("A file of a message, for whoever may see that message (guest or agent token)", auth=GUEST)
async def fetch(request: web.Request) -> web.Response:
    viewer = await _viewer(request)
    missing = NotFound("No such file.", code="unknown_file")
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        file = await uow.attachments.get(request.match_info["id"])
        if file is None or file.name != request.match_info["name"]:
            raise missing
        try:
            await queries.view_conversation(uow, viewer, file.conversation_id)
        except NotFound:
            raise missing from None
    if file.internal and viewer.kind != "agent":
        raise missing  # an internal note's file, like the note, does not exist for guests
    path = folder(request) / file.id
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except (FileNotFoundError, ValueError):
        raise missing from None
    disposition = "inline" if is_image(file.content_type) else "attachment"
    return web.Response(
        body=data,
        content_type=file.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file.name, safe='')}",
            "Content-Security-Policy": FILE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
