"""What a booking form offers: the one answer every channel shows.

The web booking page, Slack's schedule modal and Teams' schedule card used to pick their own time
zone, lengths, default length, subject and slot window. They all ask ``booking_options`` now, and
``BookMeeting`` without a duration or subject is completed from the same answer, so a form that
leaves a field empty books exactly what another channel would have shown.

The rules, decided here once:

- **time zone**: the agent's (their scheduling setting, else their profile's); ``UTC`` when neither
  names a known zone.
- **durations**: the agent's allowed durations, shortest first. Changing an existing meeting offers
  the lengths of its host (the meeting's agent, never whoever clicked) plus the meeting's own length.
- **default duration**: the agent's own choice when they made one; otherwise 30 when 30 is offered,
  else the shortest offered (``scheduling.agent_settings.default_duration_for``). For an existing
  meeting: its current length.
- **default subject**: ``Meeting with <guest name>`` when the guest is known, else ``Meeting``; an
  existing meeting keeps its subject.
- **window**: from today in the agent's zone, by the clock port, to the last day of the booking
  horizon (one month ahead, ``scheduling.availability.booking_horizon``) in that zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.calendars.sources import scheduling_settings
from bot.errors import NotFound
from bot.meetings.model import Meeting
from bot.model import Agent, Guest
from bot.ports import Clock
from scheduling.agent_settings import SchedulingSettings, default_duration_for
from scheduling.availability import booking_horizon
from scheduling.errors import SchedulingError
from scheduling.zones import is_zone

FALLBACK_TIMEZONE = "UTC"
DEFAULT_SUBJECT = "Meeting"


@dataclass(frozen=True)
class BookingOptions:
    time_zone: str
    durations: tuple[int, ...]
    default_duration: int
    default_subject: str
    window_start: date  # in time_zone
    window_end: date  # in time_zone, the day of the horizon
    horizon: datetime  # the latest bookable start (UTC)

    @property
    def horizon_days(self) -> int:
        return (self.window_end - self.window_start).days


def default_subject(guest: Guest | None) -> str:
    name = (guest.name or "").strip() if guest is not None else ""
    return f"Meeting with {name}" if name else DEFAULT_SUBJECT


def booking_options(
    agent: Agent, *, clock: Clock, meeting: Meeting | None = None, guest: Guest | None = None
) -> BookingOptions:
    """``agent`` is the host: for an existing ``meeting``, pass its agent (``options_for`` does)."""
    settings = _settings(agent)
    tz = time_zone_of(agent)
    durations = tuple(sorted(set(settings.durations))) if settings else (30,)
    default = settings.default_duration if settings else default_duration_for(durations)
    subject = default_subject(guest)
    if meeting is not None:
        durations = tuple(sorted({*durations, meeting.duration}))
        default, subject = meeting.duration, meeting.subject
    return _options(tz, durations, default, subject, clock)


async def options_for(
    uow: Any,
    clock: Clock,
    *,
    agent: str | None = None,
    meeting: Meeting | None = None,
    guest_id: str | None = None,
) -> BookingOptions:
    """Loads the host (the meeting's agent when a meeting is given) and the guest, then asks
    ``booking_options``."""
    slug = meeting.agent if meeting is not None else agent
    host = await uow.agents.get(slug) if slug else None
    if host is None:
        raise NotFound(f"There is no agent called {slug!r}.", code="unknown_agent")
    guest_id = meeting.guest_id if meeting is not None else guest_id
    guest = await uow.guests.get(guest_id) if guest_id else None
    return booking_options(host, clock=clock, meeting=meeting, guest=guest)


def default_duration_of(settings: Iterable[SchedulingSettings]) -> int:
    """Several possible hosts (a service): one of them alone keeps their own default; together,
    the rule over every length they offer."""
    chosen = list(settings)
    if len(chosen) == 1:
        return chosen[0].default_duration
    return default_duration_for(set().union(*(s.durations for s in chosen)))


def _options(tz: str, durations: tuple[int, ...], default: int, subject: str, clock: Clock) -> BookingOptions:
    now = clock.now()
    horizon = booking_horizon(now)
    zone = ZoneInfo(tz)
    return BookingOptions(
        time_zone=tz,
        durations=durations,
        default_duration=default,
        default_subject=subject,
        window_start=now.astimezone(zone).date(),
        window_end=horizon.astimezone(zone).date(),
        horizon=horizon,
    )


def _settings(agent: Agent) -> SchedulingSettings | None:
    zoned = replace(agent, settings={**(agent.settings or {}), "timezone": time_zone_of(agent)})
    try:
        return scheduling_settings(zoned)
    except SchedulingError:
        return None  # stored settings the rules now refuse: offer the defaults until they are fixed


def time_zone_of(agent: Agent) -> str:
    """The agent's zone: their scheduling setting, else their profile's, else ``UTC``."""
    for key in ((agent.settings or {}).get("timezone"), agent.timezone):
        if isinstance(key, str) and is_zone(key):
            return key
    return FALLBACK_TIMEZONE


def service_options(members: Iterable[Agent], *, clock: Clock, guest: Guest | None = None) -> BookingOptions:
    """A service's slot list before a member is chosen: every length a member offers, the rule's
    default over them, and the window in the fallback zone (the members' zones may differ)."""
    settings = [s for s in (_settings(a) for a in members) if s is not None]
    durations = tuple(sorted(set().union(*(s.durations for s in settings)))) if settings else (30,)
    default = default_duration_of(settings) if settings else default_duration_for(durations)
    return _options(FALLBACK_TIMEZONE, durations, default, default_subject(guest), clock)


async def service_options_for(uow: Any, clock: Clock, service: str) -> BookingOptions:
    found = await uow.services.get(service)
    if found is None:
        raise NotFound(f"There is no service called {service!r}.", code="unknown_service")
    members = [a for a in [await uow.agents.get(slug) for slug in found.members] if a is not None]
    return service_options(members, clock=clock)
