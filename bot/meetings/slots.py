"""Availability for the engine: the scheduling library's pure functions fed with an agent's
settings and busy time. Listing and booking go through the same ``find_slots``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendars.sources import Profile
from bot.errors import DomainError, InvalidInput, SlotTaken
from bot.zones import zone
from scheduling.availability import MAX_DURATION, MIN_DURATION, find_slots, is_slot_free, service_slots
from scheduling.calendar import Interval

MAX_RANGE_DAYS = 62
# Dates outside these years are no one's meeting, and near year 1 or 9999 a day's arithmetic overflows.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
ALTERNATIVE_DAYS = 14
ALTERNATIVES = 5


def check_request(start: date, end: date, duration: object, tz: str) -> ZoneInfo:
    """The slot list's parameters, refused with the codes adapters show."""
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not MIN_DURATION <= duration <= MAX_DURATION
    ):
        raise InvalidInput(
            f"A meeting lasts {MIN_DURATION} to {MAX_DURATION} minutes, not {duration!r}.",
            code="invalid_duration",
        )
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise InvalidInput(
                f"Dates lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
                code="invalid_date",
                field=name,
            )
    if end < start:
        raise InvalidInput(f"The range ends ({end}) before it starts ({start}).", code="invalid_range")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"Ask for at most {MAX_RANGE_DAYS} days at a time.", code="invalid_range")
    return zone(tz)


def busy_window(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC span whose busy time can matter for slots on guest dates [start, end] (buffers and
    zone offsets stay well inside a day)."""
    lo = datetime.combine(start, time(), tz) - timedelta(days=1)
    hi = datetime.combine(end, time(), tz) + timedelta(days=2)
    return lo.astimezone(UTC), hi.astimezone(UTC)


def around(start_at: datetime) -> tuple[datetime, datetime]:
    """Busy time fetched for a booking: its day, and the next two weeks for alternatives."""
    return start_at - timedelta(days=1), start_at + timedelta(days=ALTERNATIVE_DAYS + 1)


def agent_slots(
    profile: Profile,
    busy: Sequence[Interval],
    *,
    start: date,
    end: date,
    duration: int,
    tz: str,
    now: datetime,
) -> list[datetime]:
    s = profile.settings
    return find_slots(
        s.rules(),
        busy,
        duration=duration,
        start=start,
        end=end,
        tz=tz,
        now=now,
        step=s.slot_step,
        min_notice=s.min_notice,
    )


def group_slots(
    profiles: Mapping[str, Profile],
    busy: Mapping[str, Sequence[Interval]],
    *,
    start: date,
    end: date,
    duration: int,
    tz: str,
    now: datetime,
) -> dict[datetime, list[str]]:
    """The union over members. Members sharing step and notice go through one ``service_slots`` call."""
    groups: dict[tuple[int | None, int], dict[str, tuple[object, Sequence[Interval]]]] = {}
    for slug, p in profiles.items():
        groups.setdefault((p.settings.slot_step, p.settings.min_notice), {})[slug] = (
            p.settings.rules(),
            busy.get(slug, []),
        )
    merged: dict[datetime, list[str]] = {}
    for (step, notice), members in groups.items():
        found = service_slots(
            members,  # type: ignore[arg-type]
            duration=duration,
            start=start,
            end=end,
            tz=tz,
            now=now,
            step=step,
            min_notice=notice,
        )
        if len(groups) == 1:
            return found
        for slot, slugs in found.items():
            merged.setdefault(slot, []).extend(slugs)
    return {slot: sorted(merged[slot]) for slot in sorted(merged)}


def free_at(
    profile: Profile, busy: Sequence[Interval], start_at: datetime, duration: int, now: datetime
) -> bool:
    s = profile.settings
    return is_slot_free(
        s.rules(),
        busy,
        start_at=start_at,
        duration=duration,
        now=now,
        min_notice=s.min_notice,
        step=s.slot_step,
    )


def slot_taken(
    profiles: Mapping[str, Profile],
    busy: Mapping[str, Sequence[Interval]],
    start_at: datetime,
    duration: int,
    now: datetime,
) -> DomainError:
    """409 with the next free starts (of any of the candidates) from the requested one on."""
    first = next(iter(profiles.values()))
    tz = first.settings.timezone
    local = start_at.astimezone(zone(tz)).date()
    offered = group_slots(
        profiles,
        busy,
        start=local,
        end=local + timedelta(days=ALTERNATIVE_DAYS),
        duration=duration,
        tz=tz,
        now=now,
    )
    later = [s for s in offered if s > start_at] or [s for s in offered if s != start_at]
    alternatives = [iso(s) for s in later[:ALTERNATIVES]]
    return SlotTaken("That time is no longer free; here are the next free times.", alternatives=alternatives)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
