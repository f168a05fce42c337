"""Read side of meetings: slot lists and who may see which meeting. Adapters call these."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import access
from bot.calendars.sources import calendar_unavailable, fetch_busy, load_profiles
from bot.errors import NotFound, from_scheduling
from bot.meetings.model import Meeting
from bot.meetings.slots import agent_slots as _agent_slots
from bot.meetings.slots import busy_window, check_request, group_slots
from bot.model import Actor
from scheduling.errors import SchedulingError


class ServiceSlots(dict[Any, list[str]]):
    """Slot start (UTC) → members free then; ``unavailable`` lists members whose calendar could not
    be read (they are left out rather than guessed free)."""

    unavailable: list[str]

    def __init__(self, slots: dict[Any, list[str]], unavailable: list[str]) -> None:
        super().__init__(slots)
        self.unavailable = unavailable


async def agent_slots(
    runtime: Any, agent_slug: str, start: date, end: date, duration: int, tz: str
) -> list[Any]:
    zone = check_request(start, end, duration, tz)
    async with runtime.uow(read_only=True) as uow:
        profile = (await load_profiles(uow, [agent_slug])).get(agent_slug)
        if profile is None:
            raise NotFound(f"There is no agent called {agent_slug!r}.", code="unknown_agent")
        window = busy_window(start, end, zone)
    _check_allowed(duration, [profile])
    # Provider busy first, outside any transaction; then our own meetings.
    busy = await fetch_busy(
        runtime.calendars, [profile], *window, deadline=runtime.settings.calendar_deadline_seconds
    )
    if busy.unreadable:
        raise calendar_unavailable(agent_slug)
    async with runtime.uow(read_only=True) as uow:
        own = await uow.meetings.busy([agent_slug], *window)
    intervals = [*busy.by_agent.get(agent_slug, []), *own.get(agent_slug, [])]
    try:
        return _agent_slots(
            profile, intervals, start=start, end=end, duration=duration, tz=tz, now=runtime.clock.now()
        )
    except SchedulingError as error:
        raise from_scheduling(error) from error


async def service_slots(
    runtime: Any, service_slug: str, start: date, end: date, duration: int, tz: str
) -> ServiceSlots:
    zone = check_request(start, end, duration, tz)
    window = busy_window(start, end, zone)
    async with runtime.uow(read_only=True) as uow:
        service = await uow.services.get(service_slug)
        if service is None:
            raise NotFound(f"There is no service called {service_slug!r}.", code="unknown_service")
        profiles = await load_profiles(uow, service.members)
    offering = {s: p for s, p in profiles.items() if duration in p.settings.durations}
    if profiles and not offering:
        _check_allowed(duration, list(profiles.values()))
    busy = await fetch_busy(
        runtime.calendars, offering.values(), *window, deadline=runtime.settings.calendar_deadline_seconds
    )
    readable = {s: p for s, p in offering.items() if s not in busy.unreadable}
    async with runtime.uow(read_only=True) as uow:
        own = await uow.meetings.busy(sorted(readable), *window)  # ONE query for every member
    intervals = {s: [*busy.by_agent.get(s, []), *own.get(s, [])] for s in readable}
    try:
        found = group_slots(
            readable, intervals, start=start, end=end, duration=duration, tz=tz, now=runtime.clock.now()
        )
    except SchedulingError as error:
        raise from_scheduling(error) from error
    return ServiceSlots(found if readable else {}, busy.unreadable)


def _check_allowed(duration: int, profiles: list[Any]) -> None:
    from scheduling.booking_rules import check_duration

    allowed = set().union(*(p.settings.durations for p in profiles))
    try:
        check_duration(duration, allowed)
    except SchedulingError as error:
        raise from_scheduling(error) from error


async def upcoming_meetings(
    uow: Any, *, agent: str | None = None, guest_id: str | None = None, conversation_id: str | None = None
) -> list[Meeting]:
    """Booked meetings that have not ended, soonest first. ``agent``: the ones that agent may see
    (their own and their services')."""
    if agent is not None:
        services = [s.slug for s in await uow.services.of_agent(agent)]
        return list(
            await uow.meetings.upcoming(
                agents=[agent], services=services, guest_id=guest_id, conversation_id=conversation_id
            )
        )
    return list(await uow.meetings.upcoming(guest_id=guest_id, conversation_id=conversation_id))


async def get_meeting_for(uow: Any, actor: Actor, meeting_id: str) -> Meeting:
    """Someone else's meeting answers exactly like a missing one."""
    meeting: Meeting | None = await uow.meetings.get(meeting_id)
    if meeting is None or not await _may_see(uow, actor, meeting):
        raise NotFound("No such meeting.", code="not_found")
    return meeting


async def _may_see(uow: Any, actor: Actor, meeting: Meeting) -> bool:
    if actor.kind == "system":
        return True
    if actor.kind == "guest":
        return meeting.guest_id == actor.id
    if actor.kind != "agent":
        return False
    if meeting.agent == actor.id:
        return True
    services = [s.slug for s in await uow.services.of_agent(actor.id)]
    if meeting.service is not None and meeting.service in services:
        return True
    conversation = await uow.conversations.get(meeting.conversation_id)
    members = await uow.conversations.members(meeting.conversation_id) if conversation else []
    return conversation is not None and access.agent_can_see(conversation, actor.id, services, members)
