"""Changes to a meeting with a team (booked through an invitation) from the inbox, Slack, Teams or the
API: a new time or duration must suit every member (their own hours, calendars and meetings) and every
room the meeting holds, its own time excluded, with the booking's race safety (the members' agent rows
locked in one order; on PostgreSQL the exclusion constraints on meetings and attendees decide last).

``apply_move`` then rewrites every member's and room's calendar and mails every member
(``bot.meetings.attendees``); cancelling needs no check, so ``CancelMeeting`` stays with
``bot.meetings.changes``, whose ``apply_cancel`` follows the attendees itself. A meeting of one agent
goes on to ``bot.meetings.changes`` unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.calendars.sources import Profile, load_profiles, require_profile, without
from bot.errors import SlotTaken
from bot.invitations.availability import (
    Participants,
    calendar_busy,
    merged,
    own_busy,
    slot_inputs,
    slots,
)
from bot.invitations.handlers import horizon_days
from bot.invitations.model import agent_key, repository, room_key
from bot.invitations.rules import horizon
from bot.meetings import changes
from bot.meetings.attendees import attendee_keys
from bot.meetings.booking import utc_start
from bot.meetings.commands import ChangeMeetingDuration, RescheduleMeeting
from bot.meetings.model import Meeting
from bot.meetings.queries import get_meeting_for
from bot.meetings.slots import ALTERNATIVE_DAYS, ALTERNATIVES, around, iso
from bot.model import Actor, require
from bot.ports import Clock, MeetingRuntime, UnitOfWork
from bot.zones import zone
from scheduling.availability import is_slot_free
from scheduling.booking_rules import check_duration, check_meeting_change
from scheduling.calendar import Interval
from scheduling.invitation_slots import TimeFrame, frame_step

Busy = Mapping[str, Sequence[Interval]]


async def meeting_participants(uow: UnitOfWork, meeting: Meeting) -> Participants:
    """The members (the lead first) and rooms a meeting holds; only the lead for a one-agent meeting."""
    keys = await attendee_keys(uow, meeting.id)
    slugs = [meeting.agent] + [k[6:] for k in keys if k.startswith("agent:") and k[6:] != meeting.agent]
    profiles = await load_profiles(uow, slugs)
    held = {k[5:] for k in keys if k.startswith("room:")}
    known = await repository(uow).rooms() if held else []
    rooms = {r.id: r for r in known if r.id in held}  # a room removed since holds nothing
    return Participants({s: profiles[s] for s in slugs if s in profiles}, rooms, {})


def outside_busy(busy: Busy, meeting: Meeting) -> dict[str, list[Interval]]:
    """Calendar busy time without the meeting's own events (they must not block its move)."""
    own = Interval(meeting.start, meeting.end)
    return {key: without(intervals, own) for key, intervals in busy.items()}


def team_free(
    participants: Participants, busy: Busy, start: datetime, duration: int, now: datetime, limit: datetime
) -> bool:
    """Every member free by their own hours, buffers and notice, on the grid invitations offer
    (``frame_step``, as the booking was), and every room unbooked."""
    end = start + timedelta(minutes=duration)
    for slug, profile in participants.profiles.items():
        s = profile.settings
        if not is_slot_free(
            s.rules(),
            busy.get(agent_key(slug), []),
            start_at=start,
            duration=duration,
            now=now,
            min_notice=s.min_notice,
            step=frame_step(duration),
            horizon=limit,
        ):
            return False
    return not any(
        iv.start < end and start < iv.end
        for room in participants.rooms
        for iv in busy.get(room_key(room), [])
    )


def team_taken(
    participants: Participants, busy: Busy, start: datetime, duration: int, now: datetime, limit: datetime
) -> SlotTaken:
    """``slot_taken`` with the next starts at which the whole team and every room are free."""
    lead = next(iter(participants.profiles.values()))
    tz = lead.settings.timezone
    day = start.astimezone(zone(tz)).date()
    frame = TimeFrame(day, day + timedelta(days=ALTERNATIVE_DAYS), "00:00", "24:00", tz)
    found = slots(frame, slot_inputs(participants, busy), duration=duration, now=now, horizon=limit)
    later = [s for s in found if s > start]
    return SlotTaken(
        "That time is no longer free for everyone; here are the next free times.",
        alternatives=[iso(s) for s in later[:ALTERNATIVES]],
    )


async def _move_team(
    uow: UnitOfWork,
    clock: Clock,
    runtime: Any,
    meeting_id: str,
    by: Actor,
    start: datetime | None,
    duration: int | None,
) -> Meeting | None:
    """The move of a team meeting; None when the meeting has no team (the caller moves it alone)."""
    async with runtime.uow(read_only=True) as read:
        meeting = await get_meeting_for(read, by, meeting_id)
        participants = await meeting_participants(read, meeting)
        if len(participants.profiles) + len(participants.rooms) < 2:
            return None
        check_meeting_change(meeting.status, meeting.start, clock.now())
        lead: Profile = await require_profile(read, meeting.agent)
    new_start = start or meeting.start
    new_duration = duration if duration is not None else meeting.duration
    if new_duration != meeting.duration:
        check_duration(new_duration, lead.settings.durations)  # the lead's durations, as for any meeting
    window = around(new_start)
    outside = outside_busy(await calendar_busy(runtime, participants, *window), meeting)
    async with uow:
        for slug in sorted(participants.profiles):  # one order everywhere: no deadlock between bookings
            await uow.agents.lock(slug)
        meeting = require(await uow.meetings.get(meeting_id, for_update=True), "meeting")
        now = clock.now()
        check_meeting_change(meeting.status, meeting.start, now)
        busy = merged(outside, await own_busy(uow, participants, *window, exclude=meeting.id))
        limit = horizon(now, horizon_days(runtime))
        if not team_free(participants, busy, new_start, new_duration, now, limit):
            raise team_taken(participants, busy, new_start, new_duration, now, limit)
        end = new_start + timedelta(minutes=new_duration)
        try:
            await changes.apply_move(uow, meeting, lead, by, new_start, end, now)
        except SlotTaken:
            raise team_taken(participants, busy, new_start, new_duration, now, limit) from None
        await uow.commit()
        return meeting


async def reschedule_meeting(
    cmd: RescheduleMeeting, uow: UnitOfWork, clock: Clock, runtime: MeetingRuntime
) -> Meeting:
    moved = await _move_team(uow, clock, runtime, cmd.meeting_id, cmd.by, utc_start(cmd.start), cmd.duration)
    return moved or await changes.reschedule_meeting(cmd, uow, clock, runtime)


async def change_meeting_duration(
    cmd: ChangeMeetingDuration, uow: UnitOfWork, clock: Clock, runtime: MeetingRuntime
) -> Meeting:
    moved = await _move_team(uow, clock, runtime, cmd.meeting_id, cmd.by, None, cmd.duration)
    return moved or await changes.change_meeting_duration(cmd, uow, clock, runtime)
