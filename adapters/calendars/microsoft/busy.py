"""Busy time from Microsoft 365: ``getSchedule`` for mailboxes, ``calendarView`` for other calendars.

``getSchedule`` is Outlook's own free/busy (it honours ``showAs`` and privacy) and answers for up to
20 mailboxes at once, so it is what we use for an agent's default calendar and for whole services;
``calendarView`` is only needed for a specifically chosen secondary calendar.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from adapters.calendars.microsoft.graph import GraphClient
from adapters.calendars.timeutil import (
    as_utc,
    batched,
    day_start,
    merge,
    parse_instant,
    rfc3339,
    split_window,
)
from scheduling.calendar import Interval
from scheduling.errors import CalendarUnavailable, SchedulingError
from scheduling.windows_zones import to_iana

SCHEDULES_PER_REQUEST = 20
MAX_SCHEDULE_SPAN = timedelta(days=62)
# Only free and workingElsewhere leave the slot open. Everything else blocks it: busy, oof, tentative
# (a held slot is not offered twice), unknown, and any status Graph adds later, since offering a slot
# that turns out taken is worse than hiding one. Graph's casing varies (``Busy``), so compare folded.
OPEN = frozenset({"free", "workingelsewhere"})


def blocks(status: object) -> bool:
    """Whether a getSchedule ``status`` or a calendarView ``showAs`` keeps a slot from being offered."""
    return str(status or "").strip().lower() not in OPEN


def graph_instant(value: Mapping[str, Any]) -> datetime:
    """A Graph dateTimeTimeZone. We ask for UTC, but read the zone anyway (Windows or IANA name)."""
    return parse_instant(str(value["dateTime"]), to_iana(value.get("timeZone") or "UTC"))


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


async def schedules(
    graph: GraphClient, requester: str, emails: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[Interval]]:
    """Busy intervals per mailbox, in calls of at most 20 mailboxes over at most 62 days."""
    calls = [
        (group, s, e)
        for group in batched(list(emails), SCHEDULES_PER_REQUEST)
        for s, e in split_window(start, end, MAX_SCHEDULE_SPAN)
    ]

    async def one(group: Sequence[str], s: datetime, e: datetime) -> list[tuple[str, list[Interval]]]:
        body = {
            "schedules": list(group),
            "startTime": _graph_time(s),
            "endTime": _graph_time(e),
            "availabilityViewInterval": 15,
        }
        answer = await graph.request(
            requester, "POST", f"users/{quote(requester)}/calendar/getSchedule", json=body, utc=True
        )
        by_id = {str(item.get("scheduleId", "")).lower(): item for item in answer.get("value", [])}
        found = []
        for email in group:
            item = by_id.get(email.lower())
            if item is None or item.get("error"):
                # An unreadable schedule must never look free.
                raise CalendarUnavailable(
                    None,
                    f"Microsoft 365 free/busy unavailable for {email}",
                    schedule=email,
                    error=(item or {}).get("error"),
                )
            found.append(
                (
                    email,
                    [
                        Interval(graph_instant(x["start"]), graph_instant(x["end"]))
                        for x in item.get("scheduleItems", [])
                        if blocks(x.get("status"))
                    ],
                )
            )
        return found

    results = await asyncio.gather(*(one(g, s, e) for g, s, e in calls))
    per_mailbox: dict[str, list[Interval]] = {email: [] for email in emails}
    for chunk in results:
        for email, intervals in chunk:
            per_mailbox[email].extend(intervals)
    return {email: merge(intervals, start, end) for email, intervals in per_mailbox.items()}


def _event_interval(event: Mapping[str, Any]) -> Interval:
    if event.get("isAllDay"):
        # All-day events are dates, not instants: read them in the zone the event was made in.
        try:
            zone = to_iana(event.get("originalStartTimeZone") or "UTC")
        except SchedulingError:
            zone = "UTC"
        return Interval(
            day_start(str(event["start"]["dateTime"])[:10], zone),
            day_start(str(event["end"]["dateTime"])[:10], zone),
        )
    return Interval(graph_instant(event["start"]), graph_instant(event["end"]))


async def calendar_view(
    graph: GraphClient, user_id: str, calendar_id: str, start: datetime, end: datetime
) -> list[Interval]:
    params = {
        "startDateTime": rfc3339(start),
        "endDateTime": rfc3339(end),
        "$select": "showAs,start,end,isCancelled,isAllDay,originalStartTimeZone",
        "$top": "500",
    }
    path = f"users/{quote(user_id)}/calendars/{quote(calendar_id)}/calendarView"
    intervals: list[Interval] = []
    async for page in graph.pages(user_id, path, params, utc=True):
        intervals.extend(
            _event_interval(event)
            for event in page.get("value", [])
            if not event.get("isCancelled") and blocks(event.get("showAs"))
        )
    return merge(intervals, start, end)
