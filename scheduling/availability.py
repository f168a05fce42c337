"""When an agent can be booked: one pure function behind both the slot list and the booking check.

DST choices. Wall-clock times are turned into instants with :mod:`zoneinfo` and ``fold=0``, which
gives exactly the rule we promise: a time inside a spring-forward gap takes the offset *before*
the change (01:30 Europe/London on 2026-03-29 is 01:30Z), an ambiguous fall-back time is its
*first* occurrence (01:30 America/New_York on 2026-11-01 is 05:30Z). Pendulum's ``datetime()``
default (``fold=1``) agrees on gaps but picks the *second* occurrence of ambiguous times, and its
``fold=0`` picks the offset *after* a gap, so neither pendulum setting matches both rules; zoneinfo
is also several times faster in the per-day loop. The tests pin these instants.

Speed. Everything inside the loops is a float/int POSIX timestamp: busy time is converted, widened
by the buffers, sorted and merged once per agent; candidates of a period are swept against it with
one forward-moving pointer (placed by ``bisect`` at each period start). Only agent-local dates that
can meet the guest window clamped to ``[now + notice, now + 1 month]`` are visited.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter, ge
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduling.calendar import Interval
from scheduling.errors import SchedulingError
from scheduling.intervals import MinuteRange, merge_intervals, parse_hhmm, subtract_minutes

__all__ = [
    "WEEKDAYS",
    "AvailabilityRules",
    "booking_horizon",
    "find_slots",
    "is_slot_free",
    "merge_intervals",
    "service_slots",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_DURATION, MAX_DURATION = 15, 360
# A guest's local date is monotonic in time except where a zone moves its clock back across
# midnight. No zone's single shift exceeds the -12:00..+14:00 span, so an instant more than 26 h
# inside [first instant of start date, first instant after end date) surely has its date in range;
# only starts near the edges are converted one by one.
_OFFSET_SPAN = 26 * 3600
_DAY = timedelta(days=1)

Pieces = tuple[MinuteRange, ...]


@dataclass(frozen=True)
class AvailabilityRules:
    """An agent's week in their own zone. ``working_hours`` maps ``mon``..``sun`` to
    ``[("09:00", "17:00"), …]``; ``breaks`` apply to every working day; buffers are minutes."""

    timezone: str
    working_hours: Mapping[str, Sequence[tuple[str, str]]]
    breaks: Sequence[tuple[str, str]] = ()
    buffer_before: int = 0
    buffer_after: int = 0
    # Working periods per weekday (Mon=0) as minute ranges, computed once: find_slots runs per request.
    periods_by_weekday: tuple[Pieces, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.working_hours) - set(WEEKDAYS))
        if unknown:
            raise SchedulingError("invalid_rules", f"Unknown weekday {unknown[0]!r}; use mon..sun.")
        for name in ("buffer_before", "buffer_after"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SchedulingError("invalid_rules", f"{name} must be a whole number of minutes ≥ 0.")
        breaks = [_minute_range(pair, "break") for pair in self.breaks]
        periods = tuple(
            tuple(
                subtract_minutes(
                    (
                        _minute_range(pair, f"working hours on {day}")
                        for pair in self.working_hours.get(day, ())
                    ),
                    breaks,
                )
            )
            for day in WEEKDAYS
        )
        object.__setattr__(self, "periods_by_weekday", periods)


def _minute_range(pair: Sequence[str], what: str) -> MinuteRange:
    try:
        start_text, end_text = pair
        start, end = parse_hhmm(start_text), parse_hhmm(end_text)
    except (TypeError, ValueError) as exc:
        raise SchedulingError(
            "invalid_rules", f"The {what} {pair!r} are not like ('09:00', '17:00')."
        ) from exc
    if end <= start:
        raise SchedulingError("invalid_rules", f"The {what} {pair!r} end before they start.")
    return start, end


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise SchedulingError("invalid_timezone", f"{key!r} is not a known time zone.") from exc


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise SchedulingError("invalid_time", f"{name} must be a timezone-aware datetime.")


def booking_horizon(now: datetime) -> datetime:
    """The latest bookable start: same day and time next month in UTC, clamped to that month's end
    (2026-01-31T10:00Z → 2026-02-28T10:00Z)."""
    now = now.astimezone(UTC)
    year, month = (now.year, now.month + 1) if now.month < 12 else (now.year + 1, 1)
    return now.replace(year=year, month=month, day=min(now.day, monthrange(year, month)[1]))


def _wall_timestamp(zone: ZoneInfo, day: date, minute: int) -> int:
    if minute >= 1440:  # "24:00" is the next midnight, which may itself be shifted by DST
        day, minute = day + _DAY, minute - 1440
    # fold=0: gap → offset before the change, ambiguous → first occurrence (see module docstring).
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return int(local.timestamp())


@lru_cache(maxsize=16384)
def _day_periods(zone_key: str, ordinal: int, pieces: Pieces) -> tuple[tuple[int, int], ...]:
    # Cached across calls: members of a service usually share a zone and hours, and the same days
    # are asked for again and again by the slot list and the booking check.
    zone, day = ZoneInfo(zone_key), date.fromordinal(ordinal)
    return tuple((_wall_timestamp(zone, day, a), _wall_timestamp(zone, day, b)) for a, b in pieces)


@dataclass(frozen=True)
class _Query:
    """The guest's request, validated and reduced to timestamps once (shared by a whole service)."""

    duration_s: int
    step_s: int
    first: float  # earliest allowed start: max(now + notice, guest window start - slack)
    last: float  # latest allowed start: min(now + 1 month, guest window end + slack)
    guest_zone: ZoneInfo
    guest_lo: int  # first instant of the guest's start date
    guest_hi: int  # first instant after the guest's end date
    start: date
    end: date

    def date_ok(self, ts: int) -> bool:
        # Far from the window edges the bounds decide; near them (or in zones whose midnight
        # repeats) we read the guest's local date directly.
        if self.guest_lo + _OFFSET_SPAN <= ts < self.guest_hi - _OFFSET_SPAN:
            return True
        return self.start <= datetime.fromtimestamp(ts, self.guest_zone).date() <= self.end


def _query(
    *,
    duration: int,
    start: date,
    end: date,
    tz: str,
    now: datetime,
    step: int | None,
    min_notice: int,
    horizon: datetime | None = None,
) -> _Query | None:
    """Validates the request; ``None`` means the window cannot hold any slot."""
    if not _is_int(duration) or not MIN_DURATION <= duration <= MAX_DURATION:
        raise SchedulingError(
            "invalid_duration", f"A meeting lasts {MIN_DURATION} to {MAX_DURATION} minutes, not {duration!r}."
        )
    step = duration if step is None else step
    if not _is_int(step) or step <= 0:
        raise SchedulingError(
            "invalid_step", f"The slot step must be a positive number of minutes, not {step!r}."
        )
    if not _is_int(min_notice) or min_notice < 0:
        raise SchedulingError("invalid_notice", f"Minimum notice must be ≥ 0 minutes, not {min_notice!r}.")
    if end < start:
        raise SchedulingError("invalid_range", f"The range ends ({end}) before it starts ({start}).")
    guest_zone = _zone(tz)
    _require_aware(now, "now")
    try:
        guest_lo = _wall_timestamp(guest_zone, start, 0)
        guest_hi = _wall_timestamp(guest_zone, end + _DAY, 0)
    except OverflowError as exc:
        raise SchedulingError("invalid_range", "The range is outside the calendar.") from exc
    first = max(now.timestamp() + min_notice * 60, guest_lo - _OFFSET_SPAN)
    # ``horizon``: an invitation's own limit (up to 90 days) instead of the personal link's month.
    limit = booking_horizon(now) if horizon is None else horizon
    last = min(limit.timestamp(), guest_hi + _OFFSET_SPAN)
    if first > last:
        return None
    return _Query(duration * 60, step * 60, first, last, guest_zone, guest_lo, guest_hi, start, end)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=1024)
def _periods_between(
    zone_key: str, periods_by_weekday: tuple[Pieces, ...], first_ordinal: int, last_ordinal: int
) -> tuple[tuple[int, int], ...]:
    """Working periods as (start, end) POSIX seconds for agent-local dates first..last inclusive."""
    out: list[tuple[int, int]] = []
    for ordinal in range(first_ordinal, last_ordinal + 1):
        pieces = periods_by_weekday[date.fromordinal(ordinal).weekday()]
        if pieces:
            out.extend(_day_periods(zone_key, ordinal, pieces))
    return tuple(out)


_start_of, _end_of, _timestamp = attrgetter("start"), attrgetter("end"), datetime.timestamp


def _busy_edges(busy: Iterable[Interval]) -> tuple[list[float], list[float]]:
    """Busy starts and ends as two separately sorted lists of POSIX seconds.

    No merging needed: pairing the k-th smallest start with the k-th smallest end covers exactly
    the same time as the original intervals (at every instant as many have started and not ended),
    and with both lists sorted the first end after ``s`` sits next to the smallest start that can
    still reach ``s``. Sorting plain floats is also much faster than sorting pairs.
    """
    items = busy if isinstance(busy, list | tuple) else list(busy)
    # map() keeps the per-interval work in C: for a large service this is the hot part.
    starts = list(map(_timestamp, map(_start_of, items)))
    ends = list(map(_timestamp, map(_end_of, items)))
    if any(map(ge, starts, ends)):  # an empty interval covers no time, buffers or not
        kept = [(a, b) for a, b in zip(starts, ends, strict=True) if b > a]
        starts, ends = [a for a, _ in kept], [b for _, b in kept]
    starts.sort()
    ends.sort()
    return starts, ends


def _member_starts(rules: AvailabilityRules, busy: Iterable[Interval], q: _Query) -> list[int]:
    """Offered starts of one agent as sorted, unique POSIX seconds.

    Per working period the grid ``period_start + k·step`` is walked from free run to free run:
    a blocked candidate jumps straight to the first grid point after the blocking busy span, and a
    free run is emitted as a ``range``, so the work is O(busy + offered), not O(candidates × busy).
    """
    zone = _zone(rules.timezone)
    busy_starts, busy_ends = _busy_edges(busy)
    # Buffers widen busy time instead of meetings: busy [b0, b1) blocks a meeting [s, s + duration)
    # iff b0 - after < s + duration and b1 + before > s.
    reach_back, reach_ahead = rules.buffer_before * 60, q.duration_s + rules.buffer_after * 60
    n_busy = len(busy_starts)
    duration, step, first, last = q.duration_s, q.step_s, q.first, q.last
    # Starts inside [inner_lo, inner_hi) surely have a guest date within the window.
    inner_lo, inner_hi = q.guest_lo + _OFFSET_SPAN, q.guest_hi - _OFFSET_SPAN
    out: list[int] = []
    ordered = True
    # ±1 day: a wall-clock period of one date can land on the neighbouring date elsewhere.
    first_day = datetime.fromtimestamp(first, zone).date() - _DAY
    last_day = datetime.fromtimestamp(last, zone).date() + _DAY
    periods = _periods_between(
        rules.timezone, rules.periods_by_weekday, first_day.toordinal(), last_day.toordinal()
    )
    for period_start, period_end in periods:
        stop = min(period_end - duration, last)
        # The grid is anchored at the period start; notice and window only drop candidates.
        s = period_start
        if s < first:
            s += math.ceil((first - s) / step) * step
        if s > stop:
            continue
        j = bisect_right(busy_ends, s - reach_back)
        while s <= stop:
            while j < n_busy and busy_ends[j] <= s - reach_back:
                j += 1
            if j < n_busy and busy_starts[j] < s + reach_ahead:
                # Blocked: the next candidate is the first grid point clear of this busy end
                # (and at least the next one, so float rounding can never stall the loop).
                clear = period_start + math.ceil((busy_ends[j] + reach_back - period_start) / step) * step
                s = max(clear, s + step)
                continue
            run_end = stop if j == n_busy else min(stop, busy_starts[j] - reach_ahead)
            b = s + int((run_end - s) // step) * step
            if out and s <= out[-1]:
                ordered = False  # DST gaps can make one day's periods overlap in absolute time
            if inner_lo <= s and b < inner_hi:
                out.extend(range(s, b + 1, step))
            else:
                out.extend(x for x in range(s, b + 1, step) if inner_lo <= x < inner_hi or q.date_ok(x))
            s = b + step
    return out if ordered else sorted(set(out))


def find_slots(
    rules: AvailabilityRules,
    busy: Iterable[Interval],
    *,
    duration: int,
    start: date,
    end: date,
    tz: str,
    now: datetime,
    step: int | None = None,
    min_notice: int = 0,
    horizon: datetime | None = None,
) -> list[datetime]:
    """Bookable meeting starts (UTC, sorted, unique) whose date in the guest's zone ``tz`` lies
    in ``[start, end]``. See the module docstring and DESIGN.md for the rules."""
    q = _query(
        duration=duration,
        start=start,
        end=end,
        tz=tz,
        now=now,
        step=step,
        min_notice=min_notice,
        horizon=horizon,
    )
    if q is None:
        _zone(rules.timezone)  # a bad agent zone is an error even when the window is empty
        return []
    return [datetime.fromtimestamp(s, UTC) for s in _member_starts(rules, busy, q)]


def service_slots(
    members: Mapping[str, tuple[AvailabilityRules, Iterable[Interval]]],
    *,
    duration: int,
    start: date,
    end: date,
    tz: str,
    now: datetime,
    step: int | None = None,
    min_notice: int = 0,
) -> dict[datetime, list[str]]:
    """The union of ``find_slots`` over a service: slot start (UTC, ascending) → sorted member keys
    free at that start."""
    q = _query(duration=duration, start=start, end=end, tz=tz, now=now, step=step, min_notice=min_notice)
    if q is None:
        return {}
    free: dict[int, list[str]] = {}
    for key in sorted(members):  # sorted here keeps every member list sorted without re-sorting
        rules, busy = members[key]
        for s in _member_starts(rules, busy, q):
            keys = free.get(s)
            if keys is None:
                free[s] = [key]
            else:
                keys.append(key)
    return {datetime.fromtimestamp(s, UTC): free[s] for s in sorted(free)}


def is_slot_free(
    rules: AvailabilityRules,
    busy: Iterable[Interval],
    *,
    start_at: datetime,
    duration: int,
    now: datetime,
    min_notice: int = 0,
    step: int | None = None,
    horizon: datetime | None = None,
) -> bool:
    """The booking check: ``start_at`` is bookable iff ``find_slots`` over its agent-local date
    offers it — the same code path as the list the guest picked from."""
    _require_aware(start_at, "start_at")
    start_at = start_at.astimezone(UTC)
    local_day = start_at.astimezone(_zone(rules.timezone)).date()
    slots = find_slots(
        rules,
        busy,
        duration=duration,
        start=local_day,
        end=local_day,
        tz=rules.timezone,
        now=now,
        step=step,
        min_notice=min_notice,
        horizon=horizon,
    )
    return start_at in slots
