"""Who gets the meeting, which lengths are allowed, what a meeting's state permits, when reminders go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scheduling.booking_rules import (
    MemberLoad,
    check_duration,
    check_meeting_change,
    choose_member,
    meeting_change_allowed,
)
from scheduling.errors import SchedulingError
from scheduling.reminders import reminder_time

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.mark.parametrize(
    "free, stats, chosen",
    [
        # fewest meetings in the last 30 days wins
        (["ann", "ben"], {"ann": MemberLoad(5, days_ago(1)), "ben": MemberLoad(2, days_ago(0.1))}, "ben"),
        # same load: the one who waited longest since their last booking
        (["ann", "ben"], {"ann": MemberLoad(3, days_ago(1)), "ben": MemberLoad(3, days_ago(9))}, "ben"),
        # never booked waits longest of all
        (["ann", "ben"], {"ann": MemberLoad(0, None), "ben": MemberLoad(0, days_ago(29))}, "ann"),
        # a member without stats counts as never booked
        (["cat", "ann"], {"ann": MemberLoad(0, days_ago(2))}, "cat"),
        # a full tie falls back to the name, so the choice is reproducible
        (["ben", "ann"], {"ann": MemberLoad(1, days_ago(2)), "ben": MemberLoad(1, days_ago(2))}, "ann"),
        # only free members are considered, however idle the others are
        (["ann"], {"ann": MemberLoad(9, NOW), "zoe": MemberLoad(0, None)}, "ann"),
    ],
)
def test_choose_member_is_fair(free, stats, chosen):
    assert choose_member(free, stats) == chosen


def test_choose_member_compares_booking_times_across_offsets():
    plus_two = timezone(timedelta(hours=2))
    stats = {
        "ann": MemberLoad(1, datetime(2026, 3, 1, 11, 0, tzinfo=plus_two)),  # 09:00Z: earlier
        "ben": MemberLoad(1, datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
    }
    assert choose_member(["ben", "ann"], stats) == "ann"


def test_nobody_free_is_refused():
    with pytest.raises(SchedulingError) as refused:
        choose_member([], {})
    assert refused.value.code == "no_free_member"


@pytest.mark.parametrize("duration, allowed", [(30, (30,)), (15, (15, 60)), (360, (360,))])
def test_allowed_durations_pass(duration, allowed):
    check_duration(duration, allowed)


@pytest.mark.parametrize("duration, allowed", [(14, (14, 30)), (361, (361,)), (45, (30, 60)), (True, (1,))])
def test_other_durations_are_refused(duration, allowed):
    with pytest.raises(SchedulingError) as refused:
        check_duration(duration, allowed)
    assert refused.value.code == "invalid_duration"


@pytest.mark.parametrize(
    "status, start_at, code",
    [
        ("booked", NOW + timedelta(minutes=1), None),
        ("rescheduled", NOW + timedelta(days=3), None),
        ("cancelled", NOW + timedelta(days=3), "meeting_cancelled"),
        ("booked", NOW, "meeting_in_past"),  # starting right now counts as started
        ("booked", NOW - timedelta(hours=1), "meeting_in_past"),
        ("cancelled", NOW - timedelta(hours=1), "meeting_cancelled"),
    ],
)
def test_what_a_meeting_may_still_do(status, start_at, code):
    assert meeting_change_allowed(status, start_at, NOW) is (code is None)
    if code is None:
        check_meeting_change(status, start_at, NOW)
    else:
        with pytest.raises(SchedulingError) as refused:
            check_meeting_change(status, start_at, NOW)
        assert refused.value.code == code


# --- reminders -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start_at, minutes, now, expected",
    [
        ("2026-03-02T15:00Z", 15, "2026-03-02T09:00Z", "2026-03-02T14:45Z"),
        ("2026-03-02T15:00Z", 15, "2026-03-02T14:50Z", "2026-03-02T14:50Z"),  # late booking: now
        ("2026-03-02T15:00Z", 0, "2026-03-02T09:00Z", "2026-03-02T15:00Z"),
        ("2026-03-02T15:00Z", 15, "2026-03-02T15:00Z", None),  # started: no reminder
        ("2026-03-02T15:00Z", 15, "2026-03-02T16:00Z", None),
        # 03:30 BST on the spring-forward night is 02:30Z; an hour earlier is 01:30Z = 01:30 GMT,
        # two wall-clock hours earlier: reminders count elapsed time.
        ("2026-03-29T03:30+01:00", 60, "2026-03-28T12:00Z", "2026-03-29T01:30Z"),
        # the fall-back night in New York: 01:30 EST (second one) minus 60' is 01:30 EDT
        ("2026-11-01T01:30-05:00", 60, "2026-10-31T12:00Z", "2026-11-01T05:30Z"),
    ],
)
def test_reminder_time(start_at, minutes, now, expected):
    moment = reminder_time(datetime.fromisoformat(start_at), minutes, datetime.fromisoformat(now))
    assert moment == (datetime.fromisoformat(expected) if expected else None)
    assert moment is None or moment.tzinfo is UTC


def test_reminder_refuses_naive_times():
    with pytest.raises(SchedulingError):
        reminder_time(datetime(2026, 3, 2, 15), 15, NOW)
