"""A time zone as it enters the engine: a name from the IANA list, refused with ``invalid_timezone``
and the field it came in, wherever it comes from (guest registration, agent settings, slot queries,
bookings)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from scheduling.zones import zone_or_none


def zone(tz: object, name: str = "timezone") -> ZoneInfo:
    if (found := zone_or_none(tz)) is None:
        raise InvalidInput(
            f"{tz!r:.70} is not a known time zone (use Area/City).", code="invalid_timezone", field=name
        )
    return found
