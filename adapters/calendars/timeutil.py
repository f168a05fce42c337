"""Time plumbing at the providers' edge: everything leaving a provider is aware UTC (see the port)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from scheduling.calendar import Interval

T = TypeVar("T")


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime at the calendar port; instants must be timezone-aware")
    return moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_wall_time(moment: datetime, zone: str) -> str:
    """Wall-clock time in ``zone`` without offset, as calendars want it next to a ``timeZone``."""
    return as_utc(moment).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S")


def parse_instant(text: str, zone: str | None) -> datetime:
    """An ISO timestamp; one without an offset is read in ``zone`` (UTC when unknown)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
    return moment.astimezone(UTC)


def day_start(day: str, zone: str) -> datetime:
    """Midnight of an all-day date in the calendar's zone (a DST day is 23 or 25 hours long)."""
    return datetime.combine(date.fromisoformat(day), time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def split_window(start: datetime, end: datetime, max_span: timedelta) -> list[tuple[datetime, datetime]]:
    pieces: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor < end:
        stop = min(end, cursor + max_span)
        pieces.append((cursor, stop))
        cursor = stop
    return pieces


def batched(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def merge(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """Clip to the asked window, sort and merge overlaps, so callers get one clean busy list."""
    start, end = as_utc(start), as_utc(end)
    clipped = sorted(
        (max(i.start, start), min(i.end, end)) for i in intervals if i.end > start and i.start < end
    )
    merged: list[Interval] = []
    for s, e in clipped:
        if s >= e:
            continue
        if merged and s <= merged[-1].end:
            if e > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, e)
        else:
            merged.append(Interval(s, e))
    return merged
