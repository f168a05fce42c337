"""Reschedule, change the duration, cancel — from either side, with the booking's own checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.calendars.sources import Profile, calendar_unavailable, fetch_busy, require_profile, without
from bot.errors import SlotTaken
from bot.handlers.posting import post_notice
from bot.meetings import texts
from bot.meetings.attendees import rewrite_attendee_calendars, team_fields
from bot.meetings.booking import utc_start
from bot.meetings.commands import CancelMeeting, ChangeMeetingDuration, RescheduleMeeting
from bot.meetings.effects import arm_reminder, meeting_event, reminder_key, sync_calendar
from bot.meetings.events import MeetingCancelled, MeetingDurationChanged, MeetingRescheduled
from bot.meetings.model import CANCELLED, Meeting
from bot.meetings.queries import get_meeting_for
from bot.meetings.slots import around, free_at, slot_taken
from bot.model import Actor, clean_text, require
from bot.ports import Clock, MeetingRuntime, UnitOfWork
from scheduling.booking_rules import check_duration, check_meeting_change
from scheduling.calendar import Interval

MAX_REASON = 1000


async def reschedule_meeting(
    cmd: RescheduleMeeting, uow: UnitOfWork, clock: Clock, runtime: MeetingRuntime
) -> Meeting:
    return await _move(uow, clock, runtime, cmd.meeting_id, cmd.by, utc_start(cmd.start), cmd.duration)


async def change_meeting_duration(
    cmd: ChangeMeetingDuration, uow: UnitOfWork, clock: Clock, runtime: MeetingRuntime
) -> Meeting:
    return await _move(uow, clock, runtime, cmd.meeting_id, cmd.by, None, cmd.duration)


async def _move(
    uow: UnitOfWork,
    clock: Clock,
    runtime: MeetingRuntime,
    meeting_id: str,
    by: Actor,
    start: Any,
    duration: int | None,
) -> Meeting:
    async with runtime.uow(read_only=True) as read:
        meeting = await get_meeting_for(read, by, meeting_id)
        check_meeting_change(meeting.status, meeting.start, clock.now())
        profile = await require_profile(read, meeting.agent)
    new_start = start or meeting.start
    new_duration = duration if duration is not None else meeting.duration
    if new_duration != meeting.duration:
        check_duration(new_duration, profile.settings.durations)  # raises invalid_duration
    window = around(new_start)
    busy = await fetch_busy(
        runtime.calendars, [profile], *window, deadline=runtime.settings.calendar_deadline_seconds
    )
    if busy.unreadable:
        raise calendar_unavailable(meeting.agent)
    async with uow:
        await uow.agents.lock(meeting.agent)
        meeting = require(await uow.meetings.get(meeting_id, for_update=True), "meeting")
        now = clock.now()
        check_meeting_change(meeting.status, meeting.start, now)
        own = await uow.meetings.busy([meeting.agent], *window, exclude=meeting.id)
        # The meeting's own calendar event must not block its move.
        theirs = without(busy.by_agent.get(meeting.agent, []), Interval(meeting.start, meeting.end))
        agent_busy = {meeting.agent: [*theirs, *own.get(meeting.agent, [])]}
        if not free_at(profile, agent_busy[meeting.agent], new_start, new_duration, now):
            raise slot_taken({meeting.agent: profile}, agent_busy, new_start, new_duration, now)
        try:
            await apply_move(
                uow, meeting, profile, by, new_start, new_start + timedelta(minutes=new_duration), now
            )
        except SlotTaken:
            raise slot_taken({meeting.agent: profile}, agent_busy, new_start, new_duration, now) from None
        await uow.commit()
        return meeting


async def apply_move(
    uow: UnitOfWork,
    meeting: Meeting,
    profile: Profile,
    by: Actor,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    write_calendar: bool = True,
) -> None:
    """The move itself, inside the caller's transaction: the row, the notice, the event, the reminder,
    and (unless the change came from the calendar itself) the calendar write."""
    previous = (meeting.start, meeting.end)
    meeting.start, meeting.end = start, end
    meeting.sequence += 1
    meeting.updated_at = now
    await uow.meetings.save(meeting)
    conversation = require(
        await uow.conversations.get(meeting.conversation_id, for_update=True), "conversation"
    )
    guest = require(await uow.guests.get(meeting.guest_id), "guest")
    tz = profile.settings.timezone
    team = await team_fields(uow, meeting)
    if meeting.start != previous[0]:
        text = texts.rescheduled(meeting, by.name, tz, previous)
        event = meeting_event(
            MeetingRescheduled,
            meeting,
            profile.agent,
            guest,
            profile.settings,
            by,
            previous_start=previous[0],
            previous_end=previous[1],
            **team,
        )
    else:
        text = texts.duration_changed(meeting, by.name, tz)
        event = meeting_event(
            MeetingDurationChanged,
            meeting,
            profile.agent,
            guest,
            profile.settings,
            by,
            previous_end=previous[1],
            **team,
        )
    await post_notice(uow, conversation, text, now)
    if write_calendar:
        await sync_calendar(uow, meeting, now)
    await rewrite_attendee_calendars(uow, meeting, now)  # every other member's and room's, always
    await arm_reminder(uow, meeting, profile.settings, now)
    uow.record(event)


async def cancel_meeting(
    cmd: CancelMeeting, uow: UnitOfWork, clock: Clock, runtime: MeetingRuntime
) -> Meeting:
    reason = (
        clean_text(cmd.reason, limit=MAX_REASON, what="reason") if cmd.reason and cmd.reason.strip() else None
    )
    async with runtime.uow(read_only=True) as read:
        await get_meeting_for(read, cmd.by, cmd.meeting_id)  # someone else's meeting: not found
    async with uow:
        meeting = require(await uow.meetings.get(cmd.meeting_id, for_update=True), "meeting")
        now = clock.now()
        check_meeting_change(meeting.status, meeting.start, now)
        profile: Profile = await require_profile(uow, meeting.agent)
        await apply_cancel(uow, meeting, profile, cmd.by, reason, now)
        await uow.commit()
        return meeting


async def apply_cancel(
    uow: UnitOfWork,
    meeting: Meeting,
    profile: Profile,
    by: Actor,
    reason: str | None,
    now: datetime,
    *,
    write_calendar: bool = True,
) -> None:
    """The cancellation inside the caller's transaction; ``write_calendar=False`` when the event was
    deleted in the calendar itself (deleting it again would be pointless)."""
    meeting.status = CANCELLED
    meeting.sequence += 1
    meeting.updated_at = now
    await uow.meetings.save(meeting)
    conversation = require(
        await uow.conversations.get(meeting.conversation_id, for_update=True), "conversation"
    )
    guest = require(await uow.guests.get(meeting.guest_id), "guest")
    await post_notice(
        uow, conversation, texts.cancelled(meeting, by.name, profile.settings.timezone, reason), now
    )
    if write_calendar:
        await sync_calendar(uow, meeting, now)
    await rewrite_attendee_calendars(uow, meeting, now)  # every other member's and room's, always
    await uow.jobs.cancel(reminder_key(meeting.id))
    team = await team_fields(uow, meeting)
    uow.record(
        meeting_event(
            MeetingCancelled,
            meeting,
            profile.agent,
            guest,
            profile.settings,
            by,
            reason=reason,
            **team,
        )
    )
