"""The ``calendar_write`` job: make the agent's calendar show each meeting as it is now.

Registered once, here, with both of its steps:

- before the job's transaction, ``remote_writes`` writes Google Calendar / Microsoft 365 (HTTP must
  never hold the database);
- inside it, ``write_in_transaction`` writes the built-in local calendar, whose rows join the job's
  commit, so the event and the job's completion happen exactly once.

Both carry out the same decision, ``reconcile.reconcile``. A provider failure raises: the job table
retries later, and the booking itself stands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.calendars.reconcile import CalendarState, Create, Delete, Update, event_spec, reconcile
from bot.calendars.remote_writes import prepare_calendar_write
from bot.calendars.sources import LOCAL, require_profile
from bot.meetings.attendees import guest_on_event
from bot.meetings.effects import CALENDAR_JOB
from bot.model import require
from bot.ports import Clock, JobItem, UnitOfWork

if TYPE_CHECKING:
    from bot.runtime import Runtime

JobStep = Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]


def register(runtime: Runtime) -> None:
    runtime.jobs.register(
        CALENDAR_JOB, writer_in_transaction(runtime.calendars), prepare=prepare_calendar_write(runtime)
    )


def writer_in_transaction(calendars: Mapping[str, Any]) -> JobStep:
    """The step for the local calendar (the remote step hands over to it only for that one)."""

    async def write_in_transaction(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
        meeting = await uow.meetings.get(job.payload["meeting_id"], for_update=True)
        if meeting is None:
            return
        profile = await require_profile(uow, meeting.agent)
        provider = calendars.get(profile.provider)
        if provider is None:
            if profile.provider == LOCAL:
                return  # no calendar installed at all: the meeting lives in our database only
            raise RuntimeError(f"calendar provider {profile.provider!r} is not enabled")
        state = CalendarState.of(meeting, profile.provider, profile.settings.booking_calendars[0])
        # The local calendar can say which SEQUENCE its event carries, so a meeting it shows already
        # costs no write, and an event gone from it is written again (as a remote 404 is); for a
        # calendar that can't say, reconcile updates (an update is idempotent).
        sequence_of = getattr(provider, "event_sequence", None)
        if sequence_of is not None and state.has_event:
            sequence = await sequence_of(profile.account, state.calendar_id, state.event_id)
            state = (
                replace(state, sequence=sequence) if sequence is not None else replace(state, event_id=None)
            )
        match reconcile(meeting, state):
            case Delete(calendar_id, event_id):
                await provider.delete_event(profile.account, calendar_id, event_id)
                meeting.external_event_id = None
                await uow.meetings.save(meeting)
            case Update(calendar_id, event_id):
                guest = require(await uow.guests.get(meeting.guest_id), "guest")
                spec = event_spec(meeting, profile, guest, with_guest=await guest_on_event(uow, meeting.id))
                await provider.update_event(profile.account, calendar_id, event_id, spec)
            case Create(calendar_id):
                guest = require(await uow.guests.get(meeting.guest_id), "guest")
                spec = event_spec(meeting, profile, guest, with_guest=await guest_on_event(uow, meeting.id))
                meeting.external_event_id = await provider.create_event(profile.account, calendar_id, spec)
                meeting.calendar_provider, meeting.calendar_id = profile.provider, calendar_id
                await uow.meetings.save(meeting)

    return write_in_transaction
