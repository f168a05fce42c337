"""What a calendar must do so that it shows a meeting as it is now: the one decision behind every
``calendar_write``, for the local calendar and the remote ones alike.

``reconcile`` is pure: it looks at the meeting and at what we know of its event, and answers
``Create``, ``Update``, ``Delete`` or ``Nothing``. The callers (``bot.calendars.writes`` inside the job's
transaction for the local calendar, ``bot.calendars.remote_writes`` before it for Google and Microsoft)
only carry the answer out and record the result, so both kinds of calendar follow the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.meetings.model import Meeting
from scheduling.calendar import Attendee, EventSpec


@dataclass(frozen=True)
class CalendarState:
    """What we know of the meeting's event, seen from the calendar the agent uses now."""

    provider: str  # the calendar the agent uses now ("local", "google", "microsoft")
    booking_calendar: str  # where a new event goes (the agent's first booking calendar)
    written_to: str | None = None  # the provider the meeting's event was written to, if any
    calendar_id: str | None = None
    event_id: str | None = None
    sequence: int | None = None  # the SEQUENCE the event carries; None when the calendar can't tell us

    @classmethod
    def of(
        cls, meeting: Meeting, provider: str, booking_calendar: str, sequence: int | None = None
    ) -> CalendarState:
        return cls(
            provider=provider,
            booking_calendar=booking_calendar,
            written_to=meeting.calendar_provider,
            calendar_id=meeting.calendar_id,
            event_id=meeting.external_event_id,
            sequence=sequence,
        )

    @property
    def has_event(self) -> bool:
        """An event we wrote into the calendar the agent uses now. One written to a calendar the agent
        has since left is out of reach: the meeting follows the agent into the new one."""
        return bool(self.event_id and self.calendar_id) and self.written_to == self.provider


@dataclass(frozen=True)
class Create:
    calendar_id: str


@dataclass(frozen=True)
class Update:
    calendar_id: str
    event_id: str


@dataclass(frozen=True)
class Delete:
    calendar_id: str
    event_id: str


@dataclass(frozen=True)
class Nothing:
    pass


Decision = Create | Update | Delete | Nothing


def reconcile(meeting: Meeting, calendar: CalendarState) -> Decision:
    if not meeting.booked:
        if calendar.has_event:
            return Delete(calendar.calendar_id, calendar.event_id)  # type: ignore[arg-type]
        return Nothing()
    if not calendar.has_event:
        return Create(calendar.booking_calendar)
    if calendar.sequence is not None and calendar.sequence >= meeting.sequence:
        return Nothing()  # every change of the meeting raises its SEQUENCE: this one is written already
    return Update(calendar.calendar_id, calendar.event_id)  # type: ignore[arg-type]


def event_spec(meeting: Meeting, profile: Any, guest: Any, *, with_guest: bool = True) -> EventSpec:
    """What the agent's calendar shows for a meeting, whichever calendar it is; ``with_guest`` False
    (an invitation's "Add to calendar event" off) keeps the customer off its attendees."""
    attendees = [Attendee(profile.agent.name, profile.agent.email)]
    if guest.email and with_guest:
        attendees.append(Attendee(guest.name, guest.email))
    return EventSpec(
        meeting_id=meeting.id,
        subject=meeting.subject,
        start=meeting.start,
        end=meeting.end,
        timezone=profile.settings.timezone,
        description=f"Meeting with {guest.name}, booked through Convene.",
        attendees=tuple(attendees),
        sequence=meeting.sequence,
    )
