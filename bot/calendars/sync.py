"""Picking up changes made on the calendar side (the agent moves or deletes our event in Google or
Outlook) by periodic incremental sync: Google ``syncToken``, Graph ``deltaLink``.

One ``calendar_sync`` job per connected agent re-arms itself every few minutes (under two alternating
keys: a job cannot re-arm its own key while it runs). Its prepare step talks to the provider with no
transaction open; the finish step applies the changes in one short transaction and stores the cursor,
so a crash in between only repeats the same, idempotent round. Push notifications (``events.watch``,
Graph subscriptions) are not used yet: they need a public URL, and polling works everywhere.

A moved event becomes the same reschedule notice as ``RescheduleMeeting`` (by the agent), a deleted
one the same cancel notice as ``CancelMeeting``, neither written back to the calendar. A change equal
to what we stored is a no-op (a full resync reports every event), and a change older than our own
latest change of the meeting (its write still queued, or made after the listing) is ignored.

The same round hands every change to ``bot.assistant.follow``, which follows the events the agent
organised and invited the assistant to (found by iCalendar UID; Convene never writes those).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.assistant.follow import follow_calendar
from bot.calendars.outlook_settings import follow, follows_calendar, sources_of
from bot.calendars.sources import LOCAL, Profile, load_profiles
from bot.meetings.changes import apply_cancel, apply_move
from bot.meetings.effects import CALENDAR_JOB
from bot.ports import Clock, JobItem, UnitOfWork
from scheduling.calendar import EventChange, WorkingHours
from scheduling.errors import CalendarDisconnected, CalendarUnavailable, SchedulingError

log = logging.getLogger(__name__)
SYNC_JOB = "calendar_sync"
SYNC_EVERY = timedelta(minutes=5)
AGAIN = ":again"
FOLLOWED = "assistant_events"  # event id -> iCalendar UID of the organiser's followed meetings
Finish = Callable[[JobItem | None, UnitOfWork, Clock], Awaitable[None]]


def sync_key(agent: str) -> str:
    return f"{SYNC_JOB}:{agent}"


async def arm_sync(uow: UnitOfWork, agent: str, when: datetime) -> None:
    """Starts (or restarts) the agent's sync cadence at ``when``; one cadence per agent."""
    await uow.jobs.cancel(sync_key(agent) + AGAIN)
    await uow.jobs.schedule(SYNC_JOB, when, {"agent": agent}, key=sync_key(agent))


async def disarm_sync(uow: UnitOfWork, agent: str) -> None:
    await uow.jobs.cancel(sync_key(agent))
    await uow.jobs.cancel(sync_key(agent) + AGAIN)


async def _rearm(uow: UnitOfWork, agent: str, running_key: str | None, now: datetime) -> None:
    if running_key is None:  # run by hand (``convene calendars sync``): restart the cadence
        await arm_sync(uow, agent, now + SYNC_EVERY)
        return
    base = sync_key(agent)
    sibling = base if running_key.endswith(AGAIN) else base + AGAIN
    await uow.jobs.schedule(SYNC_JOB, now + SYNC_EVERY, {"agent": agent}, key=sibling)


async def finish_nothing(job: JobItem | None, uow: UnitOfWork, clock: Clock) -> None:
    """Disconnected or gone: the cadence stops here; connecting again re-arms it."""


async def _changes(provider: Any, profile: Profile, calendar_id: str, cursor: str | None) -> Any:
    if hasattr(provider, "sync_changes"):
        return await provider.sync_changes(profile.account, calendar_id, cursor)
    if hasattr(provider, "delta_changes"):
        return await provider.delta_changes(profile.account, calendar_id, cursor)
    return None


async def pick_up(runtime: Any, agent: str, running_key: str | None, clock: Clock) -> Finish:
    """Reads the agent's calendar changes (network, no transaction) and returns the step that applies
    them and re-arms the job."""
    async with runtime.uow(read_only=True) as read:
        connection = await read.calendar_connections.get(agent)
        profile = (await load_profiles(read, [agent])).get(agent)
    if connection is None or profile is None or connection.status != "ok" or connection.provider == LOCAL:
        return finish_nothing
    provider = runtime.calendars.get(connection.provider)
    calendar_id = profile.settings.booking_calendars[0]
    cursors = dict(connection.sync_state.get("cursors") or {})
    listed_at = clock.now()
    found = None
    hours = None
    try:
        if provider is not None:
            found = await _changes(provider, profile, calendar_id, cursors.get(calendar_id))
    except CalendarDisconnected:
        return finish_nothing  # marked broken (and the agent told) by the connected provider
    except CalendarUnavailable as error:
        log.info("calendar sync of %s failed, next round later: %s", agent, error)
    try:
        if provider is not None and follows_calendar(connection) and hasattr(provider, "working_hours"):
            hours = await provider.working_hours(profile.account)  # followed on every round
    except SchedulingError as error:
        log.info("calendar working hours / time zone of %s not read, next round later: %s", agent, error)

    async def finish(job: JobItem | None, uow: UnitOfWork, clock: Clock) -> None:
        if found is not None:
            changes, cursor = found
            booked = [c for c in changes if c.meeting_id or c.deleted]  # ours, or maybe ours
            await apply_changes(uow, clock, profile, connection.provider, booked, listed_at)
            # Events the organiser invited the assistant to: the engine's rule, in bot/assistant.
            _, followed = await follow_calendar(
                uow, clock, runtime.settings, agent, changes, connection.sync_state.get(FOLLOWED) or {}
            )
            now_state = await uow.calendar_connections.get(agent)  # sources may have changed meanwhile
            base = now_state.sync_state if now_state is not None else connection.sync_state
            state = {**base, "cursors": {**cursors, calendar_id: cursor}, FOLLOWED: followed}
            await uow.calendar_connections.set_sync_state(agent, connection.provider, state)
        if hours is not None:
            await _follow_outlook(uow, agent, hours)
        await _rearm(uow, agent, running_key, clock.now())

    return finish


async def _follow_outlook(uow: UnitOfWork, agent: str, hours: WorkingHours) -> None:
    """Working hours and time zone whose source is Outlook take Outlook's current values."""
    connection = await uow.calendar_connections.get(agent)
    stored = await uow.agents.get(agent)
    if stored is None:
        return
    followed = follow(stored.settings or {}, hours, sources_of(connection))
    if followed is not None:
        stored.settings = followed
        stored.timezone = followed["timezone"]
        await uow.agents.save(stored)


async def apply_changes(
    uow: UnitOfWork,
    clock: Clock,
    profile: Profile,
    provider: str,
    changes: list[EventChange],
    listed_at: datetime,
) -> int:
    """Turns calendar-side changes to our events into reschedule/cancel notices. Returns how many."""
    agent = profile.agent.slug
    by_event = await uow.calendar_connections.meetings_for_events(
        agent, sorted({c.external_event_id for c in changes})
    )
    wanted = {by_event.get(c.external_event_id) or c.meeting_id for c in changes} - {"", None}
    queued = await uow.calendar_connections.pending_writes(CALENDAR_JOB, sorted(wanted))
    applied = 0
    now = clock.now()
    for change in changes:
        meeting_id = by_event.get(change.external_event_id) or change.meeting_id
        if not meeting_id or meeting_id in queued:
            continue  # not ours, or the calendar is about to get our newer state anyway
        meeting = await uow.meetings.get(meeting_id, for_update=True)
        if (
            meeting is None
            or meeting.agent != agent
            or not meeting.booked
            or meeting.calendar_provider != provider
            or meeting.external_event_id != change.external_event_id
            or meeting.start <= now  # past meetings are history, whatever the calendar says
            or (meeting.updated_at is not None and meeting.updated_at > listed_at)
        ):
            continue
        by = profile.agent.actor
        if change.deleted:
            await apply_cancel(uow, meeting, profile, by, None, now, write_calendar=False)
            applied += 1
            continue
        if (
            change.start is None
            or change.end is None
            or (change.start, change.end) == (meeting.start, meeting.end)
        ):
            continue
        clash = await uow.meetings.busy([agent], change.start, change.end, exclude=meeting.id)
        if clash.get(agent):
            # Moved onto another booked meeting by hand: we cannot hold both; keep ours as booked.
            log.warning("calendar move of meeting %s overlaps another meeting; not applied", meeting.id)
            continue
        await apply_move(uow, meeting, profile, by, change.start, change.end, now, write_calendar=False)
        applied += 1
    return applied


def prepare_sync(runtime: Any) -> Callable[[JobItem, Clock], Awaitable[Finish]]:
    async def prepare(job: JobItem, clock: Clock) -> Finish:
        return await pick_up(runtime, str(job.payload["agent"]), job.key, clock)

    return prepare


async def sync_now(runtime: Any, agents: list[str] | None = None) -> dict[str, str]:
    """``convene calendars sync``: one round for every connected agent (or those named), right now."""
    async with runtime.uow(read_only=True) as read:
        connected = [a for a, _ in await read.calendar_connections.connected()]
    results = {}
    for agent in connected:
        if agents is not None and agent not in agents:
            continue
        finish = await pick_up(runtime, agent, None, runtime.clock)
        async with runtime.uow() as uow:
            await finish(None, uow, runtime.clock)
            await uow.commit()
        results[agent] = "synced" if finish is not finish_nothing else "disconnected"
    return results


def register(runtime: Any) -> None:
    runtime.jobs.register(SYNC_JOB, finish_nothing, prepare=prepare_sync(runtime))
