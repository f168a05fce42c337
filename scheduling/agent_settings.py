"""One agent's scheduling settings: validated once from JSON-ish input, then a frozen value.

Every refusal is ``SchedulingError("invalid_settings", <sentence naming the field>, field=<name>)``
so the web settings page, Slack and Teams can all show the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from scheduling.availability import MAX_DURATION, MIN_DURATION, WEEKDAYS, AvailabilityRules
from scheduling.errors import SchedulingError
from scheduling.intervals import parse_hhmm
from scheduling.zones import is_zone

ALLOWED_BUFFERS = (0, 15, 30)
MAX_REMINDER_MINUTES = 7 * 24 * 60
MAX_NOTICE_MINUTES = 31 * 24 * 60  # beyond the one-month horizon nothing could be booked
TimeRange = tuple[str, str]


def _default_hours() -> Mapping[str, tuple[TimeRange, ...]]:
    return MappingProxyType({day: (("09:00", "17:00"),) for day in WEEKDAYS[:5]})


@dataclass(frozen=True)
class SchedulingSettings:
    timezone: str = "Europe/Berlin"
    durations: tuple[int, ...] = (30,)
    default_duration: int = 30
    buffer_before: int = 0
    buffer_after: int = 0
    # Weekdays missing from the mapping are days off.
    working_hours: Mapping[str, tuple[TimeRange, ...]] = field(default_factory=_default_hours)
    lunch_break: TimeRange | None = ("13:00", "14:00")
    min_notice: int = 0
    slot_step: int | None = None  # None: the grid steps by the meeting's duration
    reminder_minutes: int = 15
    booking_calendars: tuple[str, ...] = ("primary",)
    busy_calendars: tuple[str, ...] = ("primary",)

    def __post_init__(self) -> None:
        # Constructing directly is held to the same rules as parse_settings.
        _validate(self)

    def rules(self) -> AvailabilityRules:
        return AvailabilityRules(
            timezone=self.timezone,
            working_hours={day: list(ranges) for day, ranges in self.working_hours.items()},
            breaks=[self.lunch_break] if self.lunch_break else [],
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
        )


def _fail(name: str, sentence: str) -> SchedulingError:
    return SchedulingError("invalid_settings", sentence, field=name)


def _int(name: str, value: object, *, low: int, high: int) -> int:
    # bool is an int in Python, but `true` is never a number of minutes.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(name, f"{name} must be a whole number from {low} to {high}, not {value!r}.")
    return value


def _time_range(name: str, value: object) -> TimeRange:
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise _fail(name, f"{name} must be a pair of times like ['09:00', '17:00'], not {value!r}.")
    start, end = value
    try:
        start_minute, end_minute = parse_hhmm(start), parse_hhmm(end)
    except ValueError as exc:
        raise _fail(name, f"{name}: {exc}.") from exc
    if end_minute <= start_minute:
        raise _fail(name, f"{name} ends at {end} before it starts at {start}.")
    return (start, end)


def _calendars(name: str, value: object, *, required: bool) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _fail(name, f"{name} must be a list of calendar ids, not {value!r}.")
    ids = tuple(value)
    if any(not isinstance(i, str) or not i.strip() for i in ids):
        raise _fail(name, f"{name} must contain only non-empty calendar ids.")
    if required and not ids:
        raise _fail(name, f"{name} needs at least one calendar.")
    return ids


def _validate(s: SchedulingSettings) -> None:
    if not is_zone(s.timezone):
        raise _fail("timezone", f"timezone {s.timezone!r:.70} is not a known IANA time zone.")
    if not s.durations:
        raise _fail("durations", "durations needs at least one allowed meeting length.")
    for minutes in s.durations:
        _int("durations", minutes, low=MIN_DURATION, high=MAX_DURATION)
    _int("default_duration", s.default_duration, low=MIN_DURATION, high=MAX_DURATION)
    if s.default_duration not in s.durations:
        raise _fail(
            "default_duration", f"default_duration {s.default_duration} is not one of {list(s.durations)}."
        )
    for name in ("buffer_before", "buffer_after"):
        value = getattr(s, name)
        if value not in ALLOWED_BUFFERS or isinstance(value, bool):
            raise _fail(name, f"{name} must be 0, 15 or 30 minutes, not {value!r}.")
    for day, ranges in s.working_hours.items():
        if day not in WEEKDAYS:
            raise _fail("working_hours", f"working_hours has an unknown weekday {day!r}; use mon..sun.")
        for pair in ranges:
            _time_range(f"working_hours.{day}", pair)
    if s.lunch_break is not None:
        _time_range("lunch_break", s.lunch_break)
    _int("min_notice", s.min_notice, low=0, high=MAX_NOTICE_MINUTES)
    if s.slot_step is not None:
        _int("slot_step", s.slot_step, low=5, high=MAX_DURATION)
    _int("reminder_minutes", s.reminder_minutes, low=0, high=MAX_REMINDER_MINUTES)
    _calendars("booking_calendars", s.booking_calendars, required=True)
    _calendars("busy_calendars", s.busy_calendars, required=False)


_FIELD_NAMES = frozenset(f.name for f in fields(SchedulingSettings))


def default_duration_for(durations: Iterable[Any]) -> int:
    """The length a form starts on when the agent chose none: 30 when offered, else the shortest."""
    offered = [d for d in durations if isinstance(d, int) and not isinstance(d, bool)]
    if not offered or 30 in offered:
        return 30
    return min(offered)


def parse_settings(data: Mapping[str, Any]) -> SchedulingSettings:
    """From stored or submitted JSON: missing keys take defaults; unknown keys are refused so a
    typo ("buffer_befor") is not silently ignored."""
    if not isinstance(data, Mapping):
        raise _fail("settings", "Scheduling settings must be an object.")
    unknown = sorted(set(data) - _FIELD_NAMES)
    if unknown:
        raise _fail(unknown[0], f"{unknown[0]!r} is not a scheduling setting.")
    values: dict[str, Any] = dict(data)
    if "durations" in values:
        durations = values["durations"]
        if isinstance(durations, str) or not isinstance(durations, Sequence):
            raise _fail("durations", f"durations must be a list of minutes, not {durations!r}.")
        values["durations"] = tuple(durations)
        values.setdefault("default_duration", default_duration_for(values["durations"]))
    if "working_hours" in values:
        hours = values["working_hours"]
        if not isinstance(hours, Mapping):
            raise _fail("working_hours", "working_hours must map weekdays (mon..sun) to lists of time pairs.")
        parsed: dict[str, tuple[TimeRange, ...]] = {}
        for day, ranges in hours.items():
            if isinstance(ranges, str) or not isinstance(ranges, Sequence):
                raise _fail("working_hours", f"working_hours.{day} must be a list of time pairs.")
            parsed[day] = tuple(_time_range(f"working_hours.{day}", pair) for pair in ranges)
        values["working_hours"] = MappingProxyType(parsed)
    if values.get("lunch_break") is not None:
        values["lunch_break"] = _time_range("lunch_break", values["lunch_break"])
    for name in ("booking_calendars", "busy_calendars"):
        if name in values:
            values[name] = _calendars(name, values[name], required=False)
    return SchedulingSettings(**values)


def settings_to_dict(s: SchedulingSettings) -> dict[str, Any]:
    """JSON-serialisable; ``parse_settings(settings_to_dict(s)) == s``."""
    return {
        "timezone": s.timezone,
        "durations": list(s.durations),
        "default_duration": s.default_duration,
        "buffer_before": s.buffer_before,
        "buffer_after": s.buffer_after,
        "working_hours": {
            day: [list(pair) for pair in s.working_hours[day]] for day in WEEKDAYS if day in s.working_hours
        },
        "lunch_break": list(s.lunch_break) if s.lunch_break else None,
        "min_notice": s.min_notice,
        "slot_step": s.slot_step,
        "reminder_minutes": s.reminder_minutes,
        "booking_calendars": list(s.booking_calendars),
        "busy_calendars": list(s.busy_calendars),
    }
