"""Google Calendar: busy time, calendars, writing bookings, change pickup — against the local fake."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.calendars.google.events import event_id_for
from adapters.calendars.google.provider import GoogleCalendarProvider
from scheduling.calendar import Attendee, CalendarAccount, EventSpec, Interval
from scheduling.errors import CalendarUnavailable

from .fake_google import FakeGoogle


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def timed(eid: str, start: str, end: str, **extra: object) -> dict[str, object]:
    return {"id": eid, "status": "confirmed", "start": {"dateTime": start}, "end": {"dateTime": end}, **extra}


def me(status: str) -> list[dict[str, object]]:
    return [
        {"email": "boss@example.com", "organizer": True, "responseStatus": "accepted"},
        {"email": "alice@example.com", "self": True, "responseStatus": status},
    ]


async def test_unanswered_and_declined_invitations_leave_the_slot_free(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    fake_google.calendar_zones["primary"] = "Europe/Berlin"
    fake_google.page_size = 3  # make the client follow nextPageToken
    fake_google.events["primary"] = [
        timed("own", "2026-06-01T09:00:00+02:00", "2026-06-01T10:00:00+02:00"),
        timed("accepted", "2026-06-01T11:00:00+02:00", "2026-06-01T12:00:00+02:00", attendees=me("accepted")),
        timed(
            "tentative", "2026-06-01T13:00:00+02:00", "2026-06-01T13:30:00+02:00", attendees=me("tentative")
        ),
        timed(
            "unanswered",
            "2026-06-01T14:00:00+02:00",
            "2026-06-01T15:00:00+02:00",
            attendees=me("needsAction"),
        ),
        timed("declined", "2026-06-01T15:00:00+02:00", "2026-06-01T16:00:00+02:00", attendees=me("declined")),
        timed(
            "transparent",
            "2026-06-01T16:00:00+02:00",
            "2026-06-01T17:00:00+02:00",
            transparency="transparent",
        ),
        {
            **timed("cancelled", "2026-06-01T17:00:00+02:00", "2026-06-01T18:00:00+02:00"),
            "status": "cancelled",
        },
        {
            "id": "holiday",
            "status": "confirmed",
            "start": {"date": "2026-06-03"},
            "end": {"date": "2026-06-04"},
        },
    ]

    busy = await google.busy(google_account, ["primary"], utc(2026, 6, 1), utc(2026, 6, 5))

    assert busy == [
        Interval(utc(2026, 6, 1, 7), utc(2026, 6, 1, 8)),
        Interval(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10)),
        Interval(utc(2026, 6, 1, 11), utc(2026, 6, 1, 11, 30)),
        # the all-day event is Berlin's 3 June, not UTC's
        Interval(utc(2026, 6, 2, 22), utc(2026, 6, 3, 22)),
    ]
    lists = fake_google.seen("GET", "/calendars/primary/events")
    assert len(lists) == 3
    assert lists[0].query["singleEvents"] == "true" and lists[0].query["orderBy"] == "startTime"
    assert lists[0].query["timeMin"] == "2026-06-01T00:00:00Z"


async def test_dst_week_in_new_york_gives_correct_utc(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    # Clocks go back at 02:00 on Sunday 1 November 2026 in America/New_York (EDT -4 → EST -5).
    fake_google.calendar_zones["work"] = "America/New_York"
    fake_google.events["work"] = [
        timed("fri", "2026-10-30T09:00:00-04:00", "2026-10-30T10:00:00-04:00"),
        {"id": "sun", "status": "confirmed", "start": {"date": "2026-11-01"}, "end": {"date": "2026-11-02"}},
        {
            "id": "mon",
            "status": "confirmed",
            "start": {"dateTime": "2026-11-02T09:00:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-11-02T10:00:00", "timeZone": "America/New_York"},
        },
    ]

    busy = await google.busy(google_account, ["work"], utc(2026, 10, 29), utc(2026, 11, 5))

    assert busy == [
        Interval(utc(2026, 10, 30, 13), utc(2026, 10, 30, 14)),
        Interval(utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),  # a 25-hour day
        Interval(utc(2026, 11, 2, 14), utc(2026, 11, 2, 15)),
    ]


async def test_freebusy_only_calendars_fall_back_to_freebusy_in_chunks_of_50(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    shared = [f"room{i}@example.com" for i in range(60)]
    fake_google.unlistable.update(shared)
    fake_google.freebusy["room59@example.com"] = [
        {"start": "2026-06-01T10:00:00Z", "end": "2026-06-01T11:00:00Z"}
    ]

    busy = await google.busy(google_account, shared, utc(2026, 6, 1), utc(2026, 6, 8))

    assert busy == [Interval(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11))]
    calls = fake_google.seen("POST", "/freeBusy")
    assert sorted(len(c.json["items"]) for c in calls) == [10, 50]


async def test_freebusy_splits_a_100_day_range_into_90_day_calls(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    await google.freebusy(google_account, ["primary"], utc(2026, 1, 1), utc(2026, 4, 11))

    windows = sorted((c.json["timeMin"], c.json["timeMax"]) for c in fake_google.seen("POST", "/freeBusy"))
    assert windows == [
        ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("2026-04-01T00:00:00Z", "2026-04-11T00:00:00Z"),
    ]


async def test_a_calendar_freebusy_cannot_read_is_unavailable_not_free(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    fake_google.unlistable.add("gone@example.com")
    fake_google.freebusy_errors.add("gone@example.com")
    with pytest.raises(CalendarUnavailable):
        await google.busy(google_account, ["gone@example.com"], utc(2026, 6, 1), utc(2026, 6, 2))


async def test_list_calendars_marks_primary_and_writable(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    fake_google.calendar_list = [
        {"id": "alice@example.com", "summary": "Alice", "primary": True, "accessRole": "owner"},
        {"id": "team", "summary": "Team", "summaryOverride": "My team", "accessRole": "writer"},
        {"id": "holidays", "summary": "Holidays", "accessRole": "reader"},
    ]
    calendars = await google.list_calendars(google_account)
    assert [(c.id, c.name, c.primary, c.writable) for c in calendars] == [
        ("alice@example.com", "Alice", True, True),
        ("team", "My team", False, True),
        ("holidays", "Holidays", False, False),
    ]


SPEC = EventSpec(
    meeting_id="m-42",
    subject="Intro call",
    start=utc(2026, 6, 1, 13),
    end=utc(2026, 6, 1, 13, 30),
    timezone="Europe/Berlin",
    description="Booked via Convene",
    attendees=(Attendee("Ann Guest", "ann@guest.example"),),
)


async def test_create_patch_delete_an_event(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    event_id = await google.create_event(google_account, "primary", SPEC)

    insert = fake_google.seen("POST", "/calendars/primary/events")[0]
    assert event_id == event_id_for("m-42")
    assert insert.query["sendUpdates"] == "none"
    assert insert.json["attendees"] == [{"email": "ann@guest.example", "displayName": "Ann Guest"}]
    assert insert.json["extendedProperties"] == {"private": {"convene_meeting_id": "m-42"}}
    assert insert.json["start"] == {"dateTime": "2026-06-01T15:00:00", "timeZone": "Europe/Berlin"}
    assert insert.json["end"] == {"dateTime": "2026-06-01T15:30:00", "timeZone": "Europe/Berlin"}
    assert insert.json["summary"] == "Intro call"

    moved = EventSpec(**{**SPEC.__dict__, "start": utc(2026, 6, 2, 8), "end": utc(2026, 6, 2, 9)})
    await google.update_event(google_account, "primary", event_id, moved)
    patch = fake_google.seen("PATCH", f"/events/{event_id}")[0]
    assert patch.query["sendUpdates"] == "none"
    assert patch.json["start"] == {"dateTime": "2026-06-02T10:00:00", "timeZone": "Europe/Berlin"}

    await google.delete_event(google_account, "primary", event_id)
    await google.delete_event(google_account, "primary", event_id)  # already gone (410): still fine
    deletes = fake_google.seen("DELETE", f"/events/{event_id}")
    assert len(deletes) == 2 and deletes[0].query["sendUpdates"] == "none"


async def test_create_is_idempotent_when_the_event_already_exists(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    first = await google.create_event(google_account, "primary", SPEC)
    second = await google.create_event(google_account, "primary", SPEC)
    assert first == second
    assert len(fake_google.events["primary"]) == 1
    assert len(fake_google.seen("PATCH", first)) == 1  # the 409 became a patch to the spec


async def test_sync_changes_reports_our_moved_and_cancelled_events(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    ours = {"private": {"convene_meeting_id": "m-42"}}
    fake_google.calendar_zones["primary"] = "Europe/Berlin"
    fake_google.events["primary"] = [
        timed("e1", "2026-06-01T15:00:00+02:00", "2026-06-01T15:30:00+02:00", extendedProperties=ours)
    ]
    fake_google.sync_pages["s1"] = (
        [
            timed("e1", "2026-06-03T09:00:00+02:00", "2026-06-03T09:30:00+02:00", extendedProperties=ours),
            timed("foreign", "2026-06-03T09:00:00+02:00", "2026-06-03T10:00:00+02:00"),
            {"id": "e2", "status": "cancelled"},  # Google strips deleted events to id + status
        ],
        "s2",
    )

    initial, token = await google.sync_changes(google_account, "primary", None)
    assert token == "sync-full"
    assert [(c.meeting_id, c.start) for c in initial] == [("m-42", utc(2026, 6, 1, 13))]

    changes, token = await google.sync_changes(google_account, "primary", "s1")
    assert token == "s2"
    assert [(c.meeting_id, c.external_event_id, c.deleted, c.start, c.end) for c in changes] == [
        ("m-42", "e1", False, utc(2026, 6, 3, 7), utc(2026, 6, 3, 7, 30)),
        ("", "e2", True, None, None),
    ]
    assert "syncToken" in fake_google.seen("GET", "/events")[-1].query


async def test_expired_sync_token_means_full_resync(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    changes, token = await google.sync_changes(google_account, "primary", "expired")
    assert token == "sync-full" and changes == []
    queries = [r.query for r in fake_google.seen("GET", "/events")]
    assert queries[0]["syncToken"] == "expired" and "syncToken" not in queries[1]
