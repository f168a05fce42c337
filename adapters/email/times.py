"""Times in a mail: the reader's own zone first, then the other side's (the host's, for a guest), each
named, so "10:00" is never ambiguous. Zones are IANA names; an unknown one reads as UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def zone(key: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(key or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def span(start: datetime, end: datetime, reader_zone: str | None, other_zone: str | None = None) -> str:
    """``Wed 28 Oct 2026 05:00–05:30 (America/New_York) · 10:00–10:30 Europe/Berlin``."""
    first = reader_zone or other_zone or "UTC"
    a, b = start.astimezone(zone(first)), end.astimezone(zone(first))
    text = f"{a:%a %d %b %Y} {a:%H:%M}–{b:%H:%M} ({first})"
    if other_zone and other_zone != first:
        c, d = start.astimezone(zone(other_zone)), end.astimezone(zone(other_zone))
        day = "" if c.date() == a.date() else f"{c:%a %d %b} "
        text += f" · {day}{c:%H:%M}–{d:%H:%M} {other_zone}"
    return text


def moment(at: datetime, reader_zone: str | None) -> str:
    """One instant in the reader's zone: ``28.10.2026 05:00 America/New_York``."""
    name = reader_zone or "UTC"
    return f"{at.astimezone(zone(name)):%d.%m.%Y %H:%M} {name}"
