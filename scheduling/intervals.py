"""Small interval helpers shared by availability and agent settings.

Two kinds of interval live here: wall-clock minute ranges within one day (``(540, 1020)`` is
09:00–17:00, ``1440`` is the next midnight) and absolute :class:`Interval`s in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from scheduling.calendar import Interval

MINUTES_PER_DAY = 1440
_HHMM = re.compile(r"(\d{2}):(\d{2})")

MinuteRange = tuple[int, int]


def parse_hhmm(text: str) -> int:
    """``"09:30"`` → 570. ``"24:00"`` is accepted (the next midnight) so a day can run to its end."""
    match = _HHMM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a time like 09:30")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"{text!r} is not a time between 00:00 and 24:00")
    return hours * 60 + minutes


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def merge_minutes(ranges: Iterable[MinuteRange]) -> list[MinuteRange]:
    """Sorted union; touching ranges merge too, so 09:00–12:00 + 12:00–17:00 is one period."""
    merged: list[MinuteRange] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_minutes(ranges: Iterable[MinuteRange], cuts: Iterable[MinuteRange]) -> list[MinuteRange]:
    """``ranges`` minus ``cuts``; both are merged first, the result is sorted and non-empty pieces only."""
    pieces: list[MinuteRange] = []
    merged_cuts = merge_minutes(cuts)
    for start, end in merge_minutes(ranges):
        cursor = start
        for cut_start, cut_end in merged_cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                pieces.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            pieces.append((cursor, end))
    return pieces


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union of half-open intervals in any offset, returned in UTC.

    Overlapping and touching intervals merge (``[9,10) + [10,11)`` is ``[9,11)``); empty or
    inverted intervals cover no time and are dropped.
    """
    spans = sorted(
        (iv.start.astimezone(UTC), iv.end.astimezone(UTC)) for iv in intervals if iv.end > iv.start
    )
    merged: list[list[datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [Interval(start, end) for start, end in merged]
