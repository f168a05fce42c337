"""What every meeting change does besides the row itself: the event, the calendar job, the reminder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.meetings.events import MeetingEvent
from bot.meetings.model import Meeting
from bot.model import Actor, Agent, Guest
from bot.ports import UnitOfWork
from scheduling.agent_settings import SchedulingSettings
from scheduling.reminders import reminder_time

CALENDAR_JOB = "calendar_write"
REMINDER_JOB = "meeting_reminder"


def reminder_key(meeting_id: str) -> str:
    return f"reminder:{meeting_id}"


def meeting_event(
    kind: type[MeetingEvent],
    meeting: Meeting,
    agent: Agent,
    guest: Guest,
    settings: SchedulingSettings,
    by: Actor,
    **extra: Any,
) -> MeetingEvent:
    return kind(
        conversation_id=meeting.conversation_id,
        meeting_id=meeting.id,
        agent=agent.slug,
        agent_name=agent.name,
        agent_email=agent.email,
        guest_id=guest.id,
        guest_name=guest.name,
        guest_email=guest.email,
        subject=meeting.subject,
        start=meeting.start,
        end=meeting.end,
        sequence=meeting.sequence,
        by=by,
        guest_timezone=meeting.guest_timezone,
        agent_timezone=settings.timezone,
        **extra,
    )


async def sync_calendar(uow: UnitOfWork, meeting: Meeting, now: datetime) -> None:
    """The calendar is written after commit by a job: a calendar that is down delays the event,
    never the booking. Each job reconciles the meeting's current state, so no key is needed."""
    await uow.jobs.schedule(CALENDAR_JOB, now, {"meeting_id": meeting.id})


async def arm_reminder(
    uow: UnitOfWork, meeting: Meeting, settings: SchedulingSettings, now: datetime
) -> None:
    when = reminder_time(meeting.start, settings.reminder_minutes, now)
    if when is None:
        await uow.jobs.cancel(reminder_key(meeting.id))
        return
    # Same key: a reschedule moves the one reminder instead of adding another.
    await uow.jobs.schedule(REMINDER_JOB, when, {"meeting_id": meeting.id}, key=reminder_key(meeting.id))
