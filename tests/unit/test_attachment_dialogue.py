"""Attaching a file as a dialogue table on fakes (the real bus and handlers over FakeEngine): who may
attach what where, what is stored, and what the event carries; and the pure rules beside it (what the
first bytes say a file is, the name people see)."""

from __future__ import annotations

import pytest

from bot.attachments import MAX_BYTES, clean_name, human_size, sniff
from bot.commands import AttachFile, CreateAgent, CreateService, StartConversation
from bot.errors import DomainError
from bot.events import MessagePosted
from bot.model import Actor, Guest
from tests.fakes.engine import FakeEngine

ANN = Actor("guest", "g-ann", "Ann")
BEN = Actor("guest", "g-ben", "Ben")
ALICE = Actor("agent", "alice", "Alice")
CAROL = Actor("agent", "carol", "Carol")
PNG, PDF = "image/png", "application/pdf"


@pytest.fixture
async def engine() -> FakeEngine:
    engine = FakeEngine()
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateService("support", "Support"))
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    await engine.handle(CreateAgent("carol", "Carol", "carol@example.com", services=("support",)))
    for who in (ANN, BEN):
        engine.state.guests[who.id] = Guest(who.name, None, id=who.id)
    return engine


# who, type, size, internal → refusal code, or None: stored, and the event says who may see it
ROWS = [
    (ANN, PNG, 2048, False, None),
    (ALICE, PDF, MAX_BYTES, False, None),
    (ALICE, PDF, 10, True, None),  # an internal note's file
    (ANN, PDF, 10, True, "internal_for_agents"),
    (BEN, PNG, 10, False, "unknown_conversation"),  # another guest's conversation
    (CAROL, PNG, 10, False, "unknown_conversation"),  # an agent outside the service
    (ANN, "text/html", 10, False, "file_type_not_allowed"),
    (ANN, "image/svg+xml", 10, False, "file_type_not_allowed"),
    (ANN, PNG, MAX_BYTES + 1, False, "file_too_large"),
    (ANN, PNG, 0, False, "file_too_large"),
]


@pytest.mark.parametrize("who, content_type, size, internal, refused", ROWS)
async def test_who_attaches_what(
    engine: FakeEngine, who: Actor, content_type: str, size: int, internal: bool, refused: str | None
) -> None:
    cid = (await engine.handle(StartConversation(ANN.id, "Hi", service="sales"))).conversation.id
    before = len(engine.state.outbox)
    command = AttachFile(cid, who, "f-1", "x.bin", content_type, size, internal=internal)
    if refused:
        with pytest.raises(DomainError) as error:
            await engine.handle(command)
        assert error.value.code == refused
        assert engine.state.attachments == {} and len(engine.state.outbox) == before  # nothing changed
        return
    posted = await engine.handle(command)
    [file] = engine.state.attachments.values()
    assert (file.id, file.message_id, file.internal) == ("f-1", posted.message.id, internal)
    [event] = [
        row["event"] for row in engine.state.outbox[before:] if isinstance(row["event"], MessagePosted)
    ]
    assert event.attachments == (file.summary(),)
    assert event.audience == ("agents" if internal else "everyone")


async def test_a_resend_returns_the_first_message_and_its_file(engine: FakeEngine) -> None:
    cid = (await engine.handle(StartConversation(ANN.id, "Hi", service="sales"))).conversation.id
    first = await engine.handle(AttachFile(cid, ANN, "f-1", "a.png", PNG, 10, client_id="c1"))
    again = await engine.handle(AttachFile(cid, ANN, "f-2", "a.png", PNG, 10, client_id="c1"))
    assert again.created is False and again.message.id == first.message.id
    assert [f.id for f in again.message.attachments] == ["f-1"]
    assert list(engine.state.attachments) == ["f-1"]


@pytest.mark.parametrize(
    "head, content_type",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"MZ\x90\x00", None),  # a Windows program
        (b"<svg xmlns=", None),
        (b"<!doctype html>", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),  # RIFF, but sound
        (b"", None),
    ],
)
def test_the_first_bytes_say_what_a_file_is(head: bytes, content_type: str | None) -> None:
    assert sniff(head) == content_type


@pytest.mark.parametrize(
    "given, content_type, shown",
    [
        ("photo.png", PNG, "photo.png"),
        ("Photo.JPEG", "image/jpeg", "Photo.jpeg"),
        ("scan.jpg", "image/jpeg", "scan.jpg"),
        ("report.html", PDF, "report.html.pdf"),  # a PDF stays a PDF on the reader's disk
        ("cat.png", PDF, "cat.png.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("C:\\Users\\ann\\offer.pdf", PDF, "offer.pdf"),
        ('a"<b>|c?.pdf', PDF, "abc.pdf"),
        ("line\nbreak.png", PNG, "linebreak.png"),
        ("", PNG, "file.png"),
        ("...", PDF, "file.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 116 + ".pdf"),
    ],
)
def test_the_name_people_see(given: str, content_type: str, shown: str) -> None:
    assert clean_name(given, content_type) == shown


@pytest.mark.parametrize(
    "size, shown", [(10, "1 KB"), (2048, "2 KB"), (1536 * 1024, "1.5 MB"), (MAX_BYTES, "10.0 MB")]
)
def test_sizes_read_as_people_say_them(size: int, shown: str) -> None:
    assert human_size(size) == shown
