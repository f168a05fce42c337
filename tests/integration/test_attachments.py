"""Files in conversations over HTTP, on both databases: a guest attaches a picture and an agent a PDF;
each is a message that lists the file, and is served only to people who see that message, with
headers that keep a browser from running anything in it. What is not a picture or a PDF (whatever
its name says), too large or empty is refused with a code, and nothing is stored."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from adapters.web.app import make_app
from tests.integration.test_avatars import PNG
from tests.integration.test_conversation_rules import agent, call, guest, start

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
async def client(seeded: Any) -> Any:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


def stored(client: Any) -> list[str]:
    folder = Path(client.runtime.settings.data_dir) / "files"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def upload(
    client: Any, cid: str, who: dict[str, str], body: bytes, name: str, side: str = "guest", **query: str
) -> tuple[int, Any]:
    r = await client.post(
        f"/api/{side}/conversations/{cid}/files",
        params={"name": name, **query},
        data=body,
        headers={**who, "Content-Type": "application/octet-stream"},
    )
    return r.status, await r.json()


async def fetch(client: Any, url: str, who: dict[str, str]) -> Any:
    return await client.get(url, headers=who)


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 255)).save(out, "WEBP")
    return out.getvalue()


async def test_a_guest_attaches_a_picture_and_the_agent_sees_and_fetches_it(client: Any) -> None:
    ann, bob = await guest(client, "Ann"), await agent(client, "bob")
    cid = await start(client, ann, service="sales")
    status, body = await upload(
        client, cid, ann, PNG, "holiday photo.png", text="Here it is", client_id="c-1"
    )
    assert status == 201, body
    message = body["message"]
    assert message["text"] == "Here it is"
    [file] = message["attachments"]
    assert (file["name"], file["content_type"], file["size"]) == ("holiday photo.png", "image/png", len(PNG))
    assert file["url"] == f"/files/{file['id']}/holiday%20photo.png"

    _, listed = await call(client, "GET", f"/api/agent/conversations/{cid}/messages", bob)
    assert [m["attachments"] for m in listed["messages"] if m["id"] == message["id"]] == [[file]]
    for who in (ann, bob):
        served = await fetch(client, file["url"], who)
        assert served.status == 200
        assert await served.read() == PNG
        assert served.headers["Content-Type"] == "image/png"
        assert served.headers["Content-Disposition"].startswith("inline;")
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"

    again = await upload(client, cid, ann, PNG, "holiday photo.png", client_id="c-1")
    assert again[0] == 200 and again[1]["message"]["id"] == message["id"]  # a resend is stored once
    assert stored(client) == [file["id"]]
    folder = Path(client.runtime.settings.data_dir) / "files"
    assert (folder / file["id"]).stat().st_mode & 0o777 == 0o600  # the service's own user only
    assert (folder / file["id"]).read_bytes() == PNG


async def test_an_agent_attaches_a_pdf_which_downloads_as_a_file(client: Any) -> None:
    ann, bob = await guest(client, "Ann"), await agent(client, "bob")
    cid = await start(client, ann, service="sales")
    status, body = await upload(client, cid, bob, PDF, "offer.pdf", side="agent")
    assert status == 201, body
    [file] = body["message"]["attachments"]
    assert file["content_type"] == "application/pdf"
    served = await fetch(client, file["url"], ann)
    assert served.status == 200 and await served.read() == PDF
    assert served.headers["Content-Disposition"] == "attachment; filename*=UTF-8''offer.pdf"
    assert served.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


async def test_a_webp_picture_is_taken_and_a_misleading_name_gets_the_real_extension(client: Any) -> None:
    ann = await guest(client, "Ann")
    cid = await start(client, ann, service="sales")
    status, body = await upload(client, cid, ann, webp(), "../../etc/page.html")
    assert status == 201, body
    assert body["message"]["attachments"][0]["name"] == "page.html.webp"
    assert body["message"]["attachments"][0]["content_type"] == "image/webp"


@pytest.mark.parametrize(
    "body, name, status, code",
    [
        (EXE, "cat.png", 400, "file_type_not_allowed"),  # a program renamed .png
        (b"<html><script>alert(1)</script></html>", "a.pdf", 400, "file_type_not_allowed"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 10, "fake.png", 400, "file_type_not_allowed"),
        (b"", "empty.png", 400, "empty_file"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "huge.pdf", 413, "file_too_large"),
    ],
)
async def test_what_is_not_a_small_picture_or_pdf_is_refused_and_nothing_is_stored(
    client: Any, body: bytes, name: str, status: int, code: str
) -> None:
    ann, bob = await guest(client, "Ann"), await agent(client, "bob")
    cid = await start(client, ann, service="sales")
    answer = await upload(client, cid, ann, body, name)
    assert answer[0] == status and answer[1]["code"] == code and answer[1]["field"] == "file", answer
    _, listed = await call(client, "GET", f"/api/agent/conversations/{cid}/messages", bob)
    assert all(m["attachments"] == [] for m in listed["messages"])
    assert stored(client) == []


async def test_only_people_who_see_the_message_may_fetch_its_file(client: Any) -> None:
    ann, ben = await guest(client, "Ann"), await guest(client, "Ben")
    bob, carol = await agent(client, "bob"), await agent(client, "carol")  # carol is in Support, not Sales
    cid = await start(client, ann, service="sales")
    await start(client, ben, service="sales")
    _, body = await upload(client, cid, ann, PNG, "ann.png")
    url = body["message"]["attachments"][0]["url"]
    assert (await fetch(client, url, ben)).status == 404  # a guest of another conversation
    assert (await fetch(client, url, carol)).status == 404  # an agent outside the service
    assert (await fetch(client, url, {})).status == 401
    assert (await fetch(client, url.replace("ann.png", "other.png"), ann)).status == 404
    assert (await upload(client, cid, ben, PNG, "x.png"))[0] == 404  # nor may they attach there
    assert (await upload(client, cid, carol, PNG, "x.png", side="agent"))[0] == 404

    _, note = await upload(client, cid, bob, PDF, "notes.pdf", side="agent", internal="true")
    note_url = note["message"]["attachments"][0]["url"]
    assert note["message"]["internal"] is True
    assert (await fetch(client, note_url, bob)).status == 200
    assert (await fetch(client, note_url, ann)).status == 404  # an internal note's file: agents only
    _, seen = await call(client, "GET", f"/api/guest/conversations/{cid}/messages", ann)
    assert [f["name"] for m in seen["messages"] for f in m["attachments"]] == ["ann.png"]


async def test_a_guest_reaches_files_from_another_website(client: Any) -> None:
    """The widget runs on the customer's site: /files/ answers the preflight and the fetch with CORS."""
    ann = await guest(client, "Ann")
    cid = await start(client, ann, service="sales")
    _, body = await upload(client, cid, ann, PNG, "a.png")
    url = body["message"]["attachments"][0]["url"]
    preflight = await client.options(
        url, headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    served = await fetch(client, url, {**ann, "Origin": "https://shop.example"})
    assert served.headers["Access-Control-Allow-Origin"] == "*"


async def test_the_unread_message_email_names_the_file(seeded: Any, clock: Any) -> None:
    from bot.commands import AttachFile, MarkRead, StartConversation
    from bot.model import Actor
    from tests.integration.test_email import mails_to, tick
    from tests.support.identity import proven_guest

    ann = await proven_guest(seeded, "Ann", "ann@example.org")
    cid = (await seeded.bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation.id
    await seeded.bus.handle(MarkRead(cid, ann.actor, 10_000))
    alice = Actor("agent", "alice", "Alice")
    await seeded.bus.handle(
        AttachFile(cid, alice, "f-1", "offer.pdf", "application/pdf", 1234, text="Our offer")
    )
    clock.advance(minutes=5)
    await tick(seeded)
    (mail,) = mails_to(seeded, "ann@example.org")
    assert "Our offer\n📎 offer.pdf" in mail.get_body(("plain",)).get_content()
