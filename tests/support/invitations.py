"""Invitation mails built the way Outlook, Google Calendar and Apple Calendar build them.

Written from the clients' documented and observed formats (RFC 6047 iMIP as each one applies it):

- Outlook / Exchange: ``multipart/alternative`` of text, HTML and ``text/calendar; method=REQUEST`` in
  base64; Windows zone names in TZID with their VTIMEZONE; ``SUMMARY;LANGUAGE=en-US``; a Teams link in
  ``X-MICROSOFT-SKYPETEAMSMEETINGURL``; long UIDs folded over lines.
- Google Calendar: ``multipart/mixed`` of an alternative (text, HTML, quoted-printable
  ``text/calendar``) and the same data as an ``invite.ics`` attachment; times in UTC (``Z``); the Meet
  link in ``X-GOOGLE-CONFERENCE``; ``CN`` set to the address itself when there is no name.
- Apple Calendar: ``multipart/mixed`` of a text part and ``text/calendar`` as an attachment; IANA TZIDs
  with their VTIMEZONE, or floating times; quoted ``CN`` values; attendees without PARTSTAT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

CRLF = "\r\n"

W_EUROPE_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""

BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
DTSTART:19810329T020000
TZNAME:CEST
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
DTSTART:19961027T030000
TZNAME:CET
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE"""


@dataclass
class Invite:
    """What the person typed into their calendar; each client writes it down its own way."""

    uid: str
    summary: str
    start: str  # wall time "20270329T090000" (Outlook, Apple) or UTC "20270329T070000Z" (Google)
    end: str
    organizer: tuple[str, str]  # (name, email)
    attendees: list[tuple[str, str]]  # (name, email)
    sequence: int = 0
    method: str = "REQUEST"
    location: str = ""
    description: str = ""
    rrule: str = ""
    recurrence_id: str = ""
    partstats: dict[str, str] = field(default_factory=dict)  # email -> PARTSTAT, for replies


def fold(text: str) -> str:
    """RFC 5545 folding: lines over 75 octets continue on the next line after one space."""
    out: list[str] = []
    for line in text.split("\n"):
        while len(line.encode()) > 75:
            out.append(line[:73])
            line = " " + line[73:]
        out.append(line)
    return CRLF.join(out) + CRLF


def _cn(name: str) -> str:
    return f'"{name}"' if "," in name or ":" in name or ";" in name else name


def outlook_ics(invite: Invite) -> str:
    tz = "W. Europe Standard Time"
    lines = [
        "BEGIN:VCALENDAR",
        f"METHOD:{invite.method}",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
    ]
    lines += W_EUROPE_VTIMEZONE.split("\n")
    lines += ["BEGIN:VEVENT", f"ORGANIZER;CN={_cn(invite.organizer[0])}:mailto:{invite.organizer[1]}"]
    for name, address in invite.attendees:
        part = invite.partstats.get(address, "NEEDS-ACTION")
        lines.append(
            f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT={part};RSVP=TRUE;CN={_cn(name)}:mailto:{address}"
        )
    lines.append(f"DESCRIPTION;LANGUAGE=en-US:{invite.description or 'Agenda to follow'}")
    if invite.rrule:
        lines.append(f"RRULE:{invite.rrule}")
    if invite.recurrence_id:
        lines.append(f"RECURRENCE-ID;TZID={tz}:{invite.recurrence_id}")
    lines += [
        f"UID:{invite.uid}",
        f"SUMMARY;LANGUAGE=en-US:{invite.summary}",
        f"DTSTART;TZID={tz}:{invite.start}",
        f"DTEND;TZID={tz}:{invite.end}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        "DTSTAMP:20270301T101500Z",
        "TRANSP:OPAQUE",
        "STATUS:CANCELLED" if invite.method == "CANCEL" else "STATUS:CONFIRMED",
        f"SEQUENCE:{invite.sequence}",
        f"LOCATION;LANGUAGE=en-US:{invite.location or 'Microsoft Teams Meeting'}",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:" + str(invite.sequence),
        "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE",
        "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return fold("\n".join(lines))


def google_ics(invite: Invite) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{invite.method}",
        "BEGIN:VEVENT",
        f"DTSTART:{invite.start}",
        f"DTEND:{invite.end}",
        "DTSTAMP:20270301T101500Z",
        f"ORGANIZER;CN={invite.organizer[1]}:mailto:{invite.organizer[1]}",
        f"UID:{invite.uid}",
    ]
    if invite.rrule:
        lines.append(f"RRULE:{invite.rrule}")
    if invite.recurrence_id:
        lines.append(f"RECURRENCE-ID:{invite.recurrence_id}")
    for name, address in invite.attendees:
        part = invite.partstats.get(address, "NEEDS-ACTION")
        lines.append(
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={part};RSVP=TRUE;CN={name or address};"
            f"X-NUM-GUESTS=0:mailto:{address}"
        )
    lines += [
        "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
        f"DESCRIPTION:{invite.description or 'Join with Google Meet: https://meet.google.com/abc-defg-hij'}",
        f"LOCATION:{invite.location}",
        f"SEQUENCE:{invite.sequence}",
        "STATUS:CANCELLED" if invite.method == "CANCEL" else "STATUS:CONFIRMED",
        f"SUMMARY:{invite.summary}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return fold("\n".join(lines))


def apple_ics(invite: Invite, *, floating: bool = False) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        f"METHOD:{invite.method}",
        "VERSION:2.0",
        "PRODID:-//Apple Inc.//macOS 14.4//EN",
    ]
    if not floating:
        lines += BERLIN_VTIMEZONE.split("\n")
    when = (lambda v: f":{v}") if floating else (lambda v: f";TZID=Europe/Berlin:{v}")
    lines += ["BEGIN:VEVENT", "CREATED:20270301T101500Z", f"UID:{invite.uid}", f"DTEND{when(invite.end)}"]
    if invite.rrule:
        lines.append(f"RRULE:{invite.rrule}")
    if invite.recurrence_id:
        lines.append(f"RECURRENCE-ID{when(invite.recurrence_id)}")
    for name, address in invite.attendees:
        part = invite.partstats.get(address)  # Apple leaves PARTSTAT out for people who have not answered
        extra = f";PARTSTAT={part}" if part else ""
        lines.append(
            f'ATTENDEE;CN="{name}";CUTYPE=INDIVIDUAL;EMAIL="{address}"{extra};RSVP=TRUE:mailto:{address}'
        )
    lines += [
        f'ORGANIZER;CN="{invite.organizer[0]}";EMAIL="{invite.organizer[1]}":mailto:{invite.organizer[1]}',
        f"SUMMARY:{invite.summary}",
        f"DTSTART{when(invite.start)}",
        "DTSTAMP:20270301T101500Z",
        f"SEQUENCE:{invite.sequence}",
        f"LOCATION:{invite.location}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return fold("\n".join(lines))


def _headers(message: EmailMessage, invite: Invite, to: str, sender: str | None) -> None:
    message["From"] = f"{invite.organizer[0]} <{sender or invite.organizer[1]}>"
    message["To"] = to
    prefix = {"CANCEL": "Canceled: ", "REPLY": "Accepted: "}.get(invite.method, "")
    message["Subject"] = prefix + invite.summary
    message["Date"] = format_datetime(datetime(2027, 3, 1, 10, 15, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="client.example")


def outlook_mail(
    invite: Invite, to: str, *, sender: str | None = None, ics: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    _headers(message, invite, to, sender)
    message["X-MS-Has-Attach"] = ""
    message["X-MS-TNEF-Correlator"] = ""
    message.set_content(f"{invite.description or 'Agenda to follow'}\n\nMicrosoft Teams meeting")
    message.add_alternative(f"<html><body><p>{invite.summary}</p></body></html>", subtype="html")
    message.add_alternative(
        (ics or outlook_ics(invite)).encode(),
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": invite.method, "charset": "utf-8"},
    )
    return message


def google_mail(
    invite: Invite, to: str, *, sender: str | None = None, ics: str | None = None
) -> EmailMessage:
    data = ics or google_ics(invite)
    alternative = EmailMessage()
    alternative.set_content(f"{invite.summary}\nJoin with Google Meet")
    alternative.add_alternative(f"<p>{invite.summary}</p>", subtype="html")
    alternative.add_alternative(
        data.encode(),
        maintype="text",
        subtype="calendar",
        cte="quoted-printable",
        params={"method": invite.method, "charset": "UTF-8"},
    )
    message = EmailMessage()
    _headers(message, invite, to, sender)
    message.make_mixed()
    message.attach(alternative)
    message.add_attachment(
        data.encode(), maintype="application", subtype="ics", filename="invite.ics", cte="base64"
    )
    return message


def apple_mail(
    invite: Invite, to: str, *, sender: str | None = None, floating: bool = False, ics: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    _headers(message, invite, to, sender)
    message.set_content(f"{invite.organizer[0]} has invited you to “{invite.summary}”.")
    message.add_attachment(
        (ics or apple_ics(invite, floating=floating)).encode(),
        maintype="text",
        subtype="calendar",
        filename="iCal-20270301-101500.ics",
        cte="quoted-printable",
        params={"method": invite.method},
    )
    return message


def winmail_mail(invite: Invite, to: str) -> EmailMessage:
    """Outlook with rich-text format: the invitation hides in a TNEF ``winmail.dat`` attachment."""
    message = EmailMessage()
    _headers(message, invite, to, None)
    message.set_content("")
    message.add_attachment(
        b"\x78\x9f\x3e\x22" + b"\x00" * 64,
        maintype="application",
        subtype="ms-tnef",
        filename="winmail.dat",
    )
    return message
