"""Writing meetings to Google Calendar / Microsoft 365 without holding the database during HTTP.

The ``calendar_write`` job's prepare step reads the meeting, calls the provider with no transaction
open (SQLite has one writer; a slow calendar must not stall every booking), then a short transaction
records the result. A crash between the remote call and that commit repeats the call, which is safe:
Google event ids are derived from the meeting id (a repeated insert answers 409 and is patched), and
Microsoft recognises a repeated create by its ``transactionId`` (made from the meeting id and the
spec's sequence, so creates always send sequence 0). Failures raise: the job table retries and the
booking itself is never touched. What to write is ``reconcile``'s decision, as for the local calendar.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.calendars.reconcile import CalendarState, Create, Delete, Nothing, Update, event_spec, reconcile
from bot.calendars.sources import LOCAL, require_profile
from bot.meetings.attendees import guest_on_event
from bot.meetings.effects import CALENDAR_JOB
from bot.model import require
from bot.ports import Clock, JobItem, UnitOfWork
from scheduling.errors import CalendarDisconnected, CalendarUnavailable

Finish = Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]
GONE = (404, 410)


def prepare_calendar_write(runtime: Any) -> Callable[[JobItem, Clock], Awaitable[Finish | None]]:
    async def prepare(job: JobItem, clock: Clock) -> Finish | None:
        async with runtime.uow(read_only=True) as read:
            meeting = await read.meetings.get(job.payload["meeting_id"])
            if meeting is None:
                return None
            profile = await require_profile(read, meeting.agent)
            if profile.provider == LOCAL:
                return None  # the local calendar writes inside the job's transaction
            guest = require(await read.guests.get(meeting.guest_id), "guest")
            with_guest = await guest_on_event(read, meeting.id)
        provider = runtime.calendars.get(profile.provider)
        if provider is None:
            raise RuntimeError(f"calendar provider {profile.provider!r} is not enabled")
        if profile.broken:
            # Retried with backoff; reconnecting schedules the agent's upcoming meetings again anyway.
            raise CalendarDisconnected(
                None, f"the {profile.provider} connection of {meeting.agent} is broken"
            )
        account = profile.account
        decision = reconcile(
            meeting, CalendarState.of(meeting, profile.provider, profile.settings.booking_calendars[0])
        )
        calendar_id, event_id = meeting.calendar_id, meeting.external_event_id
        match decision:
            case Delete(calendar_id, gone):
                await provider.delete_event(account, calendar_id, gone)  # gone already is fine
                event_id = None
            case Update(calendar_id, event_id):
                try:
                    await provider.update_event(
                        account,
                        calendar_id,
                        event_id,
                        event_spec(meeting, profile, guest, with_guest=with_guest),
                    )
                except CalendarUnavailable as error:
                    if error.details.get("status") not in GONE:
                        raise
                    # Deleted by hand while we moved it: write it again.
                    decision = Create(calendar_id)
        if isinstance(decision, Create):
            calendar_id = decision.calendar_id
            spec = replace(event_spec(meeting, profile, guest, with_guest=with_guest), sequence=0)
            event_id = await provider.create_event(account, calendar_id, spec)
        written = (meeting.status, meeting.sequence)

        async def record(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
            current = await uow.meetings.get(meeting.id, for_update=True)
            if current is None:
                return
            if (current.status, current.sequence) != written:
                # Changed while we were writing: one more pass brings the calendar up to date.
                await uow.jobs.schedule(CALENDAR_JOB, clock.now(), {"meeting_id": current.id})
            if isinstance(decision, Nothing):
                return
            current.calendar_provider = profile.provider
            current.calendar_id = calendar_id
            current.external_event_id = event_id
            await uow.meetings.save(current)

        return record

    return prepare
