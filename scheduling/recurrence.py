"""Occurrences of a recurring event (RFC 5545 RRULE), expanded in the event's own zone.

A weekly 09:00 meeting in Berlin stays at 09:00 Berlin across the DST changes, so the rule is expanded
on wall-clock times in its IANA zone and each occurrence is turned into UTC afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from scheduling.errors import SchedulingError

MAX_SCANNED = 5000  # occurrences looked at before giving up: years of a daily meeting
_UNTIL = re.compile(r"UNTIL=(\d{8}(?:T\d{6})?Z?)", re.IGNORECASE)


def _wall_until(rule: str, tz: ZoneInfo) -> str:
    """UNTIL in UTC ("…Z") becomes wall-clock time in ``tz``, as a naive rule needs."""

    def convert(match: re.Match[str]) -> str:
        value = match.group(1)
        if not value.upper().endswith("Z"):
            return match.group(0)
        moment = datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")

    return _UNTIL.sub(convert, rule)


def next_start(
    start: datetime, zone: str, rrule: str, after: datetime, skip: Iterable[datetime] = ()
) -> datetime | None:
    """The UTC start of the first occurrence strictly after ``after``; ``skip`` lists instances that are
    excluded, cancelled or moved (they are followed on their own). None when the series is over."""
    skipped = {s.astimezone(UTC) for s in skip}
    if not rrule:
        return start if start > after and start not in skipped else None
    tz = ZoneInfo(zone)
    wall_start = start.astimezone(tz).replace(tzinfo=None)
    try:
        rule = rrulestr(_wall_until(rrule, tz), dtstart=wall_start)
    except (ValueError, TypeError) as error:
        raise SchedulingError("invalid_rrule", f"The recurrence rule could not be read ({error}).") from None
    wall: datetime
    for index, wall in enumerate(rule):
        if index >= MAX_SCANNED:
            return None
        moment = wall.replace(tzinfo=tz).astimezone(UTC)
        if moment > after and moment not in skipped:
            return moment
    return None
