"""Writing our bookings into Outlook calendars, and picking up changes made there (delta query)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from adapters.calendars.microsoft.busy import graph_instant
from adapters.calendars.microsoft.graph import GraphClient
from adapters.calendars.retry import CalendarHTTPError
from adapters.calendars.timeutil import local_wall_time, rfc3339
from scheduling.calendar import EventChange, EventSpec
from scheduling.windows_zones import to_windows

# A named MAPI property in our own property set: survives edits in Outlook and can be filtered on.
MEETING_ID_PROPERTY = "String {4f7c6a8e-52b1-4c7e-9a0e-6f1f2f5c0c11} Name convene_meeting_id"
TRANSACTION_PREFIX = "convene-"
DEFAULT_CALENDAR_ALIASES = frozenset({"", "primary", "default"})
DELTA_PAST = timedelta(days=1)
DELTA_FUTURE = timedelta(days=120)  # bookings are at most a month ahead; leave room for moves


def calendar_path(user_id: str, calendar_id: str) -> str:
    if calendar_id.lower() in DEFAULT_CALENDAR_ALIASES:
        return f"users/{quote(user_id)}/calendar"
    return f"users/{quote(user_id)}/calendars/{quote(calendar_id)}"


def _when(moment: datetime, zone: str) -> dict[str, str]:
    windows = to_windows(zone)
    if windows is None:  # Outlook shows it in the viewer's zone anyway; UTC is always understood
        return {"dateTime": local_wall_time(moment, "UTC"), "timeZone": "UTC"}
    return {"dateTime": local_wall_time(moment, zone), "timeZone": windows}


def event_body(spec: EventSpec, invite_attendees: bool) -> dict[str, Any]:
    guests = "\n".join(f"{a.name} <{a.email}>" for a in spec.attendees)
    content = "\n\n".join(part for part in (spec.description, guests and f"Guests:\n{guests}") if part)
    body: dict[str, Any] = {
        "subject": spec.subject,
        "body": {"contentType": "text", "content": content},
        "start": _when(spec.start, spec.timezone),
        "end": _when(spec.end, spec.timezone),
        "showAs": "busy",
        "singleValueExtendedProperties": [{"id": MEETING_ID_PROPERTY, "value": spec.meeting_id}],
    }
    if invite_attendees:
        # Off by default: Exchange mails its own invitation to every attendee and there is no way to
        # suppress it, while we already email guests an .ics; two invitations confuse people.
        body["attendees"] = [
            {"emailAddress": {"address": a.email, "name": a.name}, "type": "required"} for a in spec.attendees
        ]
    return body


async def create_event(
    graph: GraphClient, user_id: str, calendar_id: str, spec: EventSpec, invite_attendees: bool
) -> str:
    body = {
        **event_body(spec, invite_attendees),
        # Graph uses transactionId to recognise a retried POST, so our retries do not duplicate events.
        "transactionId": f"{TRANSACTION_PREFIX}{spec.meeting_id}-{spec.sequence}",
    }
    created = await graph.request(user_id, "POST", f"{calendar_path(user_id, calendar_id)}/events", json=body)
    return str(created["id"])


async def update_event(
    graph: GraphClient, user_id: str, calendar_id: str, event_id: str, spec: EventSpec, invite_attendees: bool
) -> None:
    path = f"{calendar_path(user_id, calendar_id)}/events/{quote(event_id)}"
    await graph.request(user_id, "PATCH", path, json=event_body(spec, invite_attendees))


async def delete_event(graph: GraphClient, user_id: str, calendar_id: str, event_id: str) -> None:
    try:
        await graph.request(
            user_id, "DELETE", f"{calendar_path(user_id, calendar_id)}/events/{quote(event_id)}"
        )
    except CalendarHTTPError as error:
        if error.status not in (404, 410):  # already gone is what we wanted
            raise


def meeting_id_of(event: Mapping[str, Any]) -> str | None:
    for prop in event.get("singleValueExtendedProperties") or ():
        if str(prop.get("id", "")).lower() == MEETING_ID_PROPERTY.lower():
            return str(prop.get("value"))
    transaction = event.get("transactionId") or ""
    if transaction.startswith(TRANSACTION_PREFIX):
        return transaction[len(TRANSACTION_PREFIX) :].rsplit("-", 1)[0]
    return None


def _change(event: Mapping[str, Any]) -> EventChange | None:
    meeting_id = meeting_id_of(event)
    uid = str(event.get("iCalUId") or "")
    # Graph has no SEQUENCE; calendarView lists a series as its occurrences and exceptions.
    occurrence = event.get("type") in ("occurrence", "exception")
    if "@removed" in event or event.get("isCancelled"):
        # A removed item carries only its id: the engine matches deletions by external_event_id.
        return EventChange(
            meeting_id=meeting_id or "",
            external_event_id=str(event["id"]),
            deleted=True,
            ical_uid=uid,
            occurrence=occurrence,
        )
    if meeting_id is None and not uid:
        return None
    return EventChange(
        meeting_id=meeting_id or "",
        external_event_id=str(event["id"]),
        deleted=False,
        start=graph_instant(event["start"]),
        end=graph_instant(event["end"]),
        ical_uid=uid,
        occurrence=occurrence,
    )


async def delta_changes(
    graph: GraphClient,
    user_id: str,
    calendar_id: str,
    delta_link: str | None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[list[EventChange], str]:
    """Changes since ``delta_link`` (None, or a link Graph expired with 410, means a full round over
    the window around now; the engine treats changes equal to what it stored as no-ops)."""
    while True:
        if delta_link:
            first: tuple[str, dict[str, str] | None] = (delta_link, None)
        else:
            moment = now()
            params = {
                "startDateTime": rfc3339(moment - DELTA_PAST),
                "endDateTime": rfc3339(moment + DELTA_FUTURE),
            }
            first = (f"{calendar_path(user_id, calendar_id)}/calendarView/delta", params)
        changes: list[EventChange] = []
        try:
            async for page in graph.pages(user_id, first[0], first[1], utc=True):
                changes.extend(c for c in map(_change, page.get("value", [])) if c is not None)
                if page.get("@odata.deltaLink"):
                    return changes, str(page["@odata.deltaLink"])
        except CalendarHTTPError as error:
            if error.status == 410 and delta_link:  # syncStateNotFound: start over
                delta_link = None
                continue
            raise
        raise CalendarHTTPError(502, "Graph delta ended without a deltaLink")
