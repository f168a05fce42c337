"""Scheduling by inviting the assistant, end to end: real MIME invitations as Outlook, Google Calendar
and Apple Calendar build them, mailed over SMTP to the inbound server, on both databases."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from icalendar import Calendar

from bot.assistant.commands import RedeemConversationInvitation
from bot.model import Member
from tests.integration.assistant.conftest import ASSISTANT, Mailroom
from tests.support.invitations import Invite, apple_mail, google_ics, google_mail, outlook_mail, winmail_mail

ALICE = ("Alice", "alice@example.com")  # an agent of the demo
BOB = ("Bob", "bob@example.com")  # another agent
ANN = ("Ann Example", "ann@example.org")  # a customer
UID = "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2"


def planning(**changes: Any) -> Invite:
    values: dict[str, Any] = dict(
        uid=UID,
        summary="Quarterly planning",
        start="20270329T090000",  # W. Europe Standard Time, the day after the spring DST change
        end="20270329T093000",
        organizer=ALICE,
        attendees=[ANN, BOB, ("Convene assistant", ASSISTANT)],
    )
    values.update(changes)
    return Invite(**values)


def to(mails: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [m for m in mails if address in str(m["To"])]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    return body.get_content() if body is not None else ""


async def state(room: Mailroom, uid: str = UID) -> tuple[Any, list[Member], list[str], list[Any]]:
    async with room.runtime.uow(read_only=True) as uow:
        meetings = await uow.assistant.instances(uid)
        if not meetings:
            return None, [], [], []
        conversation = await uow.conversations.get(meetings[0].conversation_id)
        members = await uow.conversations.members(conversation.id)
        messages = [m.text for m in await uow.messages.list(conversation.id)]
        return conversation, members, messages, meetings


async def test_an_outlook_invitation_opens_a_conversation_with_everyone_and_answers_the_calendar(
    mailroom: Mailroom,
) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))

    conversation, members, messages, (meeting,) = await state(mailroom)
    assert conversation.title == "Quarterly planning"
    assert {(m.kind, m.email) for m in members} == {
        ("agent", "alice@example.com"),
        ("agent", "bob@example.com"),
        ("guest", "ann@example.org"),
    }
    # 09:00 in W. Europe Standard Time on 2027-03-29 is summer time already: 07:00 UTC.
    assert (meeting.start, meeting.end) == (
        datetime(2027, 3, 29, 7, tzinfo=UTC),
        datetime(2027, 3, 29, 7, 30, tzinfo=UTC),
    )
    assert (meeting.uid, meeting.sequence, meeting.timezone) == (UID, 0, "Europe/Berlin")
    assert meeting.join_url.startswith("https://teams.microsoft.com/")
    assert any("Mon 29 Mar 2027, 09:00–09:30 (Europe/Berlin)" in m for m in messages)

    mails = mailroom.new_mails()
    alice = to(mails, "alice@example.com")
    opened = next(m for m in alice if str(m["Subject"]).startswith("Conversation ready"))
    found = re.search(r"assistant\+[0-9a-f]{32}@mail\.convene\.test", text_of(opened))
    assert found and f"http://convene.test/inbox/c/{conversation.id}" in text_of(opened)
    ready = next(m for m in alice if str(m["Subject"]) == "Meeting ready: Quarterly planning")
    assert "Mon 29 Mar 2027, 09:00–09:30 (Europe/Berlin)" in text_of(ready)
    (bob,) = to(mails, "bob@example.com")
    assert f"http://convene.test/inbox/c/{conversation.id}" in text_of(bob)
    (ann,) = to(mails, "ann@example.org")
    assert "http://convene.test/assistant/join?token=" in text_of(ann)

    # The calendar client gets the assistant's iTIP REPLY: accepted, same UID and SEQUENCE.
    (reply,) = [m for m in alice if m.get_content_type() != "text/plain" and _calendar(m)]
    itip = Calendar.from_ical(_calendar(reply))
    (event,) = itip.walk("VEVENT")
    assert str(itip["METHOD"]) == "REPLY" and str(event["UID"]) == UID and int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]).lower() == f"mailto:{ASSISTANT}"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert ASSISTANT in str(reply["From"])

    # Ann's one-time link signs her in as the guest with her email, once.
    token = re.search(r"token=([\w-]+)", text_of(ann)).group(1)  # type: ignore[union-attr]
    joined = await mailroom.runtime.bus.handle(RedeemConversationInvitation(token))
    assert joined.guest.email == "ann@example.org" and joined.conversation_id == conversation.id
    with pytest.raises(Exception) as again:
        await mailroom.runtime.bus.handle(RedeemConversationInvitation(token))
    assert getattr(again.value, "code", "") == "invalid_invitation_link"


def _calendar(mail: EmailMessage) -> bytes:
    for part in mail.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content.encode() if isinstance(content, str) else content
    return b""


async def test_a_higher_sequence_moves_the_meeting_and_a_repeat_changes_nothing(mailroom: Mailroom) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    mailroom.new_mails()

    moved = planning(sequence=1, start="20270330T140000", end="20270330T150000")
    await mailroom.send(outlook_mail(moved, ASSISTANT))
    _, _, messages, (meeting,) = await state(mailroom)
    assert meeting.start == datetime(2027, 3, 30, 12, tzinfo=UTC) and meeting.sequence == 1
    assert messages[-1] == (
        "“Quarterly planning” moved from Mon 29 Mar 2027, 09:00–09:30 (Europe/Berlin) "
        "to Tue 30 Mar 2027, 14:00–15:00 (Europe/Berlin)."
    )
    mails = mailroom.new_mails()
    assert [str(m["Subject"]) for m in to(mails, "ann@example.org")] == ["Moved: Quarterly planning"]
    assert [str(m["Subject"]) for m in to(mails, "bob@example.com")] == ["Moved: Quarterly planning"]

    # The same SEQUENCE again (a new Message-ID), and an older one: nothing changes, nobody is mailed.
    await mailroom.send(outlook_mail(moved, ASSISTANT))
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    _, _, after, (same,) = await state(mailroom)
    assert after == messages and same.start == meeting.start and mailroom.new_mails() == []


async def test_the_same_mail_twice_is_acted_on_once(mailroom: Mailroom) -> None:
    mail = outlook_mail(planning(), ASSISTANT)
    await mailroom.send(mail)
    first = mailroom.new_mails()
    await mailroom.send(mail)  # the same Message-ID: a redelivery
    _, _, messages, meetings = await state(mailroom)
    assert len(meetings) == 1 and len(messages) == 2 and first and mailroom.new_mails() == []


async def test_a_cancellation_becomes_a_notice_and_a_mail_to_the_members(mailroom: Mailroom) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    mailroom.new_mails()
    await mailroom.send(outlook_mail(planning(method="CANCEL", sequence=1), ASSISTANT))
    _, _, messages, (meeting,) = await state(mailroom)
    assert meeting.status == "cancelled"
    assert (
        messages[-1] == "“Quarterly planning” (Mon 29 Mar 2027, 09:00–09:30 (Europe/Berlin)) was cancelled."
    )
    assert [str(m["Subject"]) for m in to(mailroom.new_mails(), "ann@example.org")] == [
        "Cancelled: Quarterly planning"
    ]


async def test_removing_the_assistant_from_the_attendees_cancels_the_meeting(mailroom: Mailroom) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    await mailroom.send(outlook_mail(planning(sequence=1, attendees=[ANN, BOB]), ASSISTANT))
    _, _, messages, (meeting,) = await state(mailroom)
    assert meeting.status == "cancelled" and messages[-1].endswith("was cancelled.")


async def test_the_conversations_own_address_adds_a_meeting_and_takes_members_mail(
    mailroom: Mailroom,
) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    own = own_address(mailroom.new_mails())
    conversation, *_ = await state(mailroom)

    follow_up = planning(
        uid="7kukuqrfedlm2f9t0vdhtvm4q5@google.com",
        summary="Follow-up",
        start="20270405T080000Z",
        end="20270405T083000Z",
        attendees=[ANN, ("", own)],
    )
    await mailroom.send(google_mail(follow_up, own))
    again, _, messages, (meeting,) = await state(mailroom, follow_up.uid)
    assert again.id == conversation.id and meeting.start == datetime(2027, 4, 5, 8, tzinfo=UTC)
    assert messages[-1].startswith("Meeting “Follow-up”: Mon 05 Apr 2027, 08:00–08:30 (UTC)")
    mails = mailroom.new_mails()
    assert [str(m["Subject"]) for m in to(mails, "ann@example.org")] == ["New meeting: Follow-up"]
    assert [str(m["Subject"]) for m in to(mails, "bob@example.com")] == ["New meeting: Follow-up"]

    # Ann writes to the conversation's address: her words are posted as her; the quote is dropped.
    note = EmailMessage()
    note["From"] = "Ann Example <ann@example.org>"
    note["To"] = own
    note["Subject"] = "Re: Follow-up"
    note["Message-ID"] = "<note-1@example.org>"
    note.set_content("Can we add the budget?\n\nOn Mon, 5 Apr 2027, Alice wrote:\n> Follow-up")
    await mailroom.send(note)
    async with mailroom.runtime.uow(read_only=True) as uow:
        last = (await uow.messages.list(conversation.id))[-1]
    assert (last.author.kind, last.text) == ("guest", "Can we add the budget?")


async def test_mail_from_a_stranger_is_refused_at_the_smtp_level_and_creates_nothing(
    mailroom: Mailroom,
) -> None:
    stranger = planning(organizer=("Mallory", "mallory@example.net"))
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await mailroom.send(outlook_mail(stranger, ASSISTANT))
    (recipient,) = refused.value.recipients
    assert recipient.code == 550 and "only from members of the team" in recipient.message
    # An agent's envelope with a stranger as organiser: refused after the data, with the reason.
    with pytest.raises(aiosmtplib.SMTPDataError) as organiser:
        await mailroom.send(
            outlook_mail(stranger, ASSISTANT, sender="alice@example.com"), sender="alice@example.com"
        )
    assert organiser.value.code == 550 and "mallory@example.net is not one" in organiser.value.message
    assert (await state(mailroom))[0] is None and mailroom.new_mails() == []


async def test_a_broken_invitation_gets_an_explanation_and_nothing_is_stored(mailroom: Mailroom) -> None:
    broken = planning(summary="Budget").__dict__ | {}
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:broken-1\r\n"
        "SUMMARY:Budget\r\nORGANIZER:mailto:alice@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    await mailroom.send(apple_mail(Invite(**broken), ASSISTANT, ics=ics))
    (explanation,) = mailroom.new_mails()
    assert "alice@example.com" in str(explanation["To"]) and "no start time (DTSTART)" in text_of(explanation)
    assert str(explanation["Auto-Submitted"]) == "auto-replied"
    assert (await state(mailroom, "broken-1"))[0] is None

    # The server keeps running: the next, correct invitation works.
    await mailroom.send(apple_mail(planning(), ASSISTANT))
    assert (await state(mailroom))[3][0].start == datetime(2027, 3, 29, 7, tzinfo=UTC)


def own_address(mails: list[EmailMessage]) -> str:
    opened = next(m for m in mails if str(m["Subject"]).startswith("Conversation ready"))
    return re.search(r"assistant\+[0-9a-f]{32}@mail\.convene\.test", text_of(opened)).group(0)  # type: ignore[union-attr]


async def test_an_attendees_answer_to_the_conversations_address_becomes_a_notice(mailroom: Mailroom) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    own = own_address(mailroom.new_mails())
    answer = planning(method="REPLY", organizer=ALICE, attendees=[ANN], partstats={ANN[1]: "DECLINED"})
    await mailroom.send(outlook_mail(answer, own, sender=ANN[1]), sender=ANN[1])
    _, _, messages, _ = await state(mailroom)
    assert messages[-1] == "Ann Example declined “Quarterly planning”."


async def test_a_moved_instance_of_a_series_changes_only_that_instance(
    mailroom: Mailroom, clock: Any
) -> None:
    series = planning(rrule="FREQ=WEEKLY;COUNT=4")
    await mailroom.send(outlook_mail(series, ASSISTANT))
    moved = planning(
        recurrence_id="20270405T090000", start="20270406T100000", end="20270406T103000", sequence=1
    )
    await mailroom.send(outlook_mail(moved, ASSISTANT))
    _, _, messages, meetings = await state(mailroom)
    whole, instance = meetings  # the series ("") sorts before its instance
    assert whole.rrule == "FREQ=WEEKLY;COUNT=4" and whole.start == datetime(2027, 3, 29, 7, tzinfo=UTC)
    assert instance.start == datetime(2027, 4, 6, 8, tzinfo=UTC) and instance.instance.startswith(
        "2027-04-05T07:00"
    )
    assert "moved from Mon 05 Apr 2027, 09:00–09:30 (Europe/Berlin)" in messages[-1]


async def test_a_reminder_goes_out_before_the_meeting(mailroom: Mailroom, clock: Any) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    mailroom.new_mails()
    clock.set(datetime(2027, 3, 29, 6, 45, tzinfo=UTC))  # the demo agents' reminder: 15 minutes before
    await mailroom.settle()
    _, _, messages, _ = await state(mailroom)
    assert messages[-1].startswith("Reminder: “Quarterly planning” starts in 15 minutes")
    assert {str(m["Subject"]) for m in mailroom.new_mails()} == {"Reminder: Quarterly planning"}


async def test_winmail_dat_and_oversized_mail_are_answered_in_plain_words(mailroom: Mailroom) -> None:
    await mailroom.send(winmail_mail(planning(), ASSISTANT))
    (tnef,) = mailroom.new_mails()
    assert "winmail.dat" in text_of(tnef) and "switch the message format to HTML" in text_of(tnef)

    large = outlook_mail(planning(), ASSISTANT)
    large.add_attachment(
        b"\0" * (2 * 1024 * 1024), maintype="application", subtype="pdf", filename="deck.pdf"
    )
    await mailroom.send(large)
    (too_large,) = mailroom.new_mails()
    assert "larger than 2 MB" in text_of(too_large)
    assert (await state(mailroom))[0] is None


async def test_behind_a_trusted_relay_only_mail_with_its_dmarc_pass_counts(dmarc_mailroom: Mailroom) -> None:
    forged = outlook_mail(planning(), ASSISTANT)
    forged["Authentication-Results"] = "mx.attacker.test; dmarc=pass header.from=example.com"
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await dmarc_mailroom.send(forged)
    assert refused.value.code == 550 and "DMARC" in refused.value.message

    vouched = outlook_mail(planning(), ASSISTANT)
    vouched["Authentication-Results"] = (
        "mx.convene.test; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; "
        "dmarc=pass (p=reject) header.from=example.com"
    )
    await dmarc_mailroom.send(vouched)
    assert (await state(dmarc_mailroom))[0].title == "Quarterly planning"


async def test_a_participants_one_time_link_signs_them_in_over_http(mailroom: Mailroom) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.web.app import make_app

    await mailroom.send(google_mail(planning(start="20270329T070000Z", end="20270329T073000Z"), ASSISTANT))
    (ann,) = to(mailroom.new_mails(), "ann@example.org")
    token = re.search(r"token=([\w-]+)", text_of(ann)).group(1)  # type: ignore[union-attr]
    async with TestClient(TestServer(make_app(mailroom.runtime, manage_workers=False))) as client:
        page = await client.get(f"/assistant/join?token={token}")
        assert page.status == 200 and token in await page.text()  # a GET spends nothing
        joined = await client.post("/api/assistant/join", json={"token": token})
        body = await joined.json()
        assert joined.status == 200 and body["location"] == f"/c/{body['conversation_id']}"
        me = await client.get(
            "/api/guest/me", headers={"Authorization": f"Bearer {body['session']['token']}"}
        )
        assert (await me.json())["email"] == "ann@example.org"
        again = await client.post("/api/assistant/join", json={"token": token})
        assert again.status == 401 and (await again.json())["code"] == "invalid_invitation_link"


async def test_a_cancelled_instance_leaves_the_rest_of_the_series(mailroom: Mailroom) -> None:
    await mailroom.send(outlook_mail(planning(rrule="FREQ=WEEKLY;COUNT=4"), ASSISTANT))
    one = planning(
        method="CANCEL", recurrence_id="20270405T090000", start="20270405T090000", end="20270405T093000"
    )
    await mailroom.send(outlook_mail(replace(one, sequence=1), ASSISTANT))
    _, _, messages, (whole, instance) = await state(mailroom)
    assert whole.status == "active" and instance.status == "cancelled"
    assert messages[-1] == (
        "This occurrence of “Quarterly planning” (Mon 05 Apr 2027, 09:00–09:30 (Europe/Berlin)) was cancelled."
    )


async def test_an_attendee_added_later_joins_and_is_invited(mailroom: Mailroom) -> None:
    await mailroom.send(outlook_mail(planning(), ASSISTANT))
    mailroom.new_mails()
    carl = ("Carl Customer", "carl@example.org")
    await mailroom.send(
        outlook_mail(planning(sequence=1, attendees=[ANN, BOB, carl, ("", ASSISTANT)]), ASSISTANT)
    )
    _, members, messages, _ = await state(mailroom)
    assert ("guest", "carl@example.org") in {(m.kind, m.email) for m in members}
    assert "Alice invited Carl Customer to the meeting." in messages
    (invitation,) = to(mailroom.new_mails(), "carl@example.org")
    assert "/assistant/join?token=" in text_of(invitation)


async def test_behind_the_relay_a_rewritten_envelope_is_fine_and_the_from_header_decides(
    dmarc_mailroom: Mailroom,
) -> None:
    forwarded = outlook_mail(planning(), ASSISTANT)
    forwarded["Authentication-Results"] = "mx.convene.test; dmarc=pass header.from=example.com"
    await dmarc_mailroom.send(forwarded, sender="SRS0=ab12=XY=example.com=alice@forwarder.example.com")
    assert (await state(dmarc_mailroom))[0].title == "Quarterly planning"

    stranger = outlook_mail(planning(uid="x-1", organizer=("Mallory", "mallory@example.net")), ASSISTANT)
    stranger["Authentication-Results"] = "mx.convene.test; dmarc=pass header.from=example.net"
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await dmarc_mailroom.send(stranger, sender="mallory@example.net")
    assert refused.value.code == 550 and "mallory@example.net is not one" in refused.value.message


async def test_a_series_reminds_before_each_occurrence_at_its_wall_clock_time(
    mailroom: Mailroom, clock: Any
) -> None:
    # Fridays at 09:00 Berlin: 26 Mar is winter time (08:00 UTC), 2 Apr summer time (07:00 UTC).
    await mailroom.send(
        outlook_mail(
            planning(start="20270326T090000", end="20270326T093000", rrule="FREQ=WEEKLY;COUNT=2"), ASSISTANT
        )
    )
    reminders = []
    for moment in [datetime(2027, 3, 26, 7, 45, tzinfo=UTC), datetime(2027, 4, 2, 6, 45, tzinfo=UTC)]:
        clock.set(moment)
        await mailroom.settle()
        reminders.append((await state(mailroom))[2][-1])
    assert reminders == [
        "Reminder: “Quarterly planning” starts in 15 minutes (Fri 26 Mar 2027, 09:00–09:30 (Europe/Berlin)).",
        "Reminder: “Quarterly planning” starts in 15 minutes (Fri 02 Apr 2027, 09:00–09:30 (Europe/Berlin)).",
    ]
    clock.set(datetime(2027, 4, 9, 6, 45, tzinfo=UTC))  # COUNT=2: the series is over
    await mailroom.settle()
    assert (await state(mailroom))[2][-1] == reminders[-1]


async def test_a_series_invited_with_a_changed_instance_records_both_quietly(mailroom: Mailroom) -> None:
    # Google sends a series with its exceptions as several VEVENTs in one REQUEST.
    series = google_ics(
        planning(start="20270329T070000Z", end="20270329T073000Z", rrule="FREQ=WEEKLY;COUNT=3")
    )
    instance = google_ics(
        planning(
            start="20270406T080000Z", end="20270406T083000Z", recurrence_id="20270405T070000Z", sequence=1
        )
    )
    vevent = instance[instance.index("BEGIN:VEVENT") : instance.index("END:VCALENDAR")]
    ics = series.replace("END:VCALENDAR", vevent + "END:VCALENDAR")
    await mailroom.send(google_mail(planning(), ASSISTANT, ics=ics))
    _, _, messages, (whole, moved) = await state(mailroom)
    assert whole.rrule == "FREQ=WEEKLY;COUNT=3" and moved.start == datetime(2027, 4, 6, 8, tzinfo=UTC)
    assert not any("moved" in m for m in messages)
    assert not [m for m in mailroom.new_mails() if str(m["Subject"]).startswith("Moved")]
