"""Availability: what a guest is offered, read as tables of (agent's week, busy time) → UTC starts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pendulum
import pytest

from scheduling.availability import (
    AvailabilityRules,
    booking_horizon,
    find_slots,
    is_slot_free,
    merge_intervals,
    service_slots,
)
from scheduling.calendar import Interval
from scheduling.errors import SchedulingError

MON_2026_03_02 = date(2026, 3, 2)
WEEK_BEFORE = datetime(2026, 2, 23, tzinfo=UTC)  # a "now" a week before MON_2026_03_02


def at(text: str) -> datetime:
    """``"2026-03-02 09:30"`` (UTC) or any ISO string with an offset."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def busy(*spans: tuple[str, str]) -> list[Interval]:
    return [Interval(at(a), at(b)) for a, b in spans]


def week(zone: str, days: str, *hours: tuple[str, str], breaks=(), before=0, after=0) -> AvailabilityRules:
    return AvailabilityRules(
        timezone=zone,
        working_hours={day: list(hours) for day in days.split()},
        breaks=list(breaks),
        buffer_before=before,
        buffer_after=after,
    )


def offered(rules, taken=(), *, day, duration=30, tz=None, now=None, end=None, **kw) -> list[str]:
    # By default "now" is a week earlier: inside the one-month window, far from any notice.
    now = now or datetime.combine(day - timedelta(days=7), datetime.min.time(), UTC)
    slots = find_slots(
        rules, taken, duration=duration, start=day, end=end or day, tz=tz or rules.timezone, now=now, **kw
    )
    assert all(s.tzinfo is UTC for s in slots)
    return [s.strftime("%m-%d %H:%M") for s in slots]


# --- daylight saving time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone, day, hours, duration, expected",
    [
        # London springs forward at 01:00 GMT on Sunday 2026-03-29: the day has 23 hours.
        (
            "Europe/London",
            date(2026, 3, 28),
            ("09:00", "12:00"),
            60,
            ["03-28 09:00", "03-28 10:00", "03-28 11:00"],
        ),
        (
            "Europe/London",
            date(2026, 3, 29),
            ("09:00", "12:00"),
            60,
            ["03-29 08:00", "03-29 09:00", "03-29 10:00"],
        ),
        # 00:00 GMT → 04:00 BST is three elapsed hours, and the grid counts elapsed time.
        (
            "Europe/London",
            date(2026, 3, 29),
            ("00:00", "04:00"),
            60,
            ["03-29 00:00", "03-29 01:00", "03-29 02:00"],
        ),
        # New York falls back at 02:00 EDT on Sunday 2026-11-01: 00:00 EDT → 03:00 EST is four hours.
        (
            "America/New_York",
            date(2026, 11, 1),
            ("00:00", "03:00"),
            60,
            ["11-01 04:00", "11-01 05:00", "11-01 06:00", "11-01 07:00"],
        ),
        ("America/New_York", date(2026, 11, 2), ("09:00", "11:00"), 60, ["11-02 14:00", "11-02 15:00"]),
        ("America/New_York", date(2026, 10, 30), ("09:00", "11:00"), 60, ["10-30 13:00", "10-30 14:00"]),
    ],
)
def test_dst_days_give_exact_utc_instants(zone, day, hours, duration, expected):
    rules = week(zone, "mon tue wed thu fri sat sun", hours)
    assert offered(rules, day=day, duration=duration) == expected


def test_start_inside_spring_forward_gap_takes_the_offset_before_the_change():
    # 01:30 does not exist in London on 2026-03-29; read with GMT it is 01:30Z (= 02:30 BST).
    rules = week("Europe/London", "sun", ("01:30", "03:00"))
    assert offered(rules, day=date(2026, 3, 29)) == ["03-29 01:30"]  # 03:00 BST is 02:00Z
    # That is pendulum's default reading of a non-existent time too.
    assert pendulum.datetime(2026, 3, 29, 1, 30, tz="Europe/London").in_tz("UTC") == at("2026-03-29 01:30")


def test_ambiguous_fall_back_start_is_its_first_occurrence():
    # 01:30 happens twice in New York on 2026-11-01: first 05:30Z (EDT), then 06:30Z (EST).
    rules = week("America/New_York", "sun", ("01:30", "02:30"))
    assert offered(rules, day=date(2026, 11, 1)) == [
        "11-01 05:30",
        "11-01 06:00",
        "11-01 06:30",
        "11-01 07:00",
    ]
    # Pendulum agrees only with fold=0; its default (fold=1) would pick the second 01:30.
    assert pendulum.datetime(2026, 11, 1, 1, 30, tz="America/New_York", fold=0).in_tz("UTC") == at(
        "2026-11-01 05:30"
    )
    assert pendulum.datetime(2026, 11, 1, 1, 30, tz="America/New_York").in_tz("UTC") == at("2026-11-01 06:30")


def test_periods_overlapping_in_utc_after_a_gap_are_sorted_and_unique():
    # 00:00–01:30 (01:30 is in the gap → 01:30Z) and 02:00–05:00 BST (01:00Z–04:00Z) overlap in UTC.
    rules = week("Europe/London", "sun", ("00:00", "01:30"), ("02:00", "05:00"), breaks=[("01:30", "02:00")])
    assert offered(rules, day=date(2026, 3, 29)) == [
        "03-29 00:00",
        "03-29 00:30",
        "03-29 01:00",
        "03-29 01:30",
        "03-29 02:00",
        "03-29 02:30",
        "03-29 03:00",
        "03-29 03:30",
    ]


def test_24_00_means_the_next_midnight():
    rules = week("Europe/Berlin", "fri", ("22:00", "24:00"))
    assert offered(rules, day=date(2026, 6, 5), duration=60) == ["06-05 20:00", "06-05 21:00"]  # CEST = +2


def test_touching_working_hours_merge_into_one_period():
    split = week("UTC", "mon", ("09:00", "10:15"), ("10:15", "11:00"))
    assert offered(split, day=MON_2026_03_02, duration=45) == ["03-02 09:00", "03-02 09:45"]


def test_guest_dates_straddle_the_agents_midnight():
    # Agent in Auckland (NZST, +12) works 17:00–21:00; guest in Los Angeles (PDT, -7) asks for Mon 8 June.
    # The guest's Monday is Auckland Mon 19:00 → Tue 19:00, so it takes the end of the agent's
    # Monday and the start of the agent's Tuesday.
    rules = week("Pacific/Auckland", "mon tue wed thu fri", ("17:00", "21:00"))
    slots = offered(
        rules, day=date(2026, 6, 8), tz="America/Los_Angeles", duration=60, now=at("2026-06-01 00:00")
    )
    assert slots == ["06-08 07:00", "06-08 08:00", "06-09 05:00", "06-09 06:00"]


# --- buffers, breaks, notice, step ---------------------------------------------------------------


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (0, 0, ["09:00", "09:30", "10:30", "11:00", "11:30"]),  # touching busy time is fine
        (0, 30, ["09:00", "10:30", "11:00", "11:30"]),  # 09:30 + 30' + 30' runs into 10:00
        (30, 0, ["09:00", "09:30", "11:00", "11:30"]),  # 10:30 needs 10:00–10:30 free before it
        (15, 15, ["09:00", "11:00", "11:30"]),
    ],
)
def test_buffers_around_busy_time(before, after, expected):
    rules = week("UTC", "mon", ("09:00", "12:00"), before=before, after=after)
    slots = offered(rules, busy(("2026-03-02 10:00", "2026-03-02 10:30")), day=MON_2026_03_02)
    assert slots == [f"03-02 {t}" for t in expected]


def test_lunch_break_is_never_spanned_and_the_grid_restarts_after_it():
    rules = week("UTC", "mon", ("09:00", "17:00"), breaks=[("13:00", "14:00")])
    assert offered(rules, day=MON_2026_03_02, duration=45) == [
        f"03-02 {t}"
        for t in ("09:00", "09:45", "10:30", "11:15", "12:00", "14:00", "14:45", "15:30", "16:15")
    ]


def test_min_notice_removes_candidates_without_shifting_the_grid():
    rules = week("UTC", "mon", ("09:00", "12:00"))
    now = at("2026-03-02 09:10")
    assert offered(rules, day=MON_2026_03_02, now=now, min_notice=60) == [
        "03-02 10:30",
        "03-02 11:00",
        "03-02 11:30",
    ]
    assert offered(rules, day=MON_2026_03_02, now=now)[0] == "03-02 09:30"
    assert (
        offered(rules, day=MON_2026_03_02, now=at("2026-03-02 09:30"))[0] == "03-02 09:30"
    )  # now itself is fine


@pytest.mark.parametrize(
    "hours, taken, expected",
    [
        (("09:00", "11:00"), [], ["09:00", "09:15", "09:30", "09:45", "10:00"]),
        (("09:00", "11:00"), [("10:30", "10:45")], ["09:00", "09:15", "09:30"]),
        # After busy time ending 09:40 the next start is the grid's 09:45, not 09:40.
        (("09:00", "12:00"), [("09:20", "09:40")], ["09:45", "10:00", "10:15", "10:30", "10:45", "11:00"]),
    ],
)
def test_step_smaller_than_duration(hours, taken, expected):
    rules = week("UTC", "mon", hours)
    blocked = busy(*((f"2026-03-02 {a}", f"2026-03-02 {b}") for a, b in taken))
    assert offered(rules, blocked, day=MON_2026_03_02, duration=60, step=15) == [
        f"03-02 {t}" for t in expected
    ]


def test_busy_intervals_overlapping_each_other_and_in_other_offsets():
    rules = week("UTC", "mon", ("09:00", "13:00"))
    taken = busy(
        ("2026-03-02T11:00+02:00", "2026-03-02T11:30+02:00"),  # 09:00–09:30Z
        ("2026-03-02T04:15-05:00", "2026-03-02T05:00-05:00"),  # 09:15–10:00Z, overlaps the first
        ("2026-03-02T16:00+05:30", "2026-03-02T16:30+05:30"),  # 10:30–11:00Z
        ("2026-03-02 12:00", "2026-03-02 12:00"),  # empty: covers no time
    )
    assert offered(rules, taken, day=MON_2026_03_02) == [
        f"03-02 {t}" for t in ("10:00", "11:00", "11:30", "12:00", "12:30")
    ]


# --- the one-month window and the guest's dates ---------------------------------------------------


def test_one_month_edge_offers_the_limit_itself_but_nothing_after():
    now = at("2026-01-31 10:00")
    assert booking_horizon(now) == at("2026-02-28 10:00")
    rules = week("UTC", "sat", ("09:00", "12:00"))
    assert offered(rules, day=date(2026, 2, 28), now=now) == ["02-28 09:00", "02-28 09:30", "02-28 10:00"]


@pytest.mark.parametrize(
    "now, limit",
    [
        ("2026-01-31 10:00", "2026-02-28 10:00"),
        ("2028-01-31 10:00", "2028-02-29 10:00"),
        ("2026-03-31 23:59", "2026-04-30 23:59"),
        ("2026-12-15 08:00", "2027-01-15 08:00"),
        ("2026-03-15T01:00+02:00", "2026-04-14 23:00"),  # the month is counted in UTC
    ],
)
def test_booking_horizon_is_one_calendar_month_in_utc(now, limit):
    assert booking_horizon(at(now)) == at(limit)
    assert booking_horizon(at(now)) == pendulum.instance(at(now)).in_tz("UTC").add(months=1)


def test_guest_window_is_inclusive_in_the_guests_zone():
    rules = week("UTC", "mon tue wed", ("22:00", "24:00"))
    # Tokyo is +9: agent Mon 22:00Z is Tokyo Tue 07:00.
    slots = offered(rules, day=date(2026, 3, 3), end=date(2026, 3, 3), tz="Asia/Tokyo", duration=60)
    assert slots == ["03-02 22:00", "03-02 23:00"]


def test_a_repeated_hour_belongs_to_the_guests_date_both_times():
    # Santiago falls back at 00:00 on 2026-04-05 to 23:00 on the 4th: 23:00–24:00 happens twice.
    rules = week("UTC", "sun", ("02:00", "05:00"))
    now = at("2026-03-30 00:00")
    saturday = offered(rules, day=date(2026, 4, 4), tz="America/Santiago", now=now)
    assert saturday == ["04-05 02:00", "04-05 02:30", "04-05 03:00", "04-05 03:30"]
    sunday = offered(rules, day=date(2026, 4, 5), tz="America/Santiago", now=now)
    assert sunday == ["04-05 04:00", "04-05 04:30"]


@pytest.mark.parametrize(
    "start, end",
    [(date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 4, 10), date(2026, 4, 20))],
)
def test_range_wholly_outside_the_window_is_empty(start, end):
    rules = week("UTC", "mon tue wed thu fri sat sun", ("00:00", "24:00"))
    now = at("2026-03-02 12:00")
    assert find_slots(rules, [], duration=30, start=start, end=end, tz="UTC", now=now) == []


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, code",
    [
        ({"duration": 14}, "invalid_duration"),
        ({"duration": 361}, "invalid_duration"),
        ({"start": date(2026, 3, 5), "end": date(2026, 3, 4)}, "invalid_range"),
        ({"tz": "Mars/Olympus"}, "invalid_timezone"),
        ({"step": 0}, "invalid_step"),
        ({"min_notice": -5}, "invalid_notice"),
        ({"now": datetime(2026, 3, 1)}, "invalid_time"),
    ],
)
def test_bad_requests_are_refused_with_a_code(change, code):
    request = {
        "duration": 30,
        "start": MON_2026_03_02,
        "end": MON_2026_03_02,
        "tz": "UTC",
        "now": WEEK_BEFORE,
    }
    with pytest.raises(SchedulingError) as refused:
        find_slots(week("UTC", "mon", ("09:00", "17:00")), [], **(request | change))
    assert refused.value.code == code


def test_unknown_agent_zone_is_refused():
    with pytest.raises(SchedulingError) as refused:
        offered(week("Nowhere/Town", "mon", ("09:00", "17:00")), day=MON_2026_03_02, tz="UTC")
    assert refused.value.code == "invalid_timezone"


@pytest.mark.parametrize(
    "hours, breaks",
    [
        ({"mon": [("9:00", "17:00")]}, []),
        ({"mon": [("17:00", "09:00")]}, []),
        ({"xyz": []}, []),
        ({}, [("13:00",)]),
    ],
)
def test_malformed_rules_are_refused(hours, breaks):
    with pytest.raises(SchedulingError) as refused:
        AvailabilityRules(timezone="UTC", working_hours=hours, breaks=breaks)
    assert refused.value.code == "invalid_rules"


# --- one code path for the list, the service and the booking ---------------------------------------


def test_service_slots_is_the_union_with_free_members():
    rules = week("UTC", "mon", ("09:00", "11:00"))
    members = {
        "bob": (rules, busy(("2026-03-02 09:00", "2026-03-02 10:00"))),
        "alice": (rules, busy(("2026-03-02 10:00", "2026-03-02 11:00"))),
        "carol": (week("UTC", "tue", ("09:00", "11:00")), []),
    }
    result = service_slots(
        members, duration=60, start=MON_2026_03_02, end=MON_2026_03_02, tz="UTC", now=WEEK_BEFORE
    )
    assert result == {at("2026-03-02 09:00"): ["alice"], at("2026-03-02 10:00"): ["bob"]}
    both_free = service_slots(
        {"bob": (rules, []), "alice": (rules, [])},
        duration=60,
        start=MON_2026_03_02,
        end=MON_2026_03_02,
        tz="UTC",
        now=WEEK_BEFORE,
    )
    assert list(both_free.values()) == [["alice", "bob"], ["alice", "bob"]]


def test_booking_check_agrees_with_the_list():
    rules = week("Europe/London", "sun mon", ("00:00", "05:00"), before=15)
    taken = busy(("2026-03-29 02:00", "2026-03-29 02:20"))
    kwargs = {"duration": 45, "now": at("2026-03-20 00:00")}
    listed = find_slots(
        rules, taken, start=date(2026, 3, 28), end=date(2026, 3, 31), tz="Asia/Tokyo", **kwargs
    )
    assert listed
    for slot in listed:
        assert is_slot_free(rules, taken, start_at=slot, **kwargs)
    for slot in (
        at("2026-03-29 02:00"),
        at("2026-03-29 00:10"),
        at("2026-03-30 00:00") - timedelta(minutes=1),
    ):
        assert not is_slot_free(rules, taken, start_at=slot, **kwargs)
    assert not is_slot_free(
        rules, taken, start_at=listed[0], duration=45, now=listed[0] + timedelta(seconds=1)
    )


def test_merge_intervals_unions_overlapping_and_touching_in_utc():
    merged = merge_intervals(
        busy(
            ("2026-03-02T12:00+02:00", "2026-03-02T13:00+02:00"),  # 10:00–11:00Z
            ("2026-03-02 09:00", "2026-03-02 10:00"),  # touches
            ("2026-03-02 10:30", "2026-03-02 10:45"),  # inside
            ("2026-03-02 15:00", "2026-03-02 15:00"),  # empty
            ("2026-03-02 12:00", "2026-03-02 12:30"),
        )
    )
    assert merged == busy(("2026-03-02 09:00", "2026-03-02 11:00"), ("2026-03-02 12:00", "2026-03-02 12:30"))
    assert all(iv.start.tzinfo is UTC for iv in merged)
