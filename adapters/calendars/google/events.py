"""Writing our bookings into Google Calendar, and noticing when someone moves or deletes them there."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from adapters.calendars.google.client import GoogleClient, calendar_call
from adapters.calendars.retry import CalendarHTTPError
from adapters.calendars.timeutil import local_wall_time, parse_instant
from scheduling.calendar import CalendarAccount, EventChange, EventSpec

MEETING_ID_PROPERTY = "convene_meeting_id"
# We email guests ourselves, with an .ics, in the conversation's language and with our links; Google's
# own invitation would be a second, different invitation for the same meeting.
SEND_UPDATES = "none"


def event_id_for(meeting_id: str) -> str:
    """A deterministic event id (Google accepts client ids in base32hex; hex digits are a subset), so
    a retried insert whose first attempt did land cannot create a second event."""
    return "cv" + hashlib.sha256(meeting_id.encode("utf-8")).hexdigest()[:40]


def event_body(spec: EventSpec) -> dict[str, Any]:
    return {
        "summary": spec.subject,
        "description": spec.description,
        "start": {"dateTime": local_wall_time(spec.start, spec.timezone), "timeZone": spec.timezone},
        "end": {"dateTime": local_wall_time(spec.end, spec.timezone), "timeZone": spec.timezone},
        "attendees": [{"email": a.email, "displayName": a.name} for a in spec.attendees],
        "extendedProperties": {"private": {MEETING_ID_PROPERTY: spec.meeting_id}},
        "guestsCanModify": False,
        "status": "confirmed",  # also revives our own cancelled event on the 409 path below
    }


async def create_event(
    client: GoogleClient, account: CalendarAccount, calendar_id: str, spec: EventSpec
) -> str:
    body = {**event_body(spec), "id": event_id_for(spec.meeting_id)}
    try:
        created = await client.execute(
            account,
            lambda svc: svc.events().insert(calendarId=calendar_id, body=body, sendUpdates=SEND_UPDATES),
            "events.insert",
        )
        return str(created["id"])
    except CalendarHTTPError as error:
        if error.status != 409:
            raise
    # 409: an event with our id exists — an earlier attempt that did land, or a booking cancelled and
    # made again. Either way it is ours: bring it to the spec.
    await update_event(client, account, calendar_id, body["id"], spec)
    return str(body["id"])


async def update_event(
    client: GoogleClient, account: CalendarAccount, calendar_id: str, event_id: str, spec: EventSpec
) -> None:
    body = event_body(spec)
    await client.execute(
        account,
        lambda svc: svc.events().patch(
            calendarId=calendar_id, eventId=event_id, body=body, sendUpdates=SEND_UPDATES
        ),
        "events.patch",
    )


async def delete_event(
    client: GoogleClient, account: CalendarAccount, calendar_id: str, event_id: str
) -> None:
    try:
        await client.execute(
            account,
            lambda svc: svc.events().delete(
                calendarId=calendar_id, eventId=event_id, sendUpdates=SEND_UPDATES
            ),
            "events.delete",
        )
    except CalendarHTTPError as error:
        if error.status not in (404, 410):  # already gone is what we wanted
            raise


def _change(event: Mapping[str, Any], zone: str) -> EventChange | None:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    meeting_id = private.get(MEETING_ID_PROPERTY)
    uid = str(event.get("iCalUID") or "")
    sequence = event.get("sequence")
    about = {
        "ical_uid": uid,
        "sequence": int(sequence) if sequence is not None else None,
        "occurrence": "recurringEventId" in event,
    }
    if event.get("status") == "cancelled":
        # Google strips a deleted event down to id and status in incremental sync, so the meeting id
        # and the UID may be missing: the engine matches deletions by external_event_id.
        return EventChange(meeting_id=meeting_id or "", external_event_id=event["id"], deleted=True, **about)
    if not (meeting_id or uid) or "dateTime" not in event.get("start", {}):
        return None  # nobody's to follow (or all-day, which no booking or followed meeting is)
    start, end = event["start"], event["end"]
    return EventChange(
        meeting_id=meeting_id or "",
        external_event_id=event["id"],
        deleted=False,
        start=parse_instant(start["dateTime"], start.get("timeZone") or zone),
        end=parse_instant(end["dateTime"], end.get("timeZone") or zone),
        **about,
    )


async def sync_changes(
    client: GoogleClient, account: CalendarAccount, calendar_id: str, sync_token: str | None
) -> tuple[list[EventChange], str]:
    """Changes since ``sync_token`` (None, or a token Google expired with 410, means a full listing).

    A full listing reports every event of ours with its current times, so the engine must treat a
    change equal to what it already stored as a no-op. ``privateExtendedProperty`` cannot be combined
    with ``syncToken``, hence the filtering here.
    """
    changes: list[EventChange] = []
    page_token: str | None = None
    while True:
        params: dict[str, Any] = {"calendarId": calendar_id, "showDeleted": True, "maxResults": 2500}
        if sync_token:
            params["syncToken"] = sync_token
        if page_token:
            params["pageToken"] = page_token
        try:
            page = await client.execute(
                account, calendar_call("events", "list", **params), "events.list sync"
            )
        except CalendarHTTPError as error:
            if error.status == 410 and sync_token:
                sync_token, page_token, changes = None, None, []
                continue
            raise
        zone = page.get("timeZone") or "UTC"
        changes.extend(c for c in (_change(e, zone) for e in page.get("items", [])) if c is not None)
        page_token = page.get("nextPageToken")
        if not page_token:
            return changes, str(page["nextSyncToken"])
