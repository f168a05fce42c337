"""A line break in a name or subject used to poison every mail that quoted it: the booking's
confirmation and .ics never went out, and neither did the unread-message emails. Names and subjects
are cleaned where they enter the engine, and mail headers are built from cleaned values regardless."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.email.compose import conversation_mail, digest_mail
from adapters.email.meeting_mail import render_meeting_mail
from adapters.web.app import make_app
from bot.commands import AddMember, RegisterGuest, RenameConversation, StartConversation
from bot.errors import InvalidInput
from bot.events import UnreadDigestReady
from bot.meetings.events import MeetingBooked
from bot.model import Actor
from bot.names import clean_name, one_line
from tests.integration.meetings_support import book, drain, guest, meeting_mails

NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)
POISON = "Ann\r\nBcc: eve@evil.example"
ALICE = Actor("agent", "alice", "Alice")
CONFIG = {"public_url": "http://convene.test", "secret_key": "k" * 40, "mail_from": "C <c@convene.test>"}


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def test_a_booking_with_a_line_break_in_the_subject_mails_both_sides_the_ics(client: Any) -> None:
    """A name with a line break is refused where it enters (tests/integration/test_bad_names.py);
    a subject is cleaned, and the mails built from it still go out."""
    runtime = client.runtime
    ann = await guest(client, "Ann Bcc: eve@evil.example", "ann@example.org")
    r = await book(client, ann, "2026-10-26T08:00:00Z", subject="Demo\r\nX-Injected: yes")
    assert r.status == 201, await r.text()
    await drain(runtime)
    mails = {m.to: m for m in meeting_mails(runtime)}
    assert sorted(mails) == ['"Ann Bcc: eve@evil.example" <ann@example.org>', "Alice <alice@example.com>"]
    for mail in mails.values():
        assert mail.subject.startswith("Meeting booked: Demo X-Injected: yes — ")
        assert mail.method == "REQUEST"
        event = next(c for c in mail.ics.walk() if c.name == "VEVENT")
        assert str(event["SUMMARY"]) == "Demo X-Injected: yes"
    for path in (Path(runtime.settings.data_dir) / "outbox").glob("*.eml"):
        raw = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert raw["Bcc"] is None and raw["X-Injected"] is None
    async with runtime.storage.session() as s:
        from sqlalchemy import text

        undelivered = (
            await s.execute(
                text(
                    "SELECT event_type, last_error FROM outbox WHERE dispatched_at IS NULL AND event_type LIKE 'Meeting%'"
                )
            )
        ).all()
    assert undelivered == [], undelivered


async def test_titles_are_cleaned_and_names_with_control_characters_refused_where_they_enter(
    runtime: Any,
) -> None:
    from bot.cli import demo

    await demo(runtime)
    with pytest.raises(InvalidInput) as refused:
        await runtime.bus.handle(RegisterGuest("  Ann\tvon\n\nBerg\x00 ", "ann@example.org"))
    assert (refused.value.code, refused.value.details["field"]) == ("invalid_name", "name")
    session = await runtime.bus.handle(RegisterGuest("  Ann   von Berg ", "ann@example.org"))
    assert session.guest.name == "Ann von Berg"
    started = await runtime.bus.handle(StartConversation(session.guest.id, "Hi", agent="alice"))
    conversation_id = started.conversation.id
    renamed = await runtime.bus.handle(RenameConversation(conversation_id, ALICE, "Offer\r\nfor Ann"))
    assert renamed.title == "Offer for Ann"
    with pytest.raises(InvalidInput) as refused:
        await runtime.bus.handle(
            AddMember(conversation_id, by=ALICE, email="ben@example.org", name="Ben\u202e\r\nEvil")
        )
    assert refused.value.code == "invalid_name"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Ann\r\nBcc: eve@evil.example", "Ann Bcc: eve@evil.example"),
        ("  many   spaces\there ", "many spaces here"),
        ("Zoë 👩‍💻", "Zoë 👩‍💻"),  # joiners inside emoji stay
        ("line\u2028separator", "line separator"),
    ],
)
def test_one_line_keeps_printable_text_on_one_line(value: str, expected: str) -> None:
    assert one_line(value) == expected


@pytest.mark.parametrize(
    "value, code", [("  ", "empty_name"), ("\r\n\t", "invalid_name"), ("x" * 101, "name_too_long")]
)
def test_a_name_that_is_empty_or_longer_than_100_characters_is_refused(value: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_name(value)
    assert refused.value.code == code


def test_mails_built_from_rows_written_before_the_cleaning_do_not_fail() -> None:
    """Defence in depth: a name or title already stored with a line break still renders."""
    digest = digest_mail(
        CONFIG,
        UnreadDigestReady(
            conversation_id="",
            person_kind="guest",
            person_id="g1",
            name=POISON,
            email="ann@example.org",
            conversations=(
                {
                    "conversation_id": "c1",
                    "title": "Offer\r\nfor Ann",
                    "more": 0,
                    "messages": [{"seq": 1, "author": "Alice", "text": "Hi", "created_at": NOW.isoformat()}],
                },
            ),
            sent_at=NOW.isoformat(),
        ),
    )
    assert digest["Subject"] == "1 new message in Offer for Ann"
    assert "\n" not in digest["To"]
    booked = MeetingBooked(
        conversation_id="c1",
        meeting_id="m1",
        agent="alice",
        agent_name="Alice\nA.",
        agent_email="alice@example.com",
        guest_id="g1",
        guest_name=POISON,
        guest_email="ann@example.org",
        subject="Demo\r\nX: y",
        start=NOW,
        end=NOW.replace(hour=7),
        sequence=0,
        by=ALICE,
    )
    mail = render_meeting_mail(booked, "ann@example.org", POISON, "http://convene.test")
    assert mail["Subject"].startswith("Meeting booked: Demo X: y — ")
    assert bytes(mail)  # serialises: the .eml or SMTP send would not raise
    plain = conversation_mail(
        CONFIG,
        to_name=POISON,
        to_email="ann@example.org",
        subject="Re:\nsomething",
        paragraphs=["x"],
        conversation_id="c1",
        member_kind="guest",
        member_id="g1",
    )
    assert plain["Subject"] == "Re: something"
