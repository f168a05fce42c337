"""The ``attendee_calendar_write`` job: every member and room of an invitation's meeting gets the event
in their own calendar (the meeting's lead gets it through ``calendar_write``, like any meeting).

Same split as ``bot.calendars.writes``: the local calendar is written inside the job's transaction;
Google and Microsoft before it (HTTP never holds the database), with a short transaction recording the
event id. What to do is ``reconcile``'s decision, from the attendee row's own record of its event.
A room's calendar is its Microsoft 365 mailbox, its Google resource calendar or the local calendar
under the key ``room:<id>`` (``bot.invitations.room_calendars``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.calendars.reconcile import CalendarState, Create, Decision, Delete, Update, reconcile
from bot.calendars.remote_writes import GONE
from bot.calendars.sources import LOCAL, Profile, load_profiles, require_profile
from bot.invitations.model import MeetingAttendee, repository
from bot.invitations.room_calendars import GOOGLE, account_for, room_calendar, room_provider
from bot.meetings.attendees import ATTENDEE_CALENDAR_JOB, attendee_keys, schedule_attendee_writes
from bot.meetings.model import Meeting
from bot.model import require
from bot.ports import Clock, JobItem, UnitOfWork
from scheduling.calendar import Attendee, CalendarAccount, EventSpec
from scheduling.errors import CalendarUnavailable

log = logging.getLogger(__name__)
__all__ = ["ATTENDEE_CALENDAR_JOB", "preparer", "schedule_attendee_writes", "writer"]
Finish = Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]


@dataclass(frozen=True)
class Target:
    provider: str
    account: CalendarAccount
    calendar_id: str
    timezone: str
    name: str
    email: str


async def _target(uow: UnitOfWork, key: str, calendars: Mapping[str, Any], meeting: Meeting) -> Target | None:
    kind, _, ref = key.partition(":")
    if kind == "agent":
        profile = await require_profile(uow, ref)
        s = profile.settings
        return Target(
            profile.provider,
            profile.account,
            s.booking_calendars[0],
            s.timezone,
            profile.agent.name,
            profile.agent.email,
        )
    room = next((r for r in await repository(uow).rooms() if r.id == ref), None)
    if room is None:
        return None  # removed since: nothing to write to
    provider = room_provider(room, calendars)
    members: list[Profile] = []
    if provider == GOOGLE:  # a Google member acts for the room: the lead first
        slugs = [meeting.agent] + [
            k[6:] for k in await attendee_keys(uow, meeting.id) if k.startswith("agent:")
        ]
        members = list((await load_profiles(uow, list(dict.fromkeys(slugs)))).values())
    account = account_for(room, provider, members)
    if account is None:
        log.warning("no team member connected to Google can write the calendar of the room %s", room.name)
        return None
    return Target(provider, account, room_calendar(room, provider), "UTC", room.name, room.email)


async def _spec(uow: UnitOfWork, meeting: Meeting, target: Target) -> EventSpec:
    guest = require(await uow.guests.get(meeting.guest_id), "guest")
    invitation = await repository(uow).by_meeting(meeting.id)
    people: list[Attendee] = []
    description = f"Meeting with {guest.name}, booked through Convene."
    with_guest = invitation is None or invitation.add_to_calendar
    if invitation is not None:
        for slug in invitation.members:
            agent = await uow.agents.get(slug)
            if agent is not None:
                people.append(Attendee(agent.name, agent.email))
        # The customer on the event sees its description: a private one only goes on events without them.
        private = invitation.description_private and with_guest
        extra = ["" if private else invitation.description, invitation.conferencing, invitation.location]
        description = "\n\n".join([description, *[x for x in extra if x]])
    if guest.email and with_guest:
        people.append(Attendee(guest.name, guest.email))
    return EventSpec(
        meeting_id=meeting.id,
        subject=meeting.subject,
        start=meeting.start,
        end=meeting.end,
        timezone=target.timezone,
        description=description,
        attendees=tuple(people),
        sequence=meeting.sequence,
    )


def _decision(meeting: Meeting, row: MeetingAttendee, target: Target) -> Decision:
    return reconcile(
        meeting,
        CalendarState(
            provider=target.provider,
            booking_calendar=target.calendar_id,
            written_to=row.calendar_provider,
            calendar_id=row.calendar_id,
            event_id=row.event_id,
        ),
    )


async def _carry_out(
    provider: Any, target: Target, decision: Decision, spec: EventSpec
) -> tuple[str | None, str | None] | None:
    """Does what ``decision`` says; returns the (calendar id, event id) to record, or None: unchanged."""
    match decision:
        case Delete(calendar_id, event_id):
            await provider.delete_event(target.account, calendar_id, event_id)
            return None, None
        case Update(calendar_id, event_id):
            try:
                await provider.update_event(target.account, calendar_id, event_id, spec)
                return None
            except CalendarUnavailable as error:
                if error.details.get("status") not in GONE:
                    raise
                # Deleted by hand meanwhile: written again, as the lead's is (bot.calendars.remote_writes).
                return calendar_id, await provider.create_event(target.account, calendar_id, spec)
        case Create(calendar_id):
            return calendar_id, await provider.create_event(target.account, calendar_id, spec)
    return None


async def _load(
    uow: UnitOfWork, job: JobItem, calendars: Mapping[str, Any]
) -> tuple[Meeting, MeetingAttendee, Target] | None:
    meeting = await uow.meetings.get(job.payload["meeting_id"])
    key = job.payload["attendee"]
    row = next((a for a in await repository(uow).attendees(job.payload["meeting_id"]) if a.key == key), None)
    if meeting is None or row is None:
        return None
    target = await _target(uow, key, calendars, meeting)
    return (meeting, row, target) if target is not None else None


def writer(runtime: Any) -> Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]:
    async def write_in_transaction(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
        loaded = await _load(uow, job, runtime.calendars)
        if loaded is None:
            return
        meeting, row, target = loaded
        provider = runtime.calendars.get(target.provider)
        if provider is None:
            if target.provider == LOCAL:
                return  # no calendar installed: the meeting lives in our database only
            raise RuntimeError(f"calendar provider {target.provider!r} is not enabled")
        written = await _carry_out(
            provider, target, _decision(meeting, row, target), await _spec(uow, meeting, target)
        )
        if written is not None:
            calendar_id, event_id = written
            await repository(uow).record_event(
                meeting.id, row.key, target.provider if event_id else None, calendar_id, event_id
            )

    return write_in_transaction


def preparer(runtime: Any) -> Callable[[JobItem, Clock], Awaitable[Finish | None]]:
    """Remote calendars: the HTTP call before the job's transaction, the record inside it."""

    async def prepare(job: JobItem, clock: Clock) -> Finish | None:
        async with runtime.uow(read_only=True) as read:
            loaded = await _load(read, job, runtime.calendars)
            if loaded is None or loaded[2].provider == LOCAL:
                return None
            meeting, row, target = loaded
            spec = await _spec(read, meeting, target)
        provider = runtime.calendars.get(target.provider)
        if provider is None:
            raise RuntimeError(f"calendar provider {target.provider!r} is not enabled")
        written = await _carry_out(provider, target, _decision(meeting, row, target), spec)

        async def record(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
            if written is not None:
                calendar_id, event_id = written
                provider_name = target.provider if event_id else None
                await repository(uow).record_event(meeting.id, row.key, provider_name, calendar_id, event_id)

        return record

    return prepare
