"""iCalendar out: invitations and cancellations for email, an agent's subscribable feed, and the
"add to Google Calendar" link. All times are written in UTC (``…Z``) so no VTIMEZONE is needed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote, urlencode

from icalendar import Calendar, Event, vCalAddress

from scheduling.calendar import EventSpec
from scheduling.errors import SchedulingError

PRODID = "-//Convene//EN"
UID_DOMAIN = "convene"
Person = tuple[str, str]  # (display name, email)


def meeting_uid(meeting_id: object) -> str:
    """The one UID a meeting has everywhere (emails, feed), so calendars update instead of duplicating."""
    return f"{meeting_id}@{UID_DOMAIN}"


def _utc(value: datetime, name: str) -> datetime:
    if value.utcoffset() is None:
        raise SchedulingError("invalid_time", f"{name} must be a timezone-aware datetime.")
    return value.astimezone(UTC)


def _address(person: Person) -> vCalAddress:
    name, email = person
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    return address


def _calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _event(
    *,
    uid: str,
    sequence: int,
    subject: str,
    start: datetime,
    end: datetime,
    dtstamp: datetime,
    description: str = "",
    url: str | None = None,
    organizer: Person | None = None,
    attendees: Sequence[Person] = (),
    rsvp: bool = False,
) -> Event:
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        raise SchedulingError("invalid_range", "A meeting must end after it starts.")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(dtstamp, "dtstamp"))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", subject)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if organizer:
        event.add("organizer", _address(organizer))
    for person in attendees:
        address = _address(person)
        address.params["ROLE"] = "REQ-PARTICIPANT"
        if rsvp:
            address.params["PARTSTAT"] = "NEEDS-ACTION"
            address.params["RSVP"] = "TRUE"
        event.add("attendee", address)
    return event


def build_ics(
    *,
    method: Literal["REQUEST", "CANCEL"],
    uid: str,
    sequence: int,
    subject: str,
    start: datetime,
    end: datetime,
    organizer: Person,
    attendees: Sequence[Person],
    description: str = "",
    url: str | None = None,
    dtstamp: datetime | None = None,
) -> bytes:
    """An invitation (``REQUEST``) or cancellation (``CANCEL``) to attach to an email. Each change
    must carry a higher ``sequence`` than the last one sent for the same ``uid``."""
    if method not in ("REQUEST", "CANCEL"):
        raise SchedulingError(
            "invalid_method", f"iCalendar method must be REQUEST or CANCEL, not {method!r}."
        )
    cal = _calendar(method)
    event = _event(
        uid=uid,
        sequence=sequence,
        subject=subject,
        start=start,
        end=end,
        dtstamp=dtstamp or datetime.now(UTC),  # the only impure default; tests pass dtstamp
        description=description,
        url=url,
        organizer=organizer,
        attendees=attendees,
        rsvp=method == "REQUEST",
    )
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def agent_feed(
    events: Iterable[EventSpec], *, name: str = "Convene meetings", dtstamp: datetime | None = None
) -> bytes:
    """An agent's subscribable .ics feed: one VEVENT per booked meeting (no METHOD: it is published
    data, not a message to act on)."""
    cal = _calendar(None)
    cal.add("x-wr-calname", name)
    stamp = dtstamp or datetime.now(UTC)
    for spec in events:
        event = _event(
            uid=meeting_uid(spec.meeting_id),
            sequence=spec.sequence,
            subject=spec.subject,
            start=spec.start,
            end=spec.end,
            dtstamp=stamp,
            description=spec.description,
            attendees=[(a.name, a.email) for a in spec.attendees],
        )
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _google_time(value: datetime) -> str:
    return _utc(value, "time").strftime("%Y%m%dT%H%M%SZ")


def google_calendar_link(subject: str, start: datetime, end: datetime, details: str = "") -> str:
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": subject,
            "dates": f"{_google_time(start)}/{_google_time(end)}",
            "details": details,
        },
        quote_via=quote,  # %20 for spaces, which every calendar client decodes the same way
        safe="/",
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def single_event(
    *,
    uid: str,
    sequence: int,
    subject: str,
    start: datetime,
    end: datetime,
    description: str = "",
    url: str | None = None,
    dtstamp: datetime | None = None,
) -> bytes:
    """One meeting as a file to open or import ("add to calendar" on the booking confirmation):
    ``METHOD:PUBLISH`` and no organizer or attendees, so calendar apps import it instead of asking
    to reply to an invitation. The UID is the meeting's, so a later invitation mail updates it."""
    cal = _calendar("PUBLISH")
    event = _event(
        uid=uid,
        sequence=sequence,
        subject=subject,
        start=start,
        end=end,
        dtstamp=dtstamp or datetime.now(UTC),
        description=description,
        url=url,
    )
    event.add("status", "CONFIRMED")
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _outlook_time(value: datetime) -> str:
    return _utc(value, "time").strftime("%Y-%m-%dT%H:%M:%SZ")


def outlook_calendar_link(subject: str, start: datetime, end: datetime, details: str = "") -> str:
    """Outlook on the web's "new event" form, filled in (outlook.live.com also forwards work
    accounts to their own Outlook)."""
    query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": subject,
            "startdt": _outlook_time(start),
            "enddt": _outlook_time(end),
            "body": details,
        },
        quote_via=quote,
        safe="/:",
    )
    return f"https://outlook.live.com/calendar/0/deeplink/compose?{query}"
