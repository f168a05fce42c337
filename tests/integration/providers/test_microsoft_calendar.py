"""Microsoft 365 through Graph: app token over HTTPS via msal, getSchedule, working hours, events, delta."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.calendars.microsoft.events import MEETING_ID_PROPERTY
from adapters.calendars.microsoft.provider import MicrosoftCalendarProvider, plugin
from scheduling.calendar import Attendee, CalendarAccount, EventSpec, Interval, WorkingHours
from scheduling.errors import CalendarDisconnected, CalendarUnavailable, SchedulingError
from scheduling.windows_zones import to_iana

from .fake_microsoft import FakeAuthority, FakeGraph


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def item(status: str, start: str, end: str, zone: str = "UTC") -> dict[str, object]:
    return {
        "status": status,
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
    }


def test_plugin_is_off_without_app_registration() -> None:
    assert plugin({"ms_client_id": "id", "ms_client_secret": "s"}) is None


@pytest.mark.parametrize(
    "name, iana",
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Eastern Standard Time", "America/New_York"),
        ("Europe/Paris", "Europe/Paris"),
        ("UTC", "Etc/UTC"),
    ],
)
def test_windows_zone_names_map_to_iana(name: str, iana: str) -> None:
    assert to_iana(name) == iana


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(SchedulingError) as caught:
        to_iana("Customized Time Zone")
    assert caught.value.code == "invalid_timezone"


async def test_app_token_comes_from_the_https_authority_once_and_user_is_resolved(
    microsoft: MicrosoftCalendarProvider,
    fake_authority: FakeAuthority,
    fake_graph: FakeGraph,
    ms_account: CalendarAccount,
) -> None:
    await microsoft.busy(ms_account, ["primary"], utc(2026, 6, 1), utc(2026, 6, 2))
    await microsoft.busy(ms_account, ["primary"], utc(2026, 6, 2), utc(2026, 6, 3))

    assert fake_authority.issued == 1  # cached until expiry
    assert fake_authority.seen("GET", "/contoso-tenant/v2.0/.well-known/openid-configuration")
    token_form = fake_authority.seen("POST", "/oauth2/v2.0/token")[0].form
    assert token_form is not None and token_form["scope"] == f"{fake_graph.base_url}/.default"
    assert ms_account.external_user_id == "user-alice"
    assert len(fake_graph.seen("GET", "/v1.0/users/alice@contoso.com")) == 1
    assert fake_graph.seen("POST", "getSchedule")[0].headers["Authorization"] == "Bearer graph-1"


async def test_busy_counts_busy_oof_and_tentative_only(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    fake_graph.schedule_items["alice@contoso.com"] = [
        item("busy", "2026-06-01T08:00:00.0000000", "2026-06-01T09:00:00.0000000"),
        item("tentative", "2026-06-01T10:00:00.0000000", "2026-06-01T10:30:00.0000000"),
        item("free", "2026-06-01T11:00:00.0000000", "2026-06-01T12:00:00.0000000"),
        item("workingElsewhere", "2026-06-01T12:00:00.0000000", "2026-06-01T13:00:00.0000000"),
        item("oof", "2026-06-02T00:00:00.0000000", "2026-06-03T00:00:00.0000000"),
    ]

    busy = await microsoft.busy(ms_account, ["primary"], utc(2026, 6, 1), utc(2026, 6, 5))

    assert busy == [
        Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9)),
        Interval(utc(2026, 6, 1, 10), utc(2026, 6, 1, 10, 30)),
        Interval(utc(2026, 6, 2), utc(2026, 6, 3)),
    ]
    call = fake_graph.seen("POST", "/v1.0/users/user-alice/calendar/getSchedule")[0]
    assert call.headers["Prefer"] == 'outlook.timezone="UTC"'
    assert call.json["schedules"] == ["alice@contoso.com"]
    assert call.json["startTime"] == {"dateTime": "2026-06-01T00:00:00", "timeZone": "UTC"}


# Graph's status as it may arrive → whether the hour stays bookable. Only free and workingElsewhere
# leave it open, in any casing; anything else, unknown and unheard-of statuses included, blocks it.
STATUSES = [
    ("free", False),
    ("Free", False),
    ("workingElsewhere", False),
    ("WORKINGELSEWHERE", False),
    ("busy", True),
    ("Busy", True),
    ("OOF", True),
    ("Tentative", True),
    ("unknown", True),
    ("somethingNew", True),
]


@pytest.mark.parametrize("status, blocks", STATUSES)
async def test_every_status_but_free_and_working_elsewhere_blocks_the_slot_in_get_schedule(
    microsoft: MicrosoftCalendarProvider,
    fake_graph: FakeGraph,
    ms_account: CalendarAccount,
    status: str,
    blocks: bool,
) -> None:
    fake_graph.schedule_items["alice@contoso.com"] = [
        item(status, "2026-06-01T08:00:00.0000000", "2026-06-01T09:00:00.0000000")
    ]
    busy = await microsoft.busy(ms_account, ["primary"], utc(2026, 6, 1), utc(2026, 6, 2))
    assert busy == ([Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9))] if blocks else [])


@pytest.mark.parametrize("status, blocks", STATUSES)
async def test_every_show_as_but_free_and_working_elsewhere_blocks_the_slot_in_a_calendar_view(
    microsoft: MicrosoftCalendarProvider,
    fake_graph: FakeGraph,
    ms_account: CalendarAccount,
    status: str,
    blocks: bool,
) -> None:
    fake_graph.view_events["cal-side"] = [
        {
            "showAs": status,
            "start": {"dateTime": "2026-06-01T08:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-06-01T09:00:00.0000000", "timeZone": "UTC"},
        }
    ]
    busy = await microsoft.busy(ms_account, ["cal-side"], utc(2026, 6, 1), utc(2026, 6, 2))
    assert busy == ([Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9))] if blocks else [])


async def test_dst_week_in_new_york_even_when_graph_answers_in_a_windows_zone(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    eastern = "Eastern Standard Time"
    fake_graph.schedule_items["alice@contoso.com"] = [
        item("busy", "2026-10-30T09:00:00.0000000", "2026-10-30T10:00:00.0000000", eastern),
        item("busy", "2026-11-01T01:30:00.0000000", "2026-11-01T03:00:00.0000000", eastern),
        item("busy", "2026-11-02T09:00:00.0000000", "2026-11-02T10:00:00.0000000", eastern),
    ]
    busy = await microsoft.busy(ms_account, ["primary"], utc(2026, 10, 29), utc(2026, 11, 5))
    assert busy == [
        Interval(utc(2026, 10, 30, 13), utc(2026, 10, 30, 14)),
        Interval(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 8)),  # 01:30 read as the first (EDT) 01:30
        Interval(utc(2026, 11, 2, 14), utc(2026, 11, 2, 15)),
    ]


async def test_25_mailboxes_take_two_getschedule_calls_and_100_days_two_windows(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    team = [f"agent{i}@contoso.com" for i in range(25)]
    fake_graph.schedule_items["agent24@contoso.com"] = [
        item("busy", "2026-06-01T08:00:00.0000000", "2026-06-01T09:00:00.0000000")
    ]
    result = await microsoft.schedules(ms_account, team, utc(2026, 6, 1), utc(2026, 6, 2))
    assert sorted(len(c.json["schedules"]) for c in fake_graph.seen("POST", "getSchedule")) == [5, 20]
    assert result["agent24@contoso.com"] == [Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9))]
    assert result["agent0@contoso.com"] == []

    fake_graph.requests.clear()
    await microsoft.busy(ms_account, ["primary"], utc(2026, 1, 1), utc(2026, 4, 11))
    windows = sorted(
        (c.json["startTime"]["dateTime"], c.json["endTime"]["dateTime"])
        for c in fake_graph.seen("POST", "getSchedule")
    )
    assert windows == [
        ("2026-01-01T00:00:00", "2026-03-04T00:00:00"),
        ("2026-03-04T00:00:00", "2026-04-11T00:00:00"),
    ]


async def test_unreadable_schedule_is_unavailable(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    fake_graph.schedule_errors.add("alice@contoso.com")
    with pytest.raises(CalendarUnavailable):
        await microsoft.busy(ms_account, ["primary"], utc(2026, 6, 1), utc(2026, 6, 2))


async def test_a_chosen_secondary_calendar_uses_calendar_view(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    def event(show_as: str, start: str, end: str, **extra: object) -> dict[str, object]:
        return {
            "showAs": show_as,
            "start": {"dateTime": start, "timeZone": "UTC"},
            "end": {"dateTime": end, "timeZone": "UTC"},
            **extra,
        }

    fake_graph.view_events["cal-side"] = [
        event("busy", "2026-06-01T08:00:00.0000000", "2026-06-01T09:00:00.0000000"),
        event("free", "2026-06-01T09:00:00.0000000", "2026-06-01T10:00:00.0000000"),
        event("busy", "2026-06-01T11:00:00.0000000", "2026-06-01T12:00:00.0000000", isCancelled=True),
        event(
            "oof",
            "2026-06-03T00:00:00.0000000",
            "2026-06-04T00:00:00.0000000",
            isAllDay=True,
            originalStartTimeZone="W. Europe Standard Time",
        ),
    ]
    busy = await microsoft.busy(ms_account, ["cal-side"], utc(2026, 6, 1), utc(2026, 6, 5))
    assert busy == [
        Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9)),
        Interval(utc(2026, 6, 2, 22), utc(2026, 6, 3, 22)),
    ]
    views = fake_graph.seen("GET", "/calendars/cal-side/calendarView")
    assert len(views) == 2  # followed @odata.nextLink
    assert views[0].query["startDateTime"] == "2026-06-01T00:00:00Z"


async def test_working_hours_from_mailbox_settings_with_a_windows_zone(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    fake_graph.mailbox_settings["user-alice"] = {
        "timeZone": "W. Europe Standard Time",
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:30:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": "W. Europe Standard Time"},
        },
    }
    hours = await microsoft.working_hours(ms_account)
    assert hours == WorkingHours(
        "Europe/Berlin", {d: [("08:30", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )


async def test_working_hours_in_an_unknown_zone_are_refused(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    fake_graph.mailbox_settings["user-alice"] = {
        "timeZone": "Customized Time Zone",
        "workingHours": {
            "daysOfWeek": ["monday"],
            "startTime": "09:00:00",
            "endTime": "17:00:00",
            "timeZone": {"name": "Customized Time Zone"},
        },
    }
    with pytest.raises(SchedulingError) as caught:
        await microsoft.working_hours(ms_account)
    assert caught.value.code == "invalid_timezone"


async def test_list_calendars(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    fake_graph.calendars["user-alice"] = [
        {"id": "AAMk-cal", "name": "Calendar", "canEdit": True, "isDefaultCalendar": True},
        {"id": "AAMk-hol", "name": "Holidays", "canEdit": False, "isDefaultCalendar": False},
    ]
    calendars = await microsoft.list_calendars(ms_account)
    assert [(c.id, c.primary, c.writable) for c in calendars] == [
        ("AAMk-cal", True, True),
        ("AAMk-hol", False, False),
    ]


SPEC = EventSpec(
    meeting_id="m-7",
    subject="Demo",
    start=utc(2026, 6, 1, 13),
    end=utc(2026, 6, 1, 14),
    timezone="Europe/Berlin",
    description="Booked via Convene",
    attendees=(Attendee("Ann Guest", "ann@guest.example"),),
    sequence=0,
)


async def test_create_patch_delete_an_event(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    event_id = await microsoft.create_event(ms_account, "AAMk-cal", SPEC)

    sent = fake_graph.seen("POST", "/v1.0/users/user-alice/calendars/AAMk-cal/events")[0].json
    assert sent["subject"] == "Demo"
    assert sent["start"] == {"dateTime": "2026-06-01T15:00:00", "timeZone": "W. Europe Standard Time"}
    assert sent["singleValueExtendedProperties"] == [{"id": MEETING_ID_PROPERTY, "value": "m-7"}]
    assert sent["transactionId"] == "convene-m-7-0"
    assert "Ann Guest <ann@guest.example>" in sent["body"]["content"]
    assert "attendees" not in sent  # Exchange would send its own invitation next to our .ics

    moved = EventSpec(
        **{**SPEC.__dict__, "start": utc(2026, 6, 2, 7), "end": utc(2026, 6, 2, 8), "sequence": 1}
    )
    await microsoft.update_event(ms_account, "AAMk-cal", event_id, moved)
    patch = fake_graph.seen("PATCH", f"/events/{event_id}")[0].json
    assert patch["start"] == {"dateTime": "2026-06-02T09:00:00", "timeZone": "W. Europe Standard Time"}
    assert "transactionId" not in patch

    await microsoft.delete_event(ms_account, "AAMk-cal", event_id)
    await microsoft.delete_event(ms_account, "AAMk-cal", event_id)  # 404: already gone is fine
    assert len(fake_graph.seen("DELETE", f"/events/{event_id}")) == 2


async def test_attendees_can_be_invited_by_exchange_when_configured(
    ms_config: dict[str, object], fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    provider = MicrosoftCalendarProvider({**ms_config, "ms_invite_attendees": "true"})
    try:
        await provider.create_event(ms_account, "primary", SPEC)
    finally:
        await provider.aclose()
    sent = fake_graph.seen("POST", "/v1.0/users/user-alice/calendar/events")[0].json
    assert sent["attendees"] == [
        {"emailAddress": {"address": "ann@guest.example", "name": "Ann Guest"}, "type": "required"}
    ]


async def test_delta_reports_our_moved_and_removed_events(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    ours = {"transactionId": "convene-m-7-0"}
    fake_graph.delta_rounds["initial-1"] = [
        {
            "id": "AAMk-1",
            **ours,
            "start": {"dateTime": "2026-06-01T13:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-06-01T14:00:00.0000000", "timeZone": "UTC"},
        },
        {
            "id": "AAMk-foreign",
            "start": {"dateTime": "2026-06-01T13:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-06-01T14:00:00", "timeZone": "UTC"},
        },
    ]
    fake_graph.delta_rounds["d1"] = [
        {
            "id": "AAMk-1",
            "singleValueExtendedProperties": [{"id": MEETING_ID_PROPERTY, "value": "m-7"}],
            "start": {"dateTime": "2026-06-03T09:00:00.0000000", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": "2026-06-03T10:00:00.0000000", "timeZone": "W. Europe Standard Time"},
        },
        {"id": "AAMk-2", "@removed": {"reason": "deleted"}},
    ]

    initial, link = await microsoft.delta_changes(ms_account, "AAMk-cal", None)
    assert [(c.meeting_id, c.start) for c in initial] == [("m-7", utc(2026, 6, 1, 13))]
    assert link.endswith("$deltatoken=d1")
    first = fake_graph.seen("GET", "/calendarView/delta")[0]
    assert "startDateTime" in first.query and first.headers["Prefer"] == 'outlook.timezone="UTC"'

    changes, link = await microsoft.delta_changes(ms_account, "AAMk-cal", link)
    assert link.endswith("$deltatoken=d2")
    assert [(c.meeting_id, c.external_event_id, c.deleted, c.start) for c in changes] == [
        ("m-7", "AAMk-1", False, utc(2026, 6, 3, 7)),
        ("", "AAMk-2", True, None),
    ]


async def test_expired_delta_link_restarts(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    stale = f"{fake_graph.base_url}/v1.0/users/user-alice/calendars/AAMk-cal/calendarView/delta?$deltatoken=expired"
    _, link = await microsoft.delta_changes(ms_account, "AAMk-cal", stale)
    assert link.endswith("$deltatoken=d1")


async def test_links_outside_the_graph_url_are_not_followed(
    microsoft: MicrosoftCalendarProvider, ms_account: CalendarAccount
) -> None:
    with pytest.raises(CalendarUnavailable):
        await microsoft.delta_changes(ms_account, "AAMk-cal", "http://127.0.0.2:9/steal-token")


async def test_unknown_agent_email_is_disconnected(microsoft: MicrosoftCalendarProvider) -> None:
    with pytest.raises(CalendarDisconnected):
        await microsoft.busy(
            CalendarAccount("bob", "bob@contoso.com"), ["primary"], utc(2026, 6, 1), utc(2026, 6, 2)
        )
