"""Is someone at work now, and when does work start next: the pure rule behind the widget's
"We typically reply in a few minutes" and its away notice.

A person is at work while ``now`` is inside one of their working periods (their week in their own
zone, ``{"mon": [("09:00", "17:00")], …}``); a lunch break does not make them away, since replies
in the chat are not meetings. Wall-clock times become instants with the same DST rule as
:mod:`scheduling.availability` (``fold=0``: a time in a spring-forward gap takes the offset before
the change, an ambiguous fall-back time is its first occurrence), so "09:00" is 08:00Z in Berlin's
winter and 07:00Z in its summer, and the week of a clock change has the right instants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from scheduling.availability import WEEKDAYS, _wall_timestamp, _zone
from scheduling.errors import SchedulingError
from scheduling.intervals import parse_hhmm

__all__ = ["LOOKAHEAD_DAYS", "Hours", "at_work", "next_opening"]

Hours = Mapping[str, Sequence[tuple[str, str]]]
LOOKAHEAD_DAYS = 14  # a person with no hours in two weeks has no "next opening" worth showing


def _periods(hours: Hours, zone_key: str, now: datetime) -> list[tuple[datetime, datetime]]:
    """Working periods as UTC instants, from the day before ``now`` (in the person's zone, so a
    night shift that started yesterday counts) up to ``LOOKAHEAD_DAYS`` ahead, in order."""
    if now.utcoffset() is None:
        raise SchedulingError("invalid_time", "now must be a timezone-aware datetime.")
    zone = _zone(zone_key)
    today: date = now.astimezone(zone).date()
    found = []
    for offset in range(-1, LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        for start_text, end_text in hours.get(WEEKDAYS[day.weekday()], ()):
            start = _wall_timestamp(zone, day, parse_hhmm(start_text))
            end = _wall_timestamp(zone, day, parse_hhmm(end_text))
            if end > start:
                found.append((datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)))
    return sorted(found)


def at_work(hours: Hours, zone: str, now: datetime) -> bool:
    """Whether ``now`` falls inside one of the working periods (start included, end excluded)."""
    return any(start <= now < end for start, end in _periods(hours, zone, now))


def next_opening(hours: Hours, zone: str, now: datetime) -> datetime | None:
    """The first start of work after ``now`` (UTC); ``None`` without working hours in the lookahead."""
    return next((start for start, _ in _periods(hours, zone, now) if start > now), None)
