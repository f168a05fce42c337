"""Which time zone names exist: the IANA list ``zoneinfo`` knows, and nothing else.

``ZoneInfo("Europe")`` raises IsADirectoryError on some systems and odd errors on others, and a
name longer than a path component raises OSError; worse, a bad zone stored once (a guest's) breaks
every later booking for that person. So every zone that enters is looked up in the list instead.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

MAX_ZONE = 64


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_zone(key: object) -> bool:
    """True for a name in the IANA list (``Europe/Berlin``, ``UTC``); never raises."""
    return isinstance(key, str) and 0 < len(key) <= MAX_ZONE and key in _known()


def zone_or_none(key: object) -> ZoneInfo | None:
    return ZoneInfo(key) if isinstance(key, str) and is_zone(key) else None
