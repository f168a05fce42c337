"""Busy time from Google Calendar.

Why not just ``freebusy.query``? It counts every event that is not transparent, including invitations
the agent has not answered or has declined — and the product rule is that such an event leaves the
slot free. So for calendars whose events we can read we use ``events.list`` and look at the agent's
own ``responseStatus``. ``freebusy.query`` is the fallback for calendars that only expose free/busy
(``events.list`` answers 403/404): it is the best that can be known there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.calendars.google.client import GoogleClient, calendar_call
from adapters.calendars.retry import CalendarHTTPError
from adapters.calendars.timeutil import batched, day_start, merge, parse_instant, rfc3339, split_window
from scheduling.calendar import CalendarAccount, Interval
from scheduling.errors import CalendarUnavailable

FREEBUSY_MAX_CALENDARS = 50
FREEBUSY_MAX_SPAN = timedelta(days=90)
NOT_ACCEPTED = frozenset({"needsAction", "declined"})
# Events that describe the agent rather than occupy them (working location is transparent anyway).
NON_BLOCKING_TYPES = frozenset({"workingLocation"})
EVENT_FIELDS = (
    "nextPageToken,timeZone,items(id,status,transparency,eventType,start,end,attendees(self,responseStatus))"
)


def blocks_time(event: Mapping[str, Any]) -> bool:
    if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
        return False
    if event.get("eventType") in NON_BLOCKING_TYPES:
        return False
    for attendee in event.get("attendees") or ():
        if attendee.get("self") and attendee.get("responseStatus") in NOT_ACCEPTED:
            return False
    return True


def event_interval(event: Mapping[str, Any], calendar_zone: str) -> Interval:
    start, end = event["start"], event["end"]
    if "dateTime" in start:
        return Interval(
            parse_instant(start["dateTime"], start.get("timeZone") or calendar_zone),
            parse_instant(end["dateTime"], end.get("timeZone") or calendar_zone),
        )
    # All-day: the end date is exclusive, and "the day" is the calendar's day, not UTC's.
    return Interval(day_start(start["date"], calendar_zone), day_start(end["date"], calendar_zone))


async def events_busy(
    client: GoogleClient, account: CalendarAccount, calendar_id: str, start: datetime, end: datetime
) -> list[Interval] | None:
    """Busy intervals from the calendar's events, or None when its events cannot be listed."""
    intervals: list[Interval] = []
    page_token: str | None = None
    while True:
        params: dict[str, Any] = {
            "calendarId": calendar_id,
            "timeMin": rfc3339(start),
            "timeMax": rfc3339(end),
            "singleEvents": True,  # expand recurring series into the instances in the window
            "orderBy": "startTime",
            "maxResults": 2500,
            "fields": EVENT_FIELDS,
        }
        if page_token:
            params["pageToken"] = page_token
        try:
            page = await client.execute(
                account, calendar_call("events", "list", **params), f"events.list {calendar_id}"
            )
        except CalendarHTTPError as error:
            if error.status in (403, 404):
                return None
            raise
        zone = page.get("timeZone") or "UTC"
        intervals.extend(event_interval(e, zone) for e in page.get("items", []) if blocks_time(e))
        page_token = page.get("nextPageToken")
        if not page_token:
            return intervals


async def freebusy_busy(
    client: GoogleClient, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
) -> list[Interval]:
    """``freebusy.query`` in chunks: at most 50 calendars and 90 days per call."""
    requests = [
        (group, s, e)
        for group in batched(list(calendars), FREEBUSY_MAX_CALENDARS)
        for s, e in split_window(start, end, FREEBUSY_MAX_SPAN)
    ]

    async def one(group: Sequence[str], s: datetime, e: datetime) -> list[Interval]:
        body = {
            "timeMin": rfc3339(s),
            "timeMax": rfc3339(e),
            "timeZone": "UTC",
            "items": [{"id": c} for c in group],
        }
        answer = await client.execute(account, lambda svc: svc.freebusy().query(body=body), "freebusy.query")
        found: list[Interval] = []
        for calendar_id in group:
            entry = (answer.get("calendars") or {}).get(calendar_id)
            if entry is None or entry.get("errors"):
                # A calendar we could not read must not look free.
                reasons = [err.get("reason") for err in (entry or {}).get("errors", [])]
                raise CalendarUnavailable(
                    None,
                    f"Google free/busy unavailable for {calendar_id}",
                    calendar=calendar_id,
                    reasons=reasons,
                )
            found.extend(
                Interval(parse_instant(b["start"], "UTC"), parse_instant(b["end"], "UTC"))
                for b in entry.get("busy", [])
            )
        return found

    chunks = await asyncio.gather(*(one(g, s, e) for g, s, e in requests))
    return merge((i for chunk in chunks for i in chunk), start, end)


async def busy(
    client: GoogleClient, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
) -> list[Interval]:
    per_calendar = await asyncio.gather(*(events_busy(client, account, c, start, end) for c in calendars))
    intervals = [i for found in per_calendar if found is not None for i in found]
    free_busy_only = [c for c, found in zip(calendars, per_calendar, strict=True) if found is None]
    if free_busy_only:
        intervals.extend(await freebusy_busy(client, account, free_busy_only, start, end))
    return merge(intervals, start, end)
