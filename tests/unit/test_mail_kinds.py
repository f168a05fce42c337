"""Every kind of mail Convene writes, as the mailer writes it to the outbox folder and a client reads it
back: a Date and a Message-ID on our mail domain, the business as the sender's name, a plain-text part
and its HTML twin (the business on top, one button for the main link), times in the reader's own zone
first (across a daylight-saving change that Berlin and New York make a week apart), and a one-click
unsubscribe on unread-message mails."""

from __future__ import annotations

import asyncio
import email
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.email import assistant_mail, calendar_mail, compose, invitation_mail
from adapters.email.channel import Mailer
from adapters.email.meeting_mail import render_meeting_mail
from bot.assistant.events import InvitationRefused
from bot.calendars.connections import CalendarConnectionBroken
from bot.events import LoginLinkIssued, UnreadDigestReady
from bot.identity import EmailProofIssued
from bot.invitations.events import InvitationBooked, InvitationSent
from bot.meetings.events import MeetingBooked, MeetingCancelled, MeetingRescheduled, ReminderDue
from bot.model import Actor
from tests.conftest import DrivenClock

NOW = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
# Wed 28 Oct 2026 09:00 UTC: Berlin is back on CET (UTC+1) since the 25th, New York still on EDT (UTC-4)
# until 1 November, so 10:00 in Berlin is 05:00 in New York (five hours apart, not the usual six).
ACROSS = datetime(2026, 10, 28, 9, 0, tzinfo=UTC)
ALICE, ANN = Actor("agent", "alice", "Alice"), Actor("guest", "g1", "Ann")


def config(tmp_path: Path) -> dict[str, Any]:
    return {
        "public_url": "https://chat.acme.test",
        "secret_key": "s3cret",
        "mail_from": "Convene <convene@mail.acme.test>",
        "mail_from_name": "Acme Sales",
        "data_dir": str(tmp_path),
        "clock": DrivenClock(NOW),
        "assistant_address": "assistant@mail.acme.test",
    }


def meeting(kind: type, start: datetime = ACROSS, **extra: Any) -> Any:
    return kind(
        conversation_id="c1",
        meeting_id="m1",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@acme.test",
        guest_id="g1",
        guest_name="Ann",
        guest_email="ann@example.org",
        subject="Demo",
        start=start,
        end=start + timedelta(minutes=30),
        sequence=2,
        by=ALICE,
        agent_timezone="Europe/Berlin",
        guest_timezone="America/New_York",
        **extra,
    )


def to_guest(kind: type, **extra: Any) -> Callable[[dict[str, Any]], EmailMessage]:
    return lambda c: render_meeting_mail(
        meeting(kind, **extra), "ann@example.org", "Ann", c["public_url"], config=c
    )


def digest(conversations: int) -> UnreadDigestReady:
    items = tuple(
        {
            "conversation_id": f"c{n}",
            "title": f"Topic {n}",
            "more": 0,
            "messages": [
                {"seq": 1, "author": "Alice", "text": "Hi <there>", "created_at": ACROSS.isoformat()}
            ],
        }
        for n in range(1, conversations + 1)
    )
    return UnreadDigestReady(
        conversation_id="",
        person_kind="guest",
        person_id="g1",
        name="Ann",
        email="ann@example.org",
        conversations=items,
        sent_at=NOW.isoformat(),
        timezone="America/New_York",
    )


# (kind, how to write it, the main link, the reader's zone first or None)
KINDS: list[tuple[str, Callable[[dict[str, Any]], EmailMessage], str, str | None]] = [
    ("meeting booked", to_guest(MeetingBooked), "/c/c1", "05:00–05:30 (America/New_York)"),
    (
        "meeting rescheduled",
        to_guest(MeetingRescheduled, previous_start=NOW, previous_end=NOW + timedelta(minutes=30)),
        "/c/c1",
        "05:00–05:30 (America/New_York)",
    ),
    ("meeting cancelled", to_guest(MeetingCancelled), "/c/c1", "05:00–05:30 (America/New_York)"),
    ("reminder", to_guest(ReminderDue), "/c/c1", "05:00–05:30 (America/New_York)"),
    (
        "meeting booked, to the agent",
        lambda c: render_meeting_mail(
            meeting(MeetingBooked), "alice@acme.test", "Alice", c["public_url"], config=c
        ),
        "/inbox/c/c1",
        "10:00–10:30 (Europe/Berlin)",
    ),
    (
        "unread digest, one conversation",
        lambda c: compose.digest_mail(c, digest(1)),
        "/c/c1",
        "05:00 America/New_York",
    ),
    (
        "unread digest, several",
        lambda c: compose.digest_mail(c, digest(2)),
        "/c/c2",
        "05:00 America/New_York",
    ),
    (
        "sign-in link",
        lambda c: compose.login_mail(c, LoginLinkIssued("", "alice@acme.test", "Alice", "tok")),
        "/inbox/login?token=tok",
        None,
    ),
    (
        "invitation to a conversation",
        lambda c: compose.proof_mail(c, EmailProofIssued("", "g1", "ann@example.org", "tok", "c1", "Alice")),
        "/c/c1?email_link=tok",
        None,
    ),
    (
        "continue on another device",
        lambda c: compose.proof_mail(
            c, EmailProofIssued("", "g1", "ann@example.org", "tok", "c1", purpose="continue")
        ),
        "/c/c1?email_link=tok",
        None,
    ),
    (
        "confirm an address",
        lambda c: compose.proof_mail(c, EmailProofIssued("", "g1", "ann@example.org", "tok", "c1")),
        "/c/c1?email_link=tok",
        None,
    ),
    (
        "invitation to self-schedule",
        lambda c: invitation_mail.render_invitation_mail(
            c,
            InvitationSent(
                conversation_id="c1",
                invitation_id="i1",
                sending_id="s1",
                token="itok",
                organizer_name="Alice",
                organizer_email="alice@acme.test",
                guest_name="Ann",
                guest_email="ann@example.org",
                subject="Demo",
                duration=30,
                description="",
                timezone="America/New_York",
                promoted=(ACROSS.isoformat(),),
                by=ALICE,
            ),
        ),
        "/invite/itok",
        "Wed 28 Oct 2026, 05:00 (America/New_York",
    ),
    (
        "invitation booked, to a team member",
        lambda c: invitation_mail.render_member_mail(
            InvitationBooked(
                conversation_id="c1",
                invitation_id="i1",
                meeting_id="m1",
                subject="Demo",
                start=ACROSS,
                end=ACROSS + timedelta(minutes=30),
                sequence=1,
                guest_name="Ann",
                guest_email="ann@example.org",
                organizer_name="Alice",
                organizer_email="alice@acme.test",
                members=(("Bob", "bob@acme.test", "America/New_York"),),
            ),
            {"email": "bob@acme.test", "name": "Bob", "timezone": "America/New_York"},
            c,
        ),
        "/inbox/c/c1",
        "05:00–05:30 (America/New_York)",
    ),
    (
        "calendar disconnected",
        lambda c: calendar_mail.calendar_disconnected_mail(
            CalendarConnectionBroken(
                agent="alice",
                agent_name="Alice",
                agent_email="alice@acme.test",
                provider="google",
                reason="access revoked",
                reconnect_url="https://chat.acme.test/calendar/connect",
            ),
            c,
        ),
        "/calendar/connect",
        None,
    ),
    (
        "the assistant could not schedule",
        lambda c: assistant_mail.refused_mail(
            c,
            InvitationRefused(
                email="ann@example.org", name="Ann", subject="Demo", code="no_time", reason="No time."
            ),
        ),
        "",
        None,
    ),
]


def sent(tmp_path: Path, write: Callable[[dict[str, Any]], EmailMessage]) -> EmailMessage:
    """Written by the real mailer into the outbox folder and parsed back from the ``.eml`` file."""
    c = config(tmp_path)
    asyncio.run(Mailer(c).send(write(c)))
    (path,) = sorted((tmp_path / "outbox").glob("*.eml"))
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize("kind, write, link, first_zone", KINDS, ids=[k[0] for k in KINDS])
def test_every_mail_kind_has_date_message_id_the_business_as_sender_and_two_parts(
    tmp_path: Path,
    kind: str,
    write: Callable[[dict[str, Any]], EmailMessage],
    link: str,
    first_zone: str | None,
) -> None:
    mail = sent(tmp_path, write)
    assert parsedate_to_datetime(mail["Date"]) == NOW
    assert re.fullmatch(r"<[^<>@\s]+@mail\.acme\.test>", mail["Message-ID"]), mail["Message-ID"]
    if kind != "the assistant could not schedule":  # that one comes from the assistant's own address
        assert parseaddr(mail["From"]) == ("Acme Sales", "convene@mail.acme.test")
    bodies = [p for p in mail.walk() if p.get_content_type() == "multipart/alternative"]
    assert bodies, "text and HTML are alternatives of each other"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Acme Sales" in html.split("<body", 1)[1][:900]  # the business on top
    assert 'name="color-scheme"' in html and "<table" in html
    if link:
        assert link in text and f'href="https://chat.acme.test{link}"'.replace("&", "&amp;") in html
        assert 'class="button"' in html or kind == "unread digest, several"  # a link per conversation
    if first_zone:
        assert first_zone in text and first_zone in html
    assert "<there>" not in html  # the guest's words are text in the HTML, never markup


def test_a_guest_in_new_york_reads_a_berlin_meeting_in_her_zone_first_across_the_dst_change(
    tmp_path: Path,
) -> None:
    week_before = ACROSS - timedelta(days=7, hours=1)  # 10:00 CEST in Berlin, 04:00 EDT: six hours apart
    for start, line in [
        (ACROSS, "When: Wed 28 Oct 2026 05:00–05:30 (America/New_York) · 10:00–10:30 Europe/Berlin"),
        (week_before, "When: Wed 21 Oct 2026 04:00–04:30 (America/New_York) · 10:00–10:30 Europe/Berlin"),
    ]:
        c = config(tmp_path)
        mail = render_meeting_mail(meeting(MeetingBooked, start), "ann@example.org", "Ann", "", config=c)
        assert line in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        agent = render_meeting_mail(meeting(MeetingBooked, start), "alice@acme.test", "Alice", "", config=c)
        text = agent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "When: Wed " in text and "10:00–10:30 (Europe/Berlin) · " in text  # the host reads hers first


def test_unread_message_mails_carry_a_one_click_unsubscribe(tmp_path: Path) -> None:
    for conversations in (1, 2):
        mail = sent(
            tmp_path / str(conversations), lambda c, n=conversations: compose.digest_mail(c, digest(n))
        )
        target = mail["List-Unsubscribe"]
        assert re.fullmatch(
            r"<https://chat\.acme\.test/unsubscribe/unread\?kind=guest&id=g1&sig=\w+>", target
        )
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert target.strip("<>").replace("&", "&amp;") in html  # and a visible way out


def test_the_sender_name_is_read_once_in_settings_and_defaults_to_the_name_in_mail_from() -> None:
    from bot.settings import Settings

    assert Settings().plugin_config()["mail_from_name"] == "Convene"
    assert Settings(mail_from="Acme <a@acme.test>").plugin_config()["mail_from_name"] == "Acme"
    named = Settings(mail_from="Acme <a@acme.test>", mail_from_name="Acme Sales")
    assert named.plugin_config()["mail_from_name"] == "Acme Sales"
