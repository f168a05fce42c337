"""Timed work of meetings, run by the job table inside the job's own transaction (exactly once).

The other meeting job, ``calendar_write``, belongs to ``bot.calendars.writes``.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from bot.calendars.sources import require_profile
from bot.handlers.posting import post_notice
from bot.meetings import texts
from bot.meetings.attendees import team_fields
from bot.meetings.effects import REMINDER_JOB, meeting_event
from bot.meetings.events import ReminderDue
from bot.model import SYSTEM, require
from bot.ports import Clock, JobItem, UnitOfWork

if TYPE_CHECKING:
    from bot.runtime import Runtime

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
            ReminderDue,
            meeting,
            profile.agent,
            guest,
            profile.settings,
            SYSTEM,
            minutes_before=minutes,
            **await team_fields(uow, meeting),  # every member of a team meeting is reminded
        )
    )


def register(runtime: Runtime) -> None:
    runtime.jobs.register(REMINDER_JOB, send_reminder)
