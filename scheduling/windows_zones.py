"""Windows time-zone names (what Exchange and Graph speak) to IANA names (what we speak).

The table is CLDR's windowsZones.xml as shipped by tzlocal, so we do not maintain our own copy.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tzlocal.windows_tz import tz_win, win_tz

from scheduling.errors import SchedulingError


def to_iana(name: str | None) -> str:
    """``"W. Europe Standard Time"`` → ``"Europe/Berlin"``; IANA names pass through unchanged."""
    if not name:
        raise SchedulingError("invalid_timezone", "the calendar did not say which time zone it uses")
    name = name.strip()
    if name in win_tz:
        return win_tz[name]
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; odd paths are ValueError
        raise SchedulingError("invalid_timezone", f"unknown time zone {name!r}", timezone=name) from None
    return name


def to_windows(iana: str) -> str | None:
    """The Windows name for an IANA zone, or None when Windows has no exact equivalent."""
    return tz_win.get(iana)
