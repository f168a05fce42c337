"""Timed work of meetings, run by the job table inside the job's own transaction (exactly once)."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.calendars.sources import LOCAL, require_profile
from bot.handlers.posting import post_notice
from bot.meetings import texts
from bot.meetings.effects import meeting_event
from bot.meetings.events import ReminderDue
from bot.model import SYSTEM, require
from bot.ports import Clock, JobItem, UnitOfWork
from scheduling.calendar import Attendee, EventSpec

log = logging.getLogger(__name__)


async def send_reminder(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
    meeting = await uow.meetings.get(job.payload["meeting_id"], for_update=True)
    now = clock.now()
    if meeting is None or not meeting.booked or meeting.start <= now:
        return  # cancelled, or too late to be useful: the job completes without a notice
    profile = await require_profile(uow, meeting.agent)
    guest = require(await uow.guests.get(meeting.guest_id), "guest")
    conversation = require(
        await uow.conversations.get(meeting.conversation_id, for_update=True), "conversation"
    )
    minutes = max(0, math.ceil((meeting.start - now).total_seconds() / 60))
    await post_notice(uow, conversation, texts.reminder(meeting, minutes, profile.settings.timezone), now)
    uow.record(
        meeting_event(
            ReminderDue, meeting, profile.agent, guest, profile.settings, SYSTEM, minutes_before=minutes
        )
    )


def event_spec(meeting: Any, profile: Any, guest: Any) -> EventSpec:
    """What the agent's calendar shows for a meeting, whichever calendar it is."""
    attendees = [Attendee(profile.agent.name, profile.agent.email)]
    if guest.email:
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


def calendar_writer(calendars: Mapping[str, Any]) -> Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]:
    async def write_calendar(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
        """Makes the agent's calendar match the meeting as it is now (create, update or delete).
        A provider failure raises: the job runner retries later; the booking itself stands.
        Remote calendars are written before the transaction (``remote_writes``); this runs for the
        local one, whose writes join the job's transaction."""
        meeting = await uow.meetings.get(job.payload["meeting_id"], for_update=True)
        if meeting is None:
            return
        profile = await require_profile(uow, meeting.agent)
        provider_name = profile.provider
        if meeting.calendar_provider not in (None, provider_name):
            # The agent switched calendars since: the old event is out of reach; the meeting follows them.
            meeting.external_event_id = meeting.calendar_id = None
        provider = calendars.get(provider_name)
        if provider is None:
            if provider_name == LOCAL:
                return  # no calendar installed at all: the meeting lives in our database only
            raise RuntimeError(f"calendar provider {provider_name!r} is not enabled")
        if not meeting.booked:
            if meeting.external_event_id and meeting.calendar_id:
                await provider.delete_event(profile.account, meeting.calendar_id, meeting.external_event_id)
                meeting.external_event_id = None
                await uow.meetings.save(meeting)
            return
        guest = require(await uow.guests.get(meeting.guest_id), "guest")
        spec = event_spec(meeting, profile, guest)
        if meeting.external_event_id and meeting.calendar_id:
            await provider.update_event(profile.account, meeting.calendar_id, meeting.external_event_id, spec)
            return
        calendar_id = profile.settings.booking_calendars[0]
        meeting.external_event_id = await provider.create_event(profile.account, calendar_id, spec)
        meeting.calendar_provider, meeting.calendar_id = provider_name, calendar_id
        await uow.meetings.save(meeting)

    return write_calendar
