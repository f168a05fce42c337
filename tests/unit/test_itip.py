"""Invitations as Outlook, Google Calendar and Apple Calendar mail them → the fields the engine gets.

Each row is one client flavour; the expected start and end are UTC. The spring DST change in Central
Europe is 2027-03-28 and the autumn one 2027-10-31, so the rows around them pin down the offsets.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduling.itip import CalendarEvent, InvitationError, Person, build_reply, parse_calendar, parse_message
from tests.support.invitations import (
    Invite,
    apple_mail,
    google_mail,
    outlook_ics,
    outlook_mail,
    winmail_mail,
)

ALICE = ("Alice Agent", "alice@example.com")
ANN = ("Ann, Example", "ann@example.org")
ASSISTANT = "assistant@mail.convene.test"


def invite(start: str, end: str, **extra: object) -> Invite:
    return Invite(
        uid="040000008200E00074C5B7101A82E00800000000D0B4C8F6B2D3DB01000000000000000010000000C4A8",
        summary="Quarterly planning",
        start=start,
        end=end,
        organizer=ALICE,
        attendees=[ANN, ("Assistant", ASSISTANT)],
        **extra,  # type: ignore[arg-type]
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "flavour, build, expected_start, expected_end, zone",
    [
        (
            "Outlook, W. Europe Standard Time, the day after spring forward",
            lambda: outlook_mail(invite("20270329T090000", "20270329T093000"), ASSISTANT),
            utc(2027, 3, 29, 7, 0),
            utc(2027, 3, 29, 7, 30),
            "Europe/Berlin",
        ),
        (
            "Outlook, the Friday before spring forward (still winter time)",
            lambda: outlook_mail(invite("20270326T090000", "20270326T100000"), ASSISTANT),
            utc(2027, 3, 26, 8, 0),
            utc(2027, 3, 26, 9, 0),
            "Europe/Berlin",
        ),
        (
            "Outlook, the day after fall back (winter time again)",
            lambda: outlook_mail(invite("20271101T090000", "20271101T093000"), ASSISTANT),
            utc(2027, 11, 1, 8, 0),
            utc(2027, 11, 1, 8, 30),
            "Europe/Berlin",
        ),
        (
            "Outlook, the Friday before fall back (summer time)",
            lambda: outlook_mail(invite("20271029T090000", "20271029T093000"), ASSISTANT),
            utc(2027, 10, 29, 7, 0),
            utc(2027, 10, 29, 7, 30),
            "Europe/Berlin",
        ),
        (
            "Google Calendar, UTC times, quoted-printable plus an invite.ics attachment",
            lambda: google_mail(invite("20270329T070000Z", "20270329T073000Z"), ASSISTANT),
            utc(2027, 3, 29, 7, 0),
            utc(2027, 3, 29, 7, 30),
            "UTC",
        ),
        (
            "Apple Calendar, Europe/Berlin with its VTIMEZONE, as an attachment",
            lambda: apple_mail(invite("20271101T090000", "20271101T100000"), ASSISTANT),
            utc(2027, 11, 1, 8, 0),
            utc(2027, 11, 1, 9, 0),
            "Europe/Berlin",
        ),
        (
            "Apple Calendar, floating times: the organiser's zone places them",
            lambda: apple_mail(invite("20270329T090000", "20270329T093000"), ASSISTANT, floating=True),
            utc(2027, 3, 29, 7, 0),
            utc(2027, 3, 29, 7, 30),
            "Europe/Berlin",
        ),
    ],
)
def test_each_client_flavour_comes_out_in_utc(
    flavour: str, build: object, expected_start: datetime, expected_end: datetime, zone: str
) -> None:
    raw = bytes(build())  # type: ignore[operator]
    parsed = parse_message(raw, floating_zone="Europe/Berlin")
    (event,) = parsed.events
    assert (parsed.method, event.start, event.end, event.timezone) == (
        "REQUEST",
        expected_start,
        expected_end,
        zone,
    )
    assert event.uid == invite("", "").uid  # folded over two lines by Outlook, whole again here
    assert event.summary == "Quarterly planning"
    assert parsed.sender == "alice@example.com"


@pytest.mark.parametrize(
    "build, organizer_name, ann_name, ann_partstat, join_url",
    [
        (outlook_mail, "Alice Agent", "Ann, Example", "NEEDS-ACTION", "https://teams.microsoft.com/"),
        (
            google_mail,
            "alice@example.com",
            "Ann, Example",
            "NEEDS-ACTION",
            "https://meet.google.com/abc-defg-hij",
        ),
        (apple_mail, "Alice Agent", "Ann, Example", "NEEDS-ACTION", ""),  # no PARTSTAT at all
    ],
)
def test_people_come_out_with_names_and_answers(
    build: object, organizer_name: str, ann_name: str, ann_partstat: str, join_url: str
) -> None:
    raw = bytes(build(invite("20270329T090000", "20270329T093000"), ASSISTANT))  # type: ignore[operator]
    (event,) = parse_message(raw, floating_zone="Europe/Berlin").events
    assert event.organizer == Person("alice@example.com", organizer_name, "NEEDS-ACTION")
    assert event.attendee("ANN@example.org") == Person("ann@example.org", ann_name, ann_partstat)
    assert event.attendee(ASSISTANT) is not None
    assert event.join_url.startswith(join_url)


def test_a_series_keeps_its_rule_and_an_instance_names_its_original_start() -> None:
    series = parse_message(
        bytes(
            outlook_mail(
                invite("20270329T090000", "20270329T093000", rrule="FREQ=WEEKLY;COUNT=10"), ASSISTANT
            )
        )
    ).events[0]
    moved = parse_message(
        bytes(
            outlook_mail(
                invite("20270406T100000", "20270406T103000", recurrence_id="20270405T090000", sequence=1),
                ASSISTANT,
            )
        )
    ).events[0]
    assert series.rrule == "FREQ=WEEKLY;COUNT=10" and series.recurrence_id is None
    assert moved.recurrence_id == utc(2027, 4, 5, 7, 0) and moved.start == utc(2027, 4, 6, 8, 0)


@pytest.mark.parametrize(
    "what, ics, code",
    [
        (
            "no DTSTART",
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "missing_dtstart",
        ),
        (
            "no UID",
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270329T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "missing_uid",
        ),
        (
            "broken folding",
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270329T070000Z\r\nSUMMARY:a long line that\r\n"
            "was not folded\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "broken_folding",
        ),
        (
            "an unknown zone without a VTIMEZONE",
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Olympus Mons Time:20270329T090000\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "unknown_timezone",
        ),
        ("no calendar at all", "this is not iCalendar", "unreadable_calendar"),
    ],
)
def test_invalid_invitations_are_refused_with_a_reason(what: str, ics: str, code: str) -> None:
    with pytest.raises(InvitationError) as refused:
        parse_calendar(ics, method="REQUEST")
    assert refused.value.code == code and refused.value.message


def test_a_windows_zone_without_its_vtimezone_still_maps_through_cldr() -> None:
    ics = outlook_ics(invite("20270329T090000", "20270329T093000"))
    start, end = ics.index("BEGIN:VTIMEZONE"), ics.index("END:VTIMEZONE") + len("END:VTIMEZONE\r\n")
    (event,) = parse_calendar(ics[:start] + ics[end:]).events
    assert event.start == utc(2027, 3, 29, 7, 0) and event.timezone == "Europe/Berlin"


def test_winmail_dat_and_oversized_mails_are_explained() -> None:
    with pytest.raises(InvitationError) as tnef:
        parse_message(bytes(winmail_mail(invite("20270329T090000", "20270329T093000"), ASSISTANT)))
    with pytest.raises(InvitationError) as large:
        parse_message(b"Subject: x\r\n\r\n" + b"a" * (2 * 1024 * 1024 + 1))
    assert tnef.value.code == "winmail_dat" and "winmail.dat" in tnef.value.message
    assert large.value.code == "too_large"


def test_the_reply_accepts_for_the_assistant_only() -> None:
    event = CalendarEvent(
        uid="u1",
        sequence=2,
        summary="Planning",
        start=utc(2027, 3, 29, 7),
        end=utc(2027, 3, 29, 8),
        timezone="Europe/Berlin",
        organizer=Person("alice@example.com", "Alice"),
    )
    reply = parse_calendar(build_reply(event, Person(ASSISTANT, "Assistant"), "ACCEPTED", utc(2027, 3, 1)))
    (answered,) = reply.events
    assert reply.method == "REPLY" and answered.sequence == 2 and answered.uid == "u1"
    assert answered.attendees == (Person(ASSISTANT, "Assistant", "ACCEPTED"),)
