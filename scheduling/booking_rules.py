"""Pure booking rules: who in a service gets the meeting, which lengths are allowed, what a
meeting's state still permits."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from scheduling.availability import MAX_DURATION, MIN_DURATION
from scheduling.errors import SchedulingError

CANCELLED = "cancelled"


@dataclass(frozen=True)
class MemberLoad:
    meetings_last_30_days: int = 0
    last_booked_at: datetime | None = None  # None: never booked


def choose_member(free_members: Sequence[str], stats: Mapping[str, MemberLoad]) -> str:
    """Fairness for a group booking: fewest meetings in the last 30 days, then the one who waited
    longest since their last booking (never booked counts as longest), then by name so the choice
    is reproducible. Members without stats count as never booked."""
    if not free_members:
        raise SchedulingError("no_free_member", "Nobody in this service is free at that time.")

    def rank(member: str) -> tuple[int, int, float, str]:
        load = stats.get(member, MemberLoad())
        last = load.last_booked_at
        # (0, 0.0) sorts before every real booking time: never booked waits longest.
        return (
            load.meetings_last_30_days,
            0 if last is None else 1,
            last.timestamp() if last else 0.0,
            member,
        )

    return min(free_members, key=rank)


def check_duration(duration: int, allowed: Collection[int]) -> None:
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not MIN_DURATION <= duration <= MAX_DURATION
    ):
        raise SchedulingError(
            "invalid_duration", f"A meeting lasts {MIN_DURATION} to {MAX_DURATION} minutes, not {duration!r}."
        )
    if duration not in allowed:
        lengths = ", ".join(str(m) for m in sorted(allowed))
        raise SchedulingError(
            "invalid_duration",
            f"{duration} minutes is not offered here; choose {lengths} minutes.",
            allowed=lengths,
        )


def check_meeting_change(status: str, start_at: datetime, now: datetime) -> None:
    """Raises when a meeting may no longer be rescheduled, resized or cancelled."""
    if status == CANCELLED:
        raise SchedulingError("meeting_cancelled", "This meeting was cancelled and can no longer be changed.")
    if start_at <= now:
        raise SchedulingError(
            "meeting_in_past", "This meeting has already started and can no longer be changed."
        )


def meeting_change_allowed(status: str, start_at: datetime, now: datetime) -> bool:
    try:
        check_meeting_change(status, start_at, now)
    except SchedulingError:
        return False
    return True
