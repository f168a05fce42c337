"""When a snooze ends: a preset in the agent's own time zone, or a time they typed.

Times are kept in UTC; "tomorrow 9:00" is 9:00 on the agent's wall clock, whatever the offset is
that day (a snooze over a daylight-saving change still wakes at 9:00 local).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput

PRESETS = ("hour", "tomorrow", "next_week")
MORNING = time(9, 0)
LONGEST = timedelta(days=366)


def _at_morning(day: datetime, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), MORNING, tzinfo=zone).astimezone(UTC)


def preset_until(preset: str, now: datetime, timezone: str) -> datetime:
    """``hour``: an hour from now; ``tomorrow``: 9:00 tomorrow; ``next_week``: 9:00 next Monday."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if preset == "hour":
        return now + timedelta(hours=1)
    if preset == "tomorrow":
        return _at_morning(local + timedelta(days=1), zone)
    if preset == "next_week":
        return _at_morning(local + timedelta(days=7 - local.weekday()), zone)
    raise InvalidInput(
        f"The snooze preset is one of {', '.join(PRESETS)}.", code="invalid_snooze_preset", field="preset"
    )


def parse_until(text: str, timezone: str) -> datetime:
    """ISO 8601; a time without an offset is the agent's wall clock."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise InvalidInput(
            "The snooze time is a date and time like 2026-11-24T09:00.", code="invalid_time", field="until"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when.astimezone(UTC)


def snooze_until(until: str | None, preset: str | None, now: datetime, timezone: str) -> datetime:
    """The UTC end of a snooze, refused when it is not in the future (or more than a year away)."""
    if preset:
        when = preset_until(preset, now, timezone)
        field = "preset"
    elif until:
        when = parse_until(until, timezone)
        field = "until"
    else:
        raise InvalidInput("Say until when to snooze.", code="snooze_until_required", field="until")
    if when <= now:
        raise InvalidInput("The snooze must end in the future.", code="snooze_in_past", field=field)
    if when - now > LONGEST:
        raise InvalidInput("A snooze lasts at most a year.", code="snooze_too_long", field=field)
    return when
