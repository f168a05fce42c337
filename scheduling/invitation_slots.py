"""When an invitation can be booked: every team member free, every chosen room free, one room of
each pool free, inside the invitation's time frame.

One pure function (``invitation_slots``) is behind the live slot count of the dialog, the refusal of an
invitation without a free slot, the customer's page and the check inside the booking transaction
(``slot_is_free`` narrows the same call to one day). Each member goes through ``find_slots`` with their
own working hours, buffers and notice; a room has no hours of its own, so its free starts are the time
frame's grid minus whatever its busy time overlaps. The grid is the time frame's (``frame_step``), so
members whose days start on the hour or half hour meet on the same starts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from scheduling.availability import WEEKDAYS, AvailabilityRules, find_slots
from scheduling.booking_rules import MemberLoad, choose_member
from scheduling.calendar import Interval
from scheduling.intervals import parse_hhmm


@dataclass(frozen=True)
class TimeFrame:
    """The dates and daily hours a customer may choose from, in one zone."""

    start: date
    end: date
    day_start: str  # "09:00"
    day_end: str  # "17:00"
    timezone: str

    def rules(self) -> AvailabilityRules:
        return _frame_rules(self.timezone, self.day_start, self.day_end)

    def closes_at(self) -> datetime:
        """The invitation expires here: the end of the last day's hours ("24:00" is midnight after)."""
        minute = parse_hhmm(self.day_end)
        day = self.end + timedelta(days=minute // 1440)
        local = datetime(day.year, day.month, day.day, (minute % 1440) // 60, minute % 60)
        return local.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)


@lru_cache(maxsize=256)
def _frame_rules(timezone: str, day_start: str, day_end: str) -> AvailabilityRules:
    # Rules are frozen values; the slot count asks for the same frame's week for every room.
    return AvailabilityRules(timezone, {d: [(day_start, day_end)] for d in WEEKDAYS})


@dataclass(frozen=True)
class MemberTime:
    """One team member: their week, busy time and minimum notice."""

    rules: AvailabilityRules
    busy: Sequence[Interval]
    min_notice: int = 0


def frame_step(duration: int) -> int:
    """Starts every 30 minutes (15 for meetings shorter than half an hour)."""
    return 15 if duration < 30 else 30


def _frame_starts(frame: TimeFrame, duration: int, now: datetime, horizon: datetime) -> list[datetime]:
    """The frame's own grid: every start inside its dates and daily hours (no one busy yet)."""
    return find_slots(
        frame.rules(),
        (),
        duration=duration,
        start=frame.start,
        end=frame.end,
        tz=frame.timezone,
        now=now,
        step=frame_step(duration),
        horizon=horizon,
    )


def _room_free(
    starts: Sequence[datetime], stamps: Sequence[float], busy: Sequence[Interval], duration: int
) -> set[datetime]:
    """A room has no hours of its own: its free starts are the frame's, minus every start whose
    meeting ``[s, s + duration)`` overlaps a busy interval ``[b0, b1)``, i.e. ``b0 - duration < s < b1``.
    Found by bisection per busy interval, without building a datetime per candidate."""
    blocked = bytearray(len(stamps))
    span = duration * 60
    for iv in busy:
        b0, b1 = iv.start.timestamp(), iv.end.timestamp()
        if b1 <= b0:
            continue  # an empty interval covers no time
        for i in range(bisect_right(stamps, b0 - span), bisect_left(stamps, b1)):
            blocked[i] = 1
    return {s for s, b in zip(starts, blocked, strict=True) if not b}


def free_starts(
    frame: TimeFrame,
    members: Mapping[str, MemberTime],
    rooms: Mapping[str, Sequence[Interval]],
    pools: Mapping[str, Mapping[str, Sequence[Interval]]],
    *,
    duration: int,
    now: datetime,
    horizon: datetime,
) -> dict[str, set[datetime]]:
    """Each participant's own free starts inside the frame (a pool: any of its rooms), by key:
    the member's, ``room:<key>`` and ``pool:<name>``. Their intersection is the invitation's slots."""
    step = frame_step(duration)
    grid = _frame_starts(frame, duration, now, horizon)
    stamps = [g.timestamp() for g in grid]
    frame_starts = set(grid)
    out: dict[str, set[datetime]] = {}
    for key, member in members.items():
        own = find_slots(
            member.rules,
            member.busy,
            duration=duration,
            start=frame.start,
            end=frame.end,
            tz=frame.timezone,
            now=now,
            step=step,
            min_notice=member.min_notice,
            horizon=horizon,
        )
        out[key] = frame_starts.intersection(own)
    for key, busy in rooms.items():
        out[f"room:{key}"] = _room_free(grid, stamps, busy, duration)
    for name, pool in pools.items():
        union: set[datetime] = set()
        for busy in pool.values():
            union |= _room_free(grid, stamps, busy, duration)
        out[f"pool:{name}"] = union
    return out


def invitation_slots(
    frame: TimeFrame,
    members: Mapping[str, MemberTime],
    rooms: Mapping[str, Sequence[Interval]],
    pools: Mapping[str, Mapping[str, Sequence[Interval]]],
    *,
    duration: int,
    now: datetime,
    horizon: datetime,
) -> list[datetime]:
    """Starts (UTC, ascending) at which every member, every room and one room of every pool are free."""
    found = free_starts(frame, members, rooms, pools, duration=duration, now=now, horizon=horizon)
    if not found:
        return []
    sets = sorted(found.values(), key=len)  # smallest first: the intersection shrinks fastest
    common = set(sets[0])
    for other in sets[1:]:
        common &= other
    return sorted(common)


def blockers(starts: Mapping[str, set[datetime]]) -> list[str]:
    """Who or what has no free time at all in the frame; empty when each has some but never together."""
    return sorted(key for key, own in starts.items() if not own)


def slot_is_free(
    frame: TimeFrame,
    members: Mapping[str, MemberTime],
    rooms: Mapping[str, Sequence[Interval]],
    pools: Mapping[str, Mapping[str, Sequence[Interval]]],
    *,
    start_at: datetime,
    duration: int,
    now: datetime,
    horizon: datetime,
) -> bool:
    """The booking check: the same ``invitation_slots`` narrowed to the start's day in the frame."""
    start_at = start_at.astimezone(UTC)
    day = start_at.astimezone(ZoneInfo(frame.timezone)).date()
    if not frame.start <= day <= frame.end:
        return False
    one_day = TimeFrame(day, day, frame.day_start, frame.day_end, frame.timezone)
    return start_at in invitation_slots(
        one_day, members, rooms, pools, duration=duration, now=now, horizon=horizon
    )


def free_rooms(
    frame: TimeFrame,
    pool: Mapping[str, Sequence[Interval]],
    *,
    start_at: datetime,
    duration: int,
    now: datetime,
    horizon: datetime,
) -> list[str]:
    """The rooms of one pool free at ``start_at`` (sorted keys)."""
    return sorted(
        key
        for key, busy in pool.items()
        if slot_is_free(
            frame, {}, {key: busy}, {}, start_at=start_at, duration=duration, now=now, horizon=horizon
        )
    )


def choose_room(free: Sequence[str], loads: Mapping[str, MemberLoad]) -> str:
    """Fair spread across a pool: the same rule as members of a service (fewest bookings in 30 days,
    then longest since the last one, then by key)."""
    return choose_member(free, loads)
