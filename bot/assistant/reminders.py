"""Reminders before each meeting the assistant follows, through the job table like every reminder.

One job per occurrence: a series arms the next one when a reminder goes out, so the job that is running
is never re-armed under its own key. The organiser's reminder setting says how long before.
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.assistant import texts
from bot.assistant.events import CalendarMeetingChanged
from bot.assistant.model import SERIES, CalendarMeeting, repository
from bot.assistant.people import details
from bot.calendars.sources import scheduling_settings
from bot.handlers.posting import post_notice
from bot.ports import Clock, JobItem, UnitOfWork
from scheduling.recurrence import next_start
from scheduling.reminders import reminder_time

REMINDER_JOB = "assistant_reminder"


async def _minutes_before(uow: UnitOfWork, meeting: CalendarMeeting) -> int:
    agent = await uow.agents.get(meeting.organizer)
    return scheduling_settings(agent).reminder_minutes if agent is not None else 15


async def _skipped(uow: UnitOfWork, meeting: CalendarMeeting) -> list[datetime]:
    """Instances of a series that are excluded, or changed and followed by their own row."""
    found = [datetime.fromisoformat(d) for d in meeting.exdates]
    if meeting.instance == SERIES and meeting.rrule:
        found += [
            datetime.fromisoformat(m.instance)
            for m in await repository(uow).instances(meeting.uid)
            if m.instance
        ]
    return found


async def arm(
    uow: UnitOfWork, meeting: CalendarMeeting, now: datetime, *, after: datetime | None = None
) -> None:
    """(Re)arms the reminder of the next occurrence that starts after ``after`` (default: now)."""
    if meeting.reminder_key:
        await uow.jobs.cancel(meeting.reminder_key)
        meeting.reminder_key = ""
    start = None
    if meeting.active:
        start = next_start(
            meeting.start, meeting.timezone, meeting.rrule, after or now, await _skipped(uow, meeting)
        )
    when = reminder_time(start, await _minutes_before(uow, meeting), now) if start is not None else None
    if start is not None and when is not None:
        meeting.reminder_key = f"assistant-reminder:{meeting.id}:{start.isoformat()}"
        await uow.jobs.schedule(
            REMINDER_JOB,
            when,
            {"meeting_id": meeting.id, "start": start.isoformat()},
            key=meeting.reminder_key,
        )
    await repository(uow).save_meeting(meeting)


async def send_reminder(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
    repo = repository(uow)
    meeting = await repo.meeting_by_id(job.payload["meeting_id"], for_update=True)
    now = clock.now()
    if meeting is None or not meeting.active:
        return
    start = datetime.fromisoformat(job.payload["start"])
    end = start + (meeting.end - meeting.start)
    if start > now:
        conversation = await uow.conversations.get(meeting.conversation_id, for_update=True)
        if conversation is not None:
            minutes = max(0, math.ceil((start - now).total_seconds() / 60))
            await post_notice(
                uow, conversation, texts.reminder(meeting.summary, minutes, start, end, meeting.timezone), now
            )
            info = details(meeting, "")
            info.update(start=start, end=end)
            for member in await uow.conversations.members(conversation.id):
                if member.email:
                    uow.record(
                        CalendarMeetingChanged(
                            conversation=conversation.id,
                            email=member.email,
                            name=member.name,
                            title=conversation.title or meeting.summary,
                            change="reminder",
                            member_kind=member.kind,
                            member_id=member.id,
                            minutes_before=minutes,
                            **info,
                        )
                    )
    meeting.reminder_key = ""  # this job completes; the next occurrence gets a job of its own
    await arm(uow, meeting, now, after=max(now, start))
