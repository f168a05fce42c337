"""The words of meeting notices. Times are written so any reader can place them: the agent's zone
plus the guest's zone when it differs, otherwise UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.meetings.model import Meeting
from scheduling.zones import zone_or_none


def _zone(key: str | None) -> ZoneInfo | None:
    return zone_or_none(key)  # a zone stored before zones were checked must not break a notice


def _day(value: datetime) -> str:
    return value.strftime("%a %d %b %Y")


def describe_time(start: datetime, end: datetime, agent_tz: str, guest_tz: str | None = None) -> str:
    """``Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin) · 09:00–09:30 UTC``."""
    zone = _zone(agent_tz) or ZoneInfo("UTC")
    a, b = start.astimezone(zone), end.astimezone(zone)
    text = f"{_day(a)} {a:%H:%M}–{b:%H:%M} ({agent_tz})"
    other_key = guest_tz if guest_tz and guest_tz != agent_tz and _zone(guest_tz) else "UTC"
    if other_key == agent_tz:
        return text
    other = ZoneInfo(other_key)
    c, d = start.astimezone(other), end.astimezone(other)
    day = "" if c.date() == a.date() else f"{_day(c)} "
    return f"{text} · {day}{c:%H:%M}–{d:%H:%M} {other_key}"


def booked(meeting: Meeting, agent_name: str, agent_tz: str) -> str:
    when = describe_time(meeting.start, meeting.end, agent_tz, meeting.guest_timezone)
    return f"Meeting booked: {meeting.subject}, {when}, with {agent_name}."


def rescheduled(meeting: Meeting, by: str, agent_tz: str, previous: tuple[datetime, datetime]) -> str:
    when = describe_time(meeting.start, meeting.end, agent_tz, meeting.guest_timezone)
    was = describe_time(previous[0], previous[1], agent_tz, meeting.guest_timezone)
    return f"Meeting rescheduled by {by}: {meeting.subject}, now {when} (was {was})."


def duration_changed(meeting: Meeting, by: str, agent_tz: str) -> str:
    when = describe_time(meeting.start, meeting.end, agent_tz, meeting.guest_timezone)
    return f"Meeting changed by {by} to {meeting.duration} minutes: {meeting.subject}, {when}."


def cancelled(meeting: Meeting, by: str, agent_tz: str, reason: str | None) -> str:
    when = describe_time(meeting.start, meeting.end, agent_tz, meeting.guest_timezone)
    text = f"Meeting cancelled by {by}: {meeting.subject}, {when}."
    return f"{text} Reason: {reason}" if reason else text


def reminder(meeting: Meeting, minutes: int, agent_tz: str) -> str:
    when = describe_time(meeting.start, meeting.end, agent_tz, meeting.guest_timezone)
    unit = "minute" if minutes == 1 else "minutes"
    return f"Reminder: {meeting.subject} starts in {minutes} {unit} ({when})."
