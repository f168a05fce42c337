"""When a meeting's reminder goes out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduling.errors import SchedulingError


def reminder_time(start_at: datetime, minutes_before: int, now: datetime) -> datetime | None:
    """The UTC instant to send the reminder, ``None`` once the meeting has started.

    ``minutes_before`` is elapsed time, not wall-clock: a 60-minute reminder for 03:30 BST on the
    spring-forward night goes out at 01:30 GMT, one real hour before. A reminder whose moment has
    passed (booked at short notice) goes out now rather than never.
    """
    if start_at.utcoffset() is None or now.utcoffset() is None:
        raise SchedulingError("invalid_time", "Reminder times need timezone-aware datetimes.")
    if minutes_before < 0:
        raise SchedulingError(
            "invalid_reminder", f"A reminder comes before the meeting, not {minutes_before} minutes."
        )
    start_at, now = start_at.astimezone(UTC), now.astimezone(UTC)
    if now >= start_at:
        return None
    return max(start_at - timedelta(minutes=minutes_before), now)
