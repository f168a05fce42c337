"""iCalendar out, read back with icalendar the way a mail client would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from scheduling.calendar import Attendee, EventSpec
from scheduling.errors import SchedulingError
from scheduling.ics import (
    agent_feed,
    build_ics,
    google_calendar_link,
    meeting_uid,
    outlook_calendar_link,
    single_event,
)

BERLIN_SUMMER = timezone(timedelta(hours=2))
START = datetime(2026, 6, 5, 15, 0, tzinfo=BERLIN_SUMMER)  # 13:00Z
STAMP = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def invitation(method="REQUEST", sequence=0, **kw) -> Calendar:
    data = build_ics(
        method=method,
        uid=meeting_uid("m-42"),
        sequence=sequence,
        subject="Demo, Q&A; pricing",
        start=START,
        end=START + timedelta(minutes=45),
        organizer=("Alice Agent", "alice@example.com"),
        attendees=[("Ben Guest", "ben@example.org"), ("Chloé, Ops", "chloe@example.org")],
        dtstamp=STAMP,
        **kw,
    )
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def only_event(cal: Calendar):
    (event,) = cal.walk("VEVENT")
    return event


def test_request_carries_utc_times_sequence_and_people():
    cal = invitation(sequence=2, description="Bring questions.\nSecond line", url="https://convene.test/m/42")
    assert (str(cal["METHOD"]), str(cal["PRODID"]), str(cal["VERSION"])) == (
        "REQUEST",
        "-//Convene//EN",
        "2.0",
    )
    event = only_event(cal)
    assert event.decoded("DTSTART") == datetime(2026, 6, 5, 13, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 6, 5, 13, 45, tzinfo=UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0) and event.decoded("DTSTAMP") == STAMP
    assert event["SEQUENCE"] == 2 and str(event["UID"]) == "m-42@convene"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Demo, Q&A; pricing"
    assert str(event["DESCRIPTION"]) == "Bring questions.\nSecond line"
    assert str(event["URL"]) == "https://convene.test/m/42"
    assert (
        str(event["ORGANIZER"]) == "mailto:alice@example.com"
        and event["ORGANIZER"].params["CN"] == "Alice Agent"
    )
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees["mailto:chloe@example.org"]["CN"] == "Chloé, Ops"
    assert attendees["mailto:ben@example.org"]["RSVP"] == "TRUE"


def test_raw_text_is_in_utc():
    raw = build_ics(
        method="REQUEST",
        uid="x@convene",
        sequence=0,
        subject="s",
        start=START,
        end=START + timedelta(minutes=30),
        organizer=("", "a@example.com"),
        attendees=[],
        dtstamp=STAMP,
    ).decode()
    assert "DTSTART:20260605T130000Z" in raw and "DTEND:20260605T133000Z" in raw
    assert "VTIMEZONE" not in raw


def test_cancel_is_marked_cancelled_with_a_higher_sequence():
    cal = invitation(method="CANCEL", sequence=3)
    event = only_event(cal)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 3
    assert str(event["UID"]) == "m-42@convene"


@pytest.mark.parametrize(
    "change, code",
    [
        ({"method": "PUBLISH"}, "invalid_method"),
        ({"end": START}, "invalid_range"),
        ({"start": datetime(2026, 6, 5)}, "invalid_time"),
    ],
)
def test_bad_invitations_are_refused(change, code):
    request = {
        "method": "REQUEST",
        "uid": "u",
        "sequence": 0,
        "subject": "s",
        "start": START,
        "end": START + timedelta(minutes=30),
        "organizer": ("A", "a@example.com"),
        "attendees": [],
    }
    with pytest.raises(SchedulingError) as refused:
        build_ics(**(request | change))
    assert refused.value.code == code


def test_google_calendar_link():
    link = google_calendar_link(
        "Demo & pricing", START, START + timedelta(hours=1), "Join: https://x.test/?a=1&b=2"
    )
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "calendar.google.com", "/calendar/render")
    query = parse_qs(parts.query)
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Demo & pricing"],
        "dates": ["20260605T130000Z/20260605T140000Z"],
        "details": ["Join: https://x.test/?a=1&b=2"],
    }
    assert "dates=20260605T130000Z/20260605T140000Z" in link and " " not in link


def test_agent_feed_lists_every_meeting():
    specs = [
        EventSpec(
            meeting_id=f"m-{i}",
            subject=f"Meeting {i}",
            start=START + timedelta(days=i),
            end=START + timedelta(days=i, minutes=30),
            timezone="Europe/Berlin",
            attendees=(Attendee("Ben", "ben@example.org"),),
            sequence=i,
        )
        for i in range(3)
    ]
    cal = Calendar.from_ical(agent_feed(specs, name="Alice's meetings", dtstamp=STAMP))
    assert str(cal["PRODID"]) == "-//Convene//EN" and "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "Alice's meetings"
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["m-0@convene", "m-1@convene", "m-2@convene"]
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert events[2].decoded("DTSTART") == datetime(2026, 6, 7, 13, 0, tzinfo=UTC)
    assert str(events[0]["ATTENDEE"]) == "mailto:ben@example.org"
    assert Calendar.from_ical(agent_feed([], dtstamp=STAMP)).walk("VEVENT") == []


# Europe/Berlin's autumn change: 02:30 happens twice on 25 October 2026; the file says which one in UTC.
CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    "start, utc_text",
    [
        (datetime(2026, 10, 25, 2, 30, tzinfo=CEST), "20261025T003000Z"),  # the first 02:30
        (datetime(2026, 10, 25, 2, 30, tzinfo=CET), "20261025T013000Z"),  # the second, an hour later
        (datetime(2026, 3, 29, 3, 30, tzinfo=CEST), "20260329T013000Z"),  # just after the spring gap
    ],
)
def test_a_single_event_to_import_is_in_utc_across_the_change(start: datetime, utc_text: str) -> None:
    data = single_event(
        uid=meeting_uid("m-7"),
        sequence=2,
        subject="Demo",
        start=start,
        end=start + timedelta(minutes=30),
        description="With Alice. Reschedule or cancel: https://convene.example/booked/x",
        url="https://convene.example/booked/x",
        dtstamp=STAMP,
    )
    assert f"DTSTART:{utc_text}".encode() in data
    cal = Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "PUBLISH"  # imported, not an invitation to answer
    event = next(iter(cal.walk("VEVENT")))
    assert event.decoded("dtstart") == start.astimezone(UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert int(event["sequence"]) == 2 and "ORGANIZER" not in event and "ATTENDEE" not in event


def test_outlook_calendar_link() -> None:
    link = outlook_calendar_link("Demo & Q&A", START, START + timedelta(minutes=45), "With Alice")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "outlook.live.com",
        "/calendar/0/deeplink/compose",
    )
    query = parse_qs(parts.query)
    assert query["subject"] == ["Demo & Q&A"]
    assert (query["startdt"], query["enddt"]) == (["2026-06-05T13:00:00Z"], ["2026-06-05T13:45:00Z"])
    assert query["body"] == ["With Alice"] and query["rru"] == ["addevent"]
