"""iTIP in: calendar invitations as calendar clients mail them (RFC 5546 over RFC 6047), and the REPLY out.

Outlook, Google Calendar and Apple Calendar each build an invitation differently: ``text/calendar`` as
an alternative part or as an ``.ics`` attachment, base64 or quoted-printable; times in a Windows zone
with its VTIMEZONE (Outlook), in UTC (Google), floating or with an IANA TZID (Apple); folded lines,
quoted CN values, attendees without PARTSTAT. This module turns any of them into plain values with UTC
instants and an IANA zone, or raises an ``InvitationError`` whose sentence can be mailed back as is.

Pure: the standard ``email`` package and ``icalendar``; no database, no network, no clock of its own.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from scheduling.errors import SchedulingError
from scheduling.windows_zones import to_iana

MAX_INVITATION_BYTES = 2 * 1024 * 1024
PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"})
_JOIN_URL = re.compile(
    r"https://(?:teams\.microsoft\.com|teams\.live\.com|meet\.google\.com|[\w.-]*zoom\.us|[\w.-]*webex\.com)"
    r"/[^\s<>\"')]*",
    re.IGNORECASE,
)
_JOIN_PROPERTIES = ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-GOOGLE-CONFERENCE", "CONFERENCE", "URL")


class InvitationError(SchedulingError):
    """An invitation we cannot act on; ``message`` says why in words the sender understands."""

    code = "invalid_invitation"


@dataclass(frozen=True)
class Person:
    email: str  # lower-case, without "mailto:"
    name: str = ""
    partstat: str = "NEEDS-ACTION"  # RFC 5545: the default when a client leaves it out


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: the series (``recurrence_id`` None) or one instance of it."""

    uid: str
    sequence: int
    summary: str
    start: datetime | None  # UTC; None only in a CANCEL or REPLY that left it out
    end: datetime | None
    timezone: str  # IANA: where the organiser's client said the meeting is
    organizer: Person | None
    attendees: tuple[Person, ...] = ()
    location: str = ""
    description: str = ""
    join_url: str = ""
    rrule: str = ""  # "FREQ=WEEKLY;COUNT=10", as written
    exdates: tuple[datetime, ...] = ()  # UTC
    recurrence_id: datetime | None = None  # UTC: the original start of the instance this changes
    status: str = "CONFIRMED"
    all_day: bool = False

    def attendee(self, address: str) -> Person | None:
        address = address.lower()
        return next((p for p in self.attendees if p.email == address), None)


@dataclass(frozen=True)
class Invitation:
    """A mailed iTIP message: its method and events, and who says they sent it."""

    method: str  # REQUEST | CANCEL | REPLY
    events: tuple[CalendarEvent, ...]  # the series first, then its changed instances
    sender: str = ""  # the From address, lower-case
    subject: str = ""
    message_id: str = ""
    headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        return self.events[0].uid

    @property
    def organizer(self) -> Person | None:
        return next((e.organizer for e in self.events if e.organizer), None)


def _error(code: str, message: str) -> InvitationError:
    return InvitationError(code, message)


def email_of(value: object) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return parseaddr(text)[1].lower() or text.lower()


def _person(prop: Any) -> Person:
    params = getattr(prop, "params", {})
    partstat = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    name = params.get("CN", "")
    name = ", ".join(n.strip() for n in name) if isinstance(name, list) else str(name)  # unquoted comma
    name = name.strip().strip('"')
    return Person(email_of(prop), name, partstat if partstat in PARTSTATS else "NEEDS-ACTION")


def _zone_of(prop: Any, zones: dict[str, Any], floating: str) -> tuple[str, Any]:
    """(IANA name, tzinfo) for a DTSTART-like property: its TZID, UTC, or the floating zone."""
    tzid = prop.params.get("TZID")
    value = prop.dt
    if tzid:
        tzid = str(tzid).strip('"')
        try:
            iana = to_iana(tzid)  # Windows names ("W. Europe Standard Time") and IANA names
            return iana, ZoneInfo(iana)
        except SchedulingError:
            if tzid in zones:  # a custom name, but its VTIMEZONE says what it means
                return floating, zones[tzid]
            raise _error(
                "unknown_timezone",
                f"The invitation uses the time zone “{tzid}”, which we do not know, and does not describe it "
                "(no VTIMEZONE). Please send it again from your calendar, or use a standard time zone.",
            ) from None
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return "UTC", UTC
    return floating, ZoneInfo(floating)


def _instant(prop: Any, zones: dict[str, Any], floating: str) -> tuple[datetime, str, bool]:
    """(UTC instant, IANA zone, all day) of a DTSTART, DTEND or RECURRENCE-ID."""
    iana, tz = _zone_of(prop, zones, floating)
    value = prop.dt
    if not isinstance(value, datetime):  # a DATE: an all-day event, midnight where it happens
        assert isinstance(value, date)
        return datetime(value.year, value.month, value.day, tzinfo=tz).astimezone(UTC), iana, True
    wall = value.replace(tzinfo=None)
    if iana == "UTC" and tz is UTC:
        return value.astimezone(UTC), iana, False
    # fold=0: an ambiguous autumn wall time means its first occurrence, as calendar clients read it.
    return wall.replace(tzinfo=tz).astimezone(UTC), iana, False


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def _join_url(component: Any, location: str, description: str) -> str:
    for name in _JOIN_PROPERTIES:
        value = _text(component, name)
        if value.lower().startswith("https://"):
            return value
    found = _JOIN_URL.search(f"{location}\n{description}")
    return found.group(0) if found else ""


def _exdates(component: Any, zones: dict[str, Any], floating: str) -> tuple[datetime, ...]:
    raw = component.get("EXDATE")
    if raw is None:
        return ()
    result: list[datetime] = []
    for prop in raw if isinstance(raw, list) else [raw]:
        for item in prop.dts:
            item.params = prop.params
            result.append(_instant(item, zones, floating)[0])
    return tuple(result)


def _event(component: Any, method: str, zones: dict[str, Any], floating: str) -> CalendarEvent:
    uid = _text(component, "UID")
    if not uid:
        raise _error("missing_uid", "The invitation has no UID, so we could not tell which event it is.")
    start = end = None
    zone, all_day = floating, False
    if component.get("DTSTART") is not None:
        start, zone, all_day = _instant(component["DTSTART"], zones, floating)
        if component.get("DTEND") is not None:
            end = _instant(component["DTEND"], zones, floating)[0]
        elif component.get("DURATION") is not None:
            duration: Any = component["DURATION"]
            end = start + duration.dt
        else:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
        if end < start:
            raise _error("invalid_times", "The invitation ends before it starts.")
    elif method == "REQUEST":
        raise _error("missing_dtstart", "The invitation has no start time (DTSTART).")
    recurrence = component.get("RECURRENCE-ID")
    location, description = _text(component, "LOCATION"), _text(component, "DESCRIPTION")
    rrule = component.get("RRULE")
    try:
        sequence = int(str(component.get("SEQUENCE", 0)))
    except ValueError:
        sequence = 0
    organizer = component.get("ORGANIZER")
    attendees = component.get("ATTENDEE") or []
    return CalendarEvent(
        uid=uid,
        sequence=sequence,
        summary=_text(component, "SUMMARY"),
        start=start,
        end=end,
        timezone=zone,
        organizer=_person(organizer) if organizer is not None else None,
        attendees=tuple(_person(a) for a in (attendees if isinstance(attendees, list) else [attendees])),
        location=location,
        description=description,
        join_url=_join_url(component, location, description),
        rrule=rrule.to_ical().decode() if rrule is not None else "",
        exdates=_exdates(component, zones, floating),
        recurrence_id=_instant(recurrence, zones, floating)[0] if recurrence is not None else None,
        status=_text(component, "STATUS").upper() or "CONFIRMED",
        all_day=all_day,
    )


def parse_calendar(data: bytes | str, *, method: str = "", floating_zone: str = "UTC") -> Invitation:
    """The events of one iCalendar object; ``method`` from the MIME type wins over the object's own."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise _error("unreadable_calendar", f"The calendar data could not be read ({error}).") from None
    components = list(calendar.walk())
    if any(c.errors for c in components):
        raise _error(
            "broken_folding",
            "The calendar data is damaged: some lines are broken (not folded as iCalendar requires).",
        )
    zones: dict[str, Any] = {}
    vtimezone: Any
    for vtimezone in calendar.walk("VTIMEZONE"):
        try:
            zones[str(vtimezone["TZID"])] = vtimezone.to_tz()
        except (KeyError, ValueError, TypeError):
            continue
    method = (method or str(calendar.get("METHOD", "")) or "PUBLISH").upper()
    vevents = calendar.walk("VEVENT")
    if not vevents:
        raise _error("no_event", "The calendar data holds no event.")
    events = [_event(v, method, zones, floating_zone) for v in vevents]
    events.sort(
        key=lambda e: (e.recurrence_id is not None, e.recurrence_id or datetime.min.replace(tzinfo=UTC))
    )
    if len({e.uid for e in events}) != 1:
        raise _error("several_events", "The invitation holds several different events; send them one by one.")
    return Invitation(method=method, events=tuple(events))


def _is_tnef(part: Message) -> bool:
    name = (part.get_filename() or "").lower()
    return (
        part.get_content_type() in {"application/ms-tnef", "application/vnd.ms-tnef"} or name == "winmail.dat"
    )


def _calendar_part(message: Message) -> Any:
    found: Any = None
    for part in message.walk():
        if part.is_multipart():
            continue
        name = (part.get_filename() or "").lower()
        if part.get_content_type() == "text/calendar" or name.endswith(".ics"):
            # Prefer the part that says its method: Outlook adds both an alternative and an attachment.
            if found is None or (part.get_param("method") and not found.get_param("method")):
                found = part
    return found


def read_message(raw: bytes) -> EmailMessage:
    if len(raw) > MAX_INVITATION_BYTES:
        raise _error("too_large", "The invitation is larger than 2 MB; please send it without attachments.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parse_message(raw: bytes, *, floating_zone: str = "UTC") -> Invitation:
    """The invitation a mail carries; ``floating_zone`` places times that name no zone (Apple's floating
    times, all-day dates): the caller passes the organiser's zone."""
    message = read_message(raw)
    part = _calendar_part(message)
    if part is None:
        if any(_is_tnef(p) for p in message.walk()):
            raise _error(
                "winmail_dat",
                "Your invitation arrived as “winmail.dat” (Outlook's rich-text format), which we cannot read. "
                "Please switch the message format to HTML or plain text, or send the invitation from "
                "Outlook on the web, and invite the assistant again.",
            )
        raise _error("not_an_invitation", "This mail holds no calendar invitation.")
    try:
        content = part.get_content()  # decodes base64 and quoted-printable
    except (LookupError, ValueError) as error:
        raise _error("unreadable_calendar", f"The calendar part could not be decoded ({error}).") from None
    invitation = parse_calendar(
        content, method=str(part.get_param("method") or ""), floating_zone=floating_zone
    )
    headers = {
        name.lower(): [str(v) for v in message.get_all(name, [])]
        for name in ("Authentication-Results", "From", "Sender")
    }
    return Invitation(
        method=invitation.method,
        events=invitation.events,
        sender=email_of(message.get("From", "")),
        subject=str(message.get("Subject", "")),
        message_id=str(message.get("Message-ID", "")).strip(),
        headers=headers,
    )


def build_reply(
    event: CalendarEvent,
    attendee: Person,
    partstat: str,
    dtstamp: datetime,
    *,
    prodid: str = "-//Convene//EN",
) -> bytes:
    """An iTIP REPLY from ``attendee`` to the organiser: this is how a calendar client learns the answer."""
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    vevent = VEvent()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", dtstamp.astimezone(UTC))
    if event.start is not None and event.end is not None:
        vevent.add("dtstart", event.start.astimezone(UTC))
        vevent.add("dtend", event.end.astimezone(UTC))
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", event.recurrence_id.astimezone(UTC))
    if event.summary:
        vevent.add("summary", event.summary)
    if event.organizer is not None:
        vevent.add("organizer", f"mailto:{event.organizer.email}", parameters=_cn(event.organizer))
    vevent.add(
        "attendee", f"mailto:{attendee.email}", parameters={**_cn(attendee), "PARTSTAT": partstat.upper()}
    )
    calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def _cn(person: Person) -> dict[str, str]:
    return {"CN": person.name} if person.name else {}
