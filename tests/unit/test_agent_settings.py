"""An agent's scheduling settings: defaults, round trips, and a sentence for every bad value."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from scheduling.agent_settings import SchedulingSettings, parse_settings, settings_to_dict
from scheduling.availability import find_slots
from scheduling.errors import SchedulingError


def test_defaults():
    s = parse_settings({})
    assert s == SchedulingSettings()
    assert (s.timezone, s.durations, s.default_duration) == ("Europe/Berlin", (30,), 30)
    assert (s.buffer_before, s.buffer_after, s.min_notice, s.slot_step, s.reminder_minutes) == (
        0,
        0,
        0,
        None,
        15,
    )
    assert dict(s.working_hours) == {d: (("09:00", "17:00"),) for d in ("mon", "tue", "wed", "thu", "fri")}
    assert s.lunch_break == ("13:00", "14:00")
    assert s.booking_calendars == ("primary",) and s.busy_calendars == ("primary",)


FULL = {
    "timezone": "America/New_York",
    "durations": [15, 45, 360],
    "default_duration": 45,
    "buffer_before": 15,
    "buffer_after": 30,
    "working_hours": {"mon": [["08:00", "12:00"], ["13:00", "24:00"]], "sat": [["10:00", "14:00"]]},
    "lunch_break": None,
    "min_notice": 120,
    "slot_step": 15,
    "reminder_minutes": 60,
    "booking_calendars": ["work"],
    "busy_calendars": ["work", "family"],
}


def test_round_trip_through_json():
    s = parse_settings(FULL)
    as_json = json.loads(json.dumps(settings_to_dict(s)))
    assert as_json == FULL
    assert parse_settings(as_json) == s
    assert parse_settings(settings_to_dict(SchedulingSettings())) == SchedulingSettings()


def test_default_duration_follows_the_first_allowed_one():
    assert parse_settings({"durations": [60, 90]}).default_duration == 60


def test_rules_drive_availability():
    s = parse_settings(
        {"timezone": "UTC", "working_hours": {"mon": [["12:00", "15:00"]]}, "buffer_after": 30}
    )
    rules = s.rules()
    assert rules.breaks == [("13:00", "14:00")] and rules.buffer_after == 30
    slots = find_slots(
        rules,
        [],
        duration=60,
        start=date(2026, 3, 2),
        end=date(2026, 3, 2),
        tz="UTC",
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert [s.hour for s in slots] == [12, 14]  # the lunch break splits the afternoon
    assert parse_settings({"lunch_break": None}).rules().breaks == []


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"durations": [10]}, "durations", "15 to 360"),
        ({"durations": [30, 400]}, "durations", "15 to 360"),
        ({"durations": []}, "durations", "at least one"),
        ({"durations": "30"}, "durations", "list"),
        ({"durations": [30], "default_duration": 60}, "default_duration", "not one of"),
        ({"buffer_before": 10}, "buffer_before", "0, 15 or 30"),
        ({"buffer_after": True}, "buffer_after", "0, 15 or 30"),
        ({"working_hours": {"mon": [["9:00", "17:00"]]}}, "working_hours.mon", "09:30"),
        ({"working_hours": {"mon": [["09:00", "25:00"]]}}, "working_hours.mon", "24:00"),
        ({"working_hours": {"mon": [["17:00", "09:00"]]}}, "working_hours.mon", "before it starts"),
        ({"working_hours": {"monday": [["09:00", "17:00"]]}}, "working_hours", "unknown weekday"),
        ({"working_hours": {"mon": "09:00-17:00"}}, "working_hours", "list"),
        ({"working_hours": [["09:00", "17:00"]]}, "working_hours", "weekdays"),
        ({"lunch_break": ["14:00", "13:00"]}, "lunch_break", "before it starts"),
        ({"lunch_break": "13:00"}, "lunch_break", "pair"),
        ({"min_notice": -1}, "min_notice", "whole number"),
        ({"slot_step": 0}, "slot_step", "whole number"),
        ({"reminder_minutes": "15"}, "reminder_minutes", "whole number"),
        ({"booking_calendars": []}, "booking_calendars", "at least one"),
        ({"busy_calendars": "primary"}, "busy_calendars", "list"),
        ({"busy_calendars": [""]}, "busy_calendars", "non-empty"),
        ({"buffer_befor": 15}, "buffer_befor", "not a scheduling setting"),
    ],
)
def test_bad_values_are_refused_with_a_sentence_naming_the_field(data, field, words):
    with pytest.raises(SchedulingError) as refused:
        parse_settings(data)
    assert refused.value.code == "invalid_settings"
    assert refused.value.details["field"] == field
    assert field.split(".")[0] in refused.value.message and words in refused.value.message


def test_constructing_directly_is_held_to_the_same_rules():
    with pytest.raises(SchedulingError):
        SchedulingSettings(buffer_before=20)
    assert SchedulingSettings(busy_calendars=()).busy_calendars == ()
