"""An agent's uploaded picture becomes the avatar guests see, redrawn from its pixels alone: GPS in
EXIF, text chunks, ICC profiles and anything after the image's end are gone; what is not a picture,
or declares more pixels than an avatar could need, is refused; a replaced picture leaves the disk.
Every picture here is real, built with Pillow in the test."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from adapters.web.app import make_app
from bot.commands import IssueAgentToken


def picture(fmt: str, size: tuple[int, int] = (40, 20), **save: Any) -> bytes:
    """A two-colour picture (left red, right blue), so orientation and pixels can be checked."""
    image = Image.new("RGB", size, (220, 30, 30))
    image.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


PNG = picture("PNG")


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "AgentPhone"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: shown rotated 90° clockwise
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    return picture("JPEG", exif=exif, comment=b"home sweet home")


def png_with_text_icc_and_trailing_html() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "lives at 12 Anvil Road")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return (
        picture("PNG", pnginfo=info, icc_profile=icc)
        + b"<html><script>alert(document.cookie)</script></html>"
    )


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header declares ``width``×``height`` (a decompression bomb)."""
    real = picture("PNG", size=(1, 1))
    ihdr = struct.pack(">II", width, height) + real[24:29]  # depth, colour, compression, filter, interlace
    chunk = b"IHDR" + ihdr
    return real[:8] + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk)) + real[33:]


@pytest.fixture
async def client(seeded: Any) -> Any:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def alice(client: Any) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken('alice@example.com'))}"
    }


async def upload(client: TestClient, body: bytes, headers: dict[str, str]) -> tuple[bytes, str]:
    r = await client.put("/api/agent/avatar", data=body, headers=headers)
    assert r.status == 200, await r.text()
    url = (await r.json())["avatar_url"]
    served = await client.get(url.removeprefix(client.runtime.settings.base_url))  # type: ignore[attr-defined]
    assert served.status == 200
    return await served.read(), served.content_type


def stored(client: Any) -> list[str]:
    folder = Path(client.runtime.settings.data_dir) / "avatars"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_an_uploaded_picture_is_what_the_guest_sees(client: Any) -> None:
    headers = await alice(client)
    r = await client.put("/api/agent/avatar", data=PNG, headers=headers)
    url = (await r.json())["avatar_url"]
    served = await client.get(url.removeprefix(client.runtime.settings.base_url))
    assert served.content_type == "image/png"
    shown = Image.open(io.BytesIO(await served.read()))
    assert shown.convert("RGB").tobytes() == Image.open(io.BytesIO(PNG)).convert("RGB").tobytes()

    session = await (await client.post("/api/guest/sessions", json={"name": "Ann"})).json()
    guest = {"Authorization": f"Bearer {session['token']}"}
    started = await (
        await client.post("/api/guest/conversations", json={"agent": "alice", "text": "hi"}, headers=guest)
    ).json()
    assert started["conversation"]["title"] == "Alice"
    assert started["conversation"]["avatar"]["url"] == url

    await client.delete("/api/agent/avatar", headers=headers)
    again = await (
        await client.get(f"/api/guest/conversations/{started['conversation']['id']}", headers=guest)
    ).json()
    assert again["avatar"]["url"] is None and again["avatar"]["initials"] == "A"
    assert stored(client) == []  # removed from disk too


async def test_a_phone_photo_loses_its_gps_position_and_stands_upright(client: Any) -> None:
    sent = jpeg_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's premise
    body, content_type = await upload(client, sent, await alice(client))
    assert content_type == "image/jpeg"
    shown = Image.open(io.BytesIO(body))
    assert shown.format == "JPEG" and not shown.getexif() and "comment" not in shown.info
    assert b"Exif" not in body and b"AgentPhone" not in body and b"home sweet home" not in body
    assert shown.size == (20, 40)  # the EXIF rotation was applied before the EXIF went
    top, bottom = shown.convert("RGB").getpixel((10, 5)), shown.convert("RGB").getpixel((10, 35))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # red above blue: turned clockwise


async def test_a_png_loses_its_text_its_profile_and_the_html_after_its_end(client: Any) -> None:
    sent = png_with_text_icc_and_trailing_html()
    assert b"tEXt" in sent and b"iCCP" in sent and b"<script>" in sent  # the test's premise
    body, _ = await upload(client, sent, await alice(client))
    assert body.endswith(b"IEND\xaeB`\x82")  # nothing after the image's end
    for leftover in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"Anvil Road", b"<script>", b"<html>"):
        assert leftover not in body
    shown = Image.open(io.BytesIO(body))
    assert "icc_profile" not in shown.info and "Comment" not in shown.info
    assert shown.convert("RGB").tobytes() == Image.open(io.BytesIO(sent)).convert("RGB").tobytes()


async def test_a_replaced_picture_is_deleted_from_disk(client: Any) -> None:
    headers = await alice(client)
    await upload(client, PNG, headers)
    first = stored(client)
    await upload(client, picture("JPEG"), headers)
    second = stored(client)
    assert len(first) == len(second) == 1 and first != second and second[0].endswith(".jpg")
    await upload(client, picture("JPEG"), headers)  # the same picture again keeps its file
    assert stored(client) == second


@pytest.mark.parametrize(
    "body, headers, status, code",
    [
        (b"<svg onload=alert(1)>", "alice", 400, "avatar_not_an_image"),  # the bytes decide, not the type
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "alice", 400, "avatar_not_an_image"),  # only the magic
        (PNG[: len(PNG) // 2], "alice", 400, "avatar_not_an_image"),  # cut short
        (picture("JPEG")[:3] + PNG, "alice", 400, "avatar_not_an_image"),  # JPEG magic, PNG inside
        (png_declaring(100_000, 100_000), "alice", 400, "avatar_too_many_pixels"),  # a bomb
        (png_declaring(4097, 1), "alice", 400, "avatar_too_many_pixels"),
        (PNG + b"\x00" * (512 * 1024), "alice", 400, "avatar_too_large"),
        (PNG, None, 401, "invalid_token"),
    ],
    ids=[
        "svg",
        "only-png-magic",
        "cut-short",
        "png-behind-jpeg-magic",
        "bomb",
        "too-wide",
        "too-large",
        "no-token",
    ],
)
async def test_bad_uploads_are_refused_and_change_nothing(
    client: Any, body: bytes, headers: str | None, status: int, code: str
) -> None:
    auth = await alice(client) if headers else {}
    r = await client.put("/api/agent/avatar", data=body, headers={**auth, "Content-Type": "image/png"})
    assert r.status == status and (await r.json())["code"] == code
    async with client.runtime.uow(read_only=True) as uow:
        assert (await uow.agents.get("alice")).avatar_url is None
    assert stored(client) == []


@pytest.mark.parametrize("name", ["..%2Fsecret_key", "alice.png", "alice-0123456789ab.gif"])
async def test_only_stored_pictures_are_served(client: Any, name: str) -> None:
    assert (await client.get(f"/avatars/{name}")).status == 404
