"""What the assistant writes into a conversation, with times where the meeting is (its IANA zone)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARTSTAT_WORDS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "might attend",
    "DELEGATED": "delegated",
    "NEEDS-ACTION": "has not answered",
}


def when(start: datetime, end: datetime, zone: str) -> str:
    tz = ZoneInfo(zone or "UTC")
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.strftime("%a %d %b %Y")
    if local_end.date() == local_start.date():
        return f"{day}, {local_start:%H:%M}–{local_end:%H:%M} ({zone})"
    return f"{day} {local_start:%H:%M} – {local_end.strftime('%a %d %b %Y %H:%M')} ({zone})"


def opened(organizer: str, summary: str) -> str:
    return f"{organizer} opened this conversation for “{summary}” by inviting the assistant."


def recorded(summary: str, start: datetime, end: datetime, zone: str, rrule: str) -> str:
    repeat = f", repeating ({rrule})" if rrule else ""
    return f"Meeting “{summary}”: {when(start, end, zone)}{repeat}."


def moved(summary: str, old: tuple[datetime, datetime], new: tuple[datetime, datetime], zone: str) -> str:
    return f"“{summary}” moved from {when(*old, zone)} to {when(*new, zone)}."


def updated(summary: str) -> str:
    return f"“{summary}” was updated by its organiser."


def instance_moved(summary: str, old: datetime, new: tuple[datetime, datetime], zone: str) -> str:
    tz = ZoneInfo(zone or "UTC")
    return f"The “{summary}” of {old.astimezone(tz):%a %d %b %Y %H:%M} moved to {when(*new, zone)}."


def cancelled(summary: str, start: datetime, end: datetime, zone: str, *, instance: bool) -> str:
    what = "This occurrence of " if instance else ""
    return f"{what}“{summary}” ({when(start, end, zone)}) was cancelled."


def replied(name: str, partstat: str, summary: str) -> str:
    return f"{name} {PARTSTAT_WORDS.get(partstat, partstat.lower())} “{summary}”."


def reminder(summary: str, minutes: int, start: datetime, end: datetime, zone: str) -> str:
    return f"Reminder: “{summary}” starts in {minutes} minutes ({when(start, end, zone)})."
