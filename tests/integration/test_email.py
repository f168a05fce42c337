"""Email as a channel: unread-message emails on the product's timing (driven clock, two simulated
days, both databases), real SMTP out to a local aiosmtpd server, and replies by mail coming back in."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller

from adapters.email.reply_address import parse_reply_address, reply_address
from bot.bootstrap import Runtime, bootstrap
from bot.cli import demo
from bot.commands import MarkRead, PostMessage, RegisterGuest, StartConversation
from bot.model import Actor
from tests.support.identity import proven_guest

ALICE = Actor("agent", "alice", "Alice")


def outbox(runtime: Runtime) -> list[EmailMessage]:
    folder = Path(runtime.settings.data_dir) / "outbox"
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


def mails_to(runtime: Runtime, address: str) -> list[EmailMessage]:
    return [m for m in outbox(runtime) if address in str(m["To"]) and "new message" in str(m["Subject"])]


def digest_count(runtime: Runtime, kind: str, member_id: str) -> int:
    """Unread-message mails are files named after their stable Message-ID: cheap to count."""
    return len(list((Path(runtime.settings.data_dir) / "outbox").glob(f"digest-{kind}-{member_id}-*.eml")))


async def tick(runtime: Runtime) -> None:
    while await runtime.jobs.run_due():
        pass
    while await runtime.dispatcher.dispatch_once():
        pass


async def test_unread_emails_follow_the_timing_over_two_days(
    database_url: str, make_settings: Any, clock: Any
) -> None:
    settings = make_settings(database_url, run_workers=False)
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    ann = (await runtime.bus.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    start = clock.now()  # Monday 08:00 UTC
    posted = await runtime.bus.handle(StartConversation(ann.id, "<b>Hi</b> Alice", agent="alice"))
    cid = posted.conversation.id
    sent_at: list[timedelta] = []
    try:
        # Ann writes every hour for 40 hours; Alice (a member) reads nothing. The clock jumps to the
        # next thing that happens (a message or a due job), running jobs and delivering the outbox each
        # time, as the workers do: a mail can only go out when its job is due.
        hour = timedelta(hours=1)
        writes = [start + n * hour for n in range(1, 41)]
        restart, end = start + 10 * hour, start + 42 * hour
        while clock.now() < end:
            due = await runtime.storage.jobs.next_due()
            later = [t for t in [*writes, restart, end, due] if t is not None and t > clock.now()]
            clock.set(min(later))
            if clock.now() in writes:
                await runtime.bus.handle(PostMessage(cid, ann.actor, f"message at +{clock.now() - start}"))
            if clock.now() == restart:
                # A restart: a fresh runtime on the same database carries on where the last one was.
                await runtime.storage.dispose()
                runtime = bootstrap(settings, clock=clock)
            before = digest_count(runtime, "agent", "alice")
            await tick(runtime)
            if digest_count(runtime, "agent", "alice") > before:
                sent_at.append(clock.now() - start)
        h = lambda hours, minutes=5: timedelta(hours=hours, minutes=minutes)  # noqa: E731
        # First at 5 minutes, then 4 h, 4 h; nothing more that day; the same hours the next day.
        assert sent_at == [h(0), h(4), h(8), h(24), h(28), h(32)]

        # Alice reads everything: the timer resets, so the next message gets its mail within 5 minutes,
        # a 4th within 24 hours.
        await runtime.bus.handle(MarkRead(cid, ALICE, 10_000))
        clock.advance(minutes=25)
        await runtime.bus.handle(PostMessage(cid, ann.actor, "are you there?"))
        for _ in range(3):
            clock.advance(minutes=5)
            await tick(runtime)
        assert len(mails_to(runtime, "alice@example.com")) == 7
        assert not mails_to(runtime, "ann@example.org")  # she wrote them all: nothing unread for her

        mails = sorted(mails_to(runtime, "alice@example.com"), key=lambda m: str(m["Date"] or m["Subject"]))
        first = next(m for m in mails if "Hi" in m.get_body(("plain",)).get_content())
        plain = first.get_body(("plain",)).get_content()
        html = first.get_body(("html",)).get_content()
        assert "&lt;b&gt;Hi&lt;/b&gt; Alice" in html and "<b>Hi" not in html  # user text is escaped
        assert (
            f"http://convene.test/inbox/c/{cid}" in plain
            and f'href="http://convene.test/inbox/c/{cid}"' in html
        )
        assert parse_reply_address(runtime.config, str(first["Reply-To"])) == (cid, "agent", "alice")
        assert first["Subject"] == "1 new message in Ann"
        # Messages that arrived meanwhile are batched: the second mail carries 08:05 … 12:00's four.
        second = [m for m in mails if "message at +4:00:00" in m.get_body(("plain",)).get_content()]
        assert len(second) == 1 and second[0]["Subject"] == "4 new messages in Ann"
    finally:
        await runtime.storage.dispose()


async def test_who_gets_unread_emails(seeded: Runtime, clock: Any) -> None:
    runtime = seeded
    ann = await proven_guest(runtime, "Ann", "ann@example.org")
    cid = (await runtime.bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation.id
    clock.advance(minutes=10)
    await tick(runtime)
    # A new conversation to Sales as a whole: every member of Sales is told, nobody else.
    assert sorted(parseaddr(str(m["To"]))[1] for m in mails_to(runtime, "@")) == [
        "alice@example.com",
        "bob@example.com",
    ]
    for agent in ("alice", "bob"):
        await runtime.bus.handle(MarkRead(cid, Actor("agent", agent, agent.title()), 10_000))
    await runtime.bus.handle(PostMessage(cid, ALICE, "an internal note", internal=True))
    clock.advance(minutes=10)
    await tick(runtime)
    assert (
        mails_to(runtime, "ann@example.org") == []
    )  # guests never get internal notes; Alice wrote it herself
    await runtime.bus.handle(PostMessage(cid, ALICE, "Hello Ann"))
    clock.advance(minutes=4)
    await tick(runtime)
    assert mails_to(runtime, "ann@example.org") == []  # not before 5 minutes
    clock.advance(minutes=1)
    await tick(runtime)
    (mail,) = mails_to(runtime, "ann@example.org")
    assert parseaddr(str(mail["To"]))[1] == "ann@example.org" and mail["Subject"] == "1 new message in Sales"
    body = mail.get_body(("plain",)).get_content()
    assert "Hello Ann" in body and "internal note" not in body
    assert f"http://convene.test/c/{cid}" in body  # guests: the conversation's own page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collect:
    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
async def smtp_runtime(sqlite_url: str, make_settings: Any, clock: Any) -> Any:
    collect = Collect()
    controller = Controller(collect, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = make_settings(
        sqlite_url,
        run_workers=False,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_tls="none",
        mail_from="Convene <convene@mail.convene.test>",
        inbound_smtp_port=free_port(),
    )
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    await runtime.start_workers()  # starts the channels: the inbound endpoint among them
    await tick(runtime)
    assert len(collect.mails) == 4  # the demo's sign-in links went out over SMTP too
    collect.mails.clear()
    try:
        yield runtime, collect
    finally:
        await runtime.stop()
        controller.stop()


async def send_reply(runtime: Runtime, sender: str, to: str, text: str, message_id: str) -> None:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = to
    reply["Subject"] = "Re: 1 new message"
    reply["Message-ID"] = message_id
    reply.set_content(text)
    await aiosmtplib.send(
        reply, hostname="127.0.0.1", port=runtime.settings.inbound_smtp_port, start_tls=False, use_tls=False
    )


async def test_mail_goes_out_over_smtp_and_replies_by_mail_come_back(smtp_runtime: Any, clock: Any) -> None:
    runtime, collect = smtp_runtime
    ann = await proven_guest(runtime, "Ann", "ann@example.org")
    cid = (await runtime.bus.handle(StartConversation(ann.id, "Can we meet?", agent="alice"))).conversation.id
    clock.advance(minutes=5)
    await tick(runtime)
    ((sender, recipients, mail),) = collect.mails
    assert recipients == ["alice@example.com"] and "convene@mail.convene.test" in str(mail["From"])
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert f"http://convene.test/inbox/c/{cid}" in mail.get_body(("plain",)).get_content()
    reply_to = str(mail["Reply-To"])
    assert reply_to.endswith("@mail.convene.test") and reply_to == reply_address(
        runtime.config, cid, "agent", "alice"
    )

    quoted = "Sure, Tuesday works.\n\nOn Mon, 23 Nov 2026 at 08:05, Convene <convene@mail.convene.test> wrote:\n> -- Reply above this line --\n> Can we meet?\n"
    await send_reply(runtime, "Alice <alice@example.com>", reply_to, quoted, "<r1@example.com>")
    await send_reply(runtime, "Alice <alice@example.com>", reply_to, quoted, "<r1@example.com>")  # a retry
    async with runtime.uow(read_only=True) as uow:
        messages = await uow.messages.list(cid)
    assert [(m.author.key, m.text) for m in messages][-2:] == [
        (f"guest:{ann.id}", "Can we meet?"),
        ("agent:alice", "Sure, Tuesday works."),
    ]
    # Ann gets Alice's answer by mail five minutes later, and answers by mail herself.
    clock.advance(minutes=5)
    await tick(runtime)
    to_ann = [m for _, rcpt, m in collect.mails if rcpt == ["ann@example.org"]]
    assert len(to_ann) == 1 and "Sure, Tuesday works." in to_ann[0].get_body(("plain",)).get_content()
    await send_reply(
        runtime, "ann@example.org", str(to_ann[0]["Reply-To"]), "Great, thanks!", "<r2@example.org>"
    )
    async with runtime.uow(read_only=True) as uow:
        last = (await uow.messages.list(cid))[-1]
    assert (last.author.key, last.author.name, last.text) == (f"guest:{ann.id}", "Ann", "Great, thanks!")


@pytest.mark.parametrize(
    "sender, address",
    [
        ("mallory@example.org", "genuine"),  # not the member's address
        ("ann@example.org", "genuine"),  # another member's address: still not Alice
        ("alice@example.com", "forged"),  # a reply address whose signature does not match
        ("alice@example.com", "other-member"),  # signed, but for a member that is not in it
    ],
)
async def test_mail_from_anyone_but_that_member_is_refused(
    smtp_runtime: Any, clock: Any, sender: str, address: str
) -> None:
    runtime, _ = smtp_runtime
    ann = (await runtime.bus.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    cid = (await runtime.bus.handle(StartConversation(ann.id, "Hi", agent="alice"))).conversation.id
    genuine = reply_address(runtime.config, cid, "agent", "alice")
    to = {
        "genuine": genuine,
        "forged": genuine.split("@")[0].rsplit(".", 1)[0] + "." + "0" * 24 + "@mail.convene.test",
        "other-member": reply_address(runtime.config, cid, "agent", "carol"),
    }[address]
    async with runtime.uow(read_only=True) as uow:
        before = len(await uow.messages.list(cid))
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await send_reply(runtime, sender, to, "let me in", "<x@example.org>")
    assert refused.value.recipients[0].code == 550
    async with runtime.uow(read_only=True) as uow:
        assert len(await uow.messages.list(cid)) == before


async def test_a_meeting_mail_carries_an_ics_in_utc_with_its_sequence(smtp_runtime: Any) -> None:
    from datetime import UTC, datetime

    from icalendar import Calendar

    from bot.meetings.events import MeetingRescheduled
    from bot.model import Binding

    runtime, collect = smtp_runtime
    ann = await proven_guest(runtime, "Ann", "ann@example.org")
    berlin_ten = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    event = MeetingRescheduled(
        conversation_id="c-1",
        meeting_id="m-1",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id=ann.id,
        guest_name="Ann",
        guest_email="ann@example.org",
        subject="Demo",
        start=berlin_ten,
        end=berlin_ten + timedelta(minutes=30),
        sequence=2,
        by=ALICE,
        guest_timezone="Europe/Berlin",
        agent_timezone="Europe/Berlin",
        previous_start=berlin_ten - timedelta(days=1),
        previous_end=berlin_ten - timedelta(days=1, minutes=-30),
    )
    address = {"email": "ann@example.org", "name": "Ann", "role": "guest"}
    collect.mails.clear()
    await runtime.channels["email"].deliver(event, Binding("c-1", "email", address, id="direct-email-ann"))
    ((_, recipients, mail),) = collect.mails
    assert recipients == ["ann@example.org"]
    assert parse_reply_address(runtime.config, str(mail["Reply-To"])) == ("c-1", "guest", ann.id)
    (ics,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = ics.get_content()
    calendar = Calendar.from_ical(content if isinstance(content, bytes | str) else str(content))
    assert str(calendar["METHOD"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == berlin_ten and vevent.decoded("DTSTART").utcoffset() == timedelta(0)
    assert vevent.decoded("DTEND") == berlin_ten + timedelta(minutes=30)
    assert int(vevent["SEQUENCE"]) == 2
