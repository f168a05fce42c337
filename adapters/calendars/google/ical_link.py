"""The assistant's link in an event the organiser made themselves, found by its iCalendar UID.

Google keeps the UID of an event as ``iCalUID``; ``events.list(iCalUID=…)`` finds the series and any
changed instances. The line is appended to the description once (a later run finds it and stops), and
without ``sendUpdates``: the attendees have the link by mail already and get no second invitation.
"""

from __future__ import annotations

from adapters.calendars.google.client import GoogleClient, calendar_call
from scheduling.calendar import CalendarAccount

PRIMARY = "primary"


async def link_event(
    client: GoogleClient, account: CalendarAccount, ical_uid: str, line: str, marker: str
) -> bool:
    """False when the organiser's calendar has no such event (yet)."""
    page = await client.execute(
        account, calendar_call("events", "list", calendarId=PRIMARY, iCalUID=ical_uid), "events.list iCalUID"
    )
    events = [e for e in page.get("items", []) if e.get("status") != "cancelled"]
    for event in events:
        description = str(event.get("description") or "")
        if marker in description:
            continue
        body = {"description": f"{description}\n\n{line}".strip()}
        await client.execute(
            account,
            calendar_call(
                "events", "patch", calendarId=PRIMARY, eventId=event["id"], body=body, sendUpdates="none"
            ),
            "events.patch description",
        )
    return bool(events)
