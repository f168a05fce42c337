"""Booking: availability is re-checked inside the transaction that writes the meeting.

SQLite serialises write transactions; on PostgreSQL the candidates' agent rows are locked FOR
UPDATE and the ``meetings_no_overlap`` exclusion constraint is the last word. Either way a slot
that is no longer free answers ``slot_taken`` with alternatives, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import access
from bot.calendars.sources import Profile, calendar_unavailable, fetch_busy, load_profiles
from bot.errors import Conflict, InvalidInput, NotFound, SlotTaken
from bot.handlers.conversations import open_conversation
from bot.handlers.people import clean_email
from bot.handlers.posting import post_notice
from bot.meetings import link_window, texts
from bot.meetings.commands import BookMeeting
from bot.meetings.effects import arm_reminder, meeting_event, sync_calendar
from bot.meetings.events import MeetingBooked
from bot.meetings.idempotency import request_hash, same_request
from bot.meetings.model import Meeting
from bot.meetings.options import default_duration_of, default_subject
from bot.meetings.slots import EARLIEST_YEAR, LATEST_YEAR, around, free_at, slot_taken
from bot.model import Conversation, Member, require
from bot.names import clean_line
from bot.ports import Clock, MeetingRuntime, UnitOfWork
from bot.zones import zone
from scheduling.availability import booking_horizon
from scheduling.booking_rules import MemberLoad, check_duration, choose_member
from scheduling.zones import is_zone

MAX_SUBJECT = 300
FAIRNESS_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Booking:
    meeting: Meeting
    created: bool  # False: an Idempotency-Key repeat returned the meeting booked before


def utc_start(value: object) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(
            "The start must be a date and time with a zone, like 2026-11-24T09:00:00Z.",
            code="invalid_start",
            field="start",
        )
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:  # year 1 or 9999 overflows on the way to UTC
        raise InvalidInput(
            f"The start must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
            code="invalid_start",
            field="start",
        )
    return value.astimezone(UTC)


@dataclass(frozen=True)
class _Request:
    guest_id: str
    conversation_id: str | None
    candidates: list[str]
    service: str | None
    key: str | None
    digest: str
    email: str | None = None  # given with the booking by a guest who had none: saved with it


async def _resolve(cmd: BookMeeting, uow: UnitOfWork, start: datetime) -> _Request:
    """Who books for whom, with whom; refusals here touch nothing."""
    conversation: Conversation | None = None
    if cmd.by.kind == "guest":
        guest_id = cmd.by.id
        if cmd.conversation_id:
            conversation = await uow.conversations.get(cmd.conversation_id)
            if conversation is None or not access.guest_can_see(conversation, guest_id):
                raise NotFound("No such conversation.", code="unknown_conversation")
        agent_slug = cmd.agent
    elif cmd.by.kind == "agent":
        if not cmd.conversation_id:
            raise InvalidInput("An agent books from a conversation.", code="conversation_required")
        conversation = await uow.conversations.get(cmd.conversation_id)
        services = [s.slug for s in await uow.services.of_agent(cmd.by.id)]
        members = await uow.conversations.members(cmd.conversation_id) if conversation else []
        if conversation is None or not access.agent_can_see(conversation, cmd.by.id, services, members):
            raise NotFound("No such conversation.", code="unknown_conversation")
        guest_id = conversation.guest_id
        agent_slug = cmd.agent or (None if cmd.service else cmd.by.id)
    else:
        if not (cmd.guest_id or cmd.conversation_id):
            raise InvalidInput("Say which guest the meeting is for.", code="guest_required")
        if cmd.conversation_id:
            conversation = require(await uow.conversations.get(cmd.conversation_id), "conversation")
        guest_id = conversation.guest_id if conversation else str(cmd.guest_id)
        agent_slug = cmd.agent
    guest = require(await uow.guests.get(guest_id), "guest")
    email = None
    if cmd.by.kind == "guest" and not guest.email:
        # The invitation goes to the guest's email: no email, no booking.
        email = _email(cmd.guest_email)
        if email is None:
            raise InvalidInput(
                "Please give your email address: the invitation is sent there.",
                code="email_required",
                field="email",
            )
    if cmd.service:
        service = await uow.services.get(cmd.service)
        if service is None:
            raise NotFound(f"There is no service called {cmd.service!r}.", code="unknown_service")
        if agent_slug:
            service.require_member(agent_slug)
        candidates = [agent_slug] if agent_slug else list(service.members)
        if not candidates:
            raise InvalidInput(f"{service.name} has no members to meet.", code="no_members")
    elif agent_slug:
        candidates = [agent_slug]
    else:
        raise InvalidInput("Choose an agent or a service to meet.", code="service_or_agent")
    key = f"{cmd.by.key}:{cmd.idempotency_key}" if cmd.idempotency_key else None
    if key is not None and len(key) > 200:
        raise InvalidInput("The Idempotency-Key is too long.", code="invalid_idempotency_key")
    digest = request_hash(cmd, start)
    return _Request(
        guest_id, conversation.id if conversation else None, candidates, cmd.service, key, digest, email
    )


def _email(value: str | None) -> str | None:
    try:
        return clean_email(value, required=False)
    except InvalidInput as error:
        raise InvalidInput(error.message, code=error.code, field="email") from None


def _check_when(cmd: BookMeeting, start: datetime, now: datetime, tz: str) -> None:
    """More than a month ahead is its own refusal, not a taken slot; a link's frame is a rule."""
    horizon = booking_horizon(now)
    if start > horizon:
        raise InvalidInput(
            f"Meetings can be booked at most one month ahead (until {horizon:%d.%m.%Y}).",
            code="beyond_horizon",
            field="start",
        )
    zone_ = ZoneInfo(tz)
    link_window.check(
        start,
        cmd.link_start,
        cmd.link_end,
        tz=tz,
        today=now.astimezone(zone_).date(),
        last=horizon.astimezone(zone_).date(),
    )


async def book_meeting(cmd: BookMeeting, uow: UnitOfWork, clock: Clock, runtime: MeetingRuntime) -> Booking:
    if cmd.subject is not None:
        clean_line(cmd.subject, limit=MAX_SUBJECT, what="subject")  # refused before anything is read
    start = utc_start(cmd.start)
    guest_tz = cmd.guest_timezone
    if guest_tz:
        zone(guest_tz)
    async with runtime.uow(read_only=True) as read:
        request = await _resolve(cmd, read, start)
        if request.key and (earlier := await read.meetings.by_idempotency_key(request.key)):
            return Booking(same_request(earlier, request.digest), False)
        profiles = await load_profiles(read, request.candidates)
        guest = await read.guests.get(request.guest_id)
    if len(profiles) < len(request.candidates):
        missing = sorted(set(request.candidates) - set(profiles))[0]
        raise NotFound(f"There is no agent called {missing!r}.", code="unknown_agent")
    _check_when(cmd, start, clock.now(), profiles[request.candidates[0]].settings.timezone)
    # Whatever the form left empty takes the defaults every channel offers (bot.meetings.options).
    duration = cmd.duration
    if duration is None:
        duration = default_duration_of(p.settings for p in profiles.values())
    subject = clean_line(
        cmd.subject if cmd.subject is not None else default_subject(guest), limit=MAX_SUBJECT, what="subject"
    )
    allowed = {s: p for s, p in profiles.items() if duration in p.settings.durations}
    if not allowed:
        check_duration(duration, next(iter(profiles.values())).settings.durations)  # raises, with the lengths
    # Calendars are read before the transaction: a slow calendar must never hold the database.
    window = around(start)
    busy = await fetch_busy(
        runtime.calendars, allowed.values(), *window, deadline=runtime.settings.calendar_deadline_seconds
    )
    readable = {s: p for s, p in allowed.items() if s not in busy.unreadable}
    if not readable:
        raise calendar_unavailable(sorted(allowed)[0])
    try:
        return await _book(
            cmd,
            uow,
            clock,
            runtime,
            request,
            readable,
            busy.by_agent,
            window,
            start,
            subject,
            duration,
            guest_tz,
        )
    except Conflict as error:
        if request.key is None or isinstance(error, SlotTaken):
            raise
        # Two requests with one Idempotency-Key raced: the loser answers with the winner's meeting.
        async with runtime.uow(read_only=True) as read:
            earlier = await read.meetings.by_idempotency_key(request.key)
        if earlier is None:
            raise
        return Booking(same_request(earlier, request.digest), False)


async def _book(
    cmd: BookMeeting,
    uow: UnitOfWork,
    clock: Clock,
    runtime: Any,
    request: _Request,
    profiles: dict[str, Profile],
    provider_busy: dict[str, list[Any]],
    window: tuple[datetime, datetime],
    start: datetime,
    subject: str,
    duration: int,
    guest_tz: str | None,
) -> Booking:
    async with uow:
        for slug in sorted(profiles):  # one order everywhere: no deadlock between two services
            await uow.agents.lock(slug)
        if request.key and (earlier := await uow.meetings.by_idempotency_key(request.key)):
            return Booking(same_request(earlier, request.digest), False)
        if cmd.by.kind == "guest":
            await _within_guest_limit(uow, request.guest_id, runtime.settings.guest_max_upcoming_meetings)
        now = clock.now()
        own = await uow.meetings.busy(sorted(profiles), *window)
        busy = {slug: [*provider_busy.get(slug, []), *own.get(slug, [])] for slug in profiles}
        free = [slug for slug, p in profiles.items() if free_at(p, busy[slug], start, duration, now)]
        if not free:
            raise slot_taken(profiles, busy, start, duration, now)
        chosen = free[0] if len(free) == 1 else await _fairest(uow, free, now)
        profile = profiles[chosen]
        agent = profile.agent
        guest = require(await uow.guests.get(request.guest_id), "guest")
        if request.email and not guest.email:
            await uow.guests.set_email(guest.id, request.email)
            guest.email = request.email
        conversation = await _conversation(uow, request, agent, clock)
        meeting = Meeting(
            conversation_id=conversation.id,
            agent=chosen,
            guest_id=guest.id,
            subject=subject,
            start=start,
            end=start + timedelta(minutes=duration),
            service=request.service,
            # A zone stored before zones were checked at registration is dropped, not copied on.
            guest_timezone=guest_tz or (guest.timezone if is_zone(guest.timezone) else None),
            idempotency_key=request.key,
            request_hash=request.digest if request.key else None,
            created_at=now,
            updated_at=now,
        )
        try:
            await uow.meetings.add(meeting)  # flushes: PostgreSQL's exclusion constraint speaks here
        except SlotTaken:
            raise slot_taken(profiles, busy, start, duration, now) from None
        await post_notice(
            uow, conversation, texts.booked(meeting, agent.name, profile.settings.timezone), now
        )
        await sync_calendar(uow, meeting, now)
        await arm_reminder(uow, meeting, profile.settings, now)
        uow.record(
            meeting_event(
                MeetingBooked, meeting, agent, guest, profile.settings, cmd.by, service=request.service
            )
        )
        await uow.commit()
        return Booking(meeting, True)


async def _within_guest_limit(uow: UnitOfWork, guest_id: str, most: int) -> None:
    """Abuse limit: a guest holds at most ``most`` upcoming meetings (0: no limit); agents book freely.
    The guest's row is locked first, so two bookings at once cannot both take the last place."""
    if most <= 0:
        return
    await uow.guests.lock(guest_id)
    if len(await uow.meetings.upcoming(guest_id=guest_id)) >= most:
        raise Conflict(
            f"You already have {most} upcoming meetings; cancel one to book another.",
            code="too_many_meetings",
            limit=most,
        )


async def _fairest(uow: UnitOfWork, free: list[str], now: datetime) -> str:
    load = await uow.meetings.load(free, now - FAIRNESS_WINDOW)
    stats = {slug: MemberLoad(count, last) for slug, (count, last) in load.items()}
    return choose_member(free, stats)


async def _conversation(uow: UnitOfWork, request: _Request, agent: Any, clock: Clock) -> Conversation:
    """The guest's conversation with this agent (or the one the agent booked from), else a new one."""
    if request.conversation_id:
        conversation = require(
            await uow.conversations.get(request.conversation_id, for_update=True), "conversation"
        )
    else:
        with_agent = await uow.conversations.find_for_guest(request.guest_id, agent=agent.slug)
        if with_agent is None and request.service:
            # A booking with a service belongs in the guest's conversation with that service: one
            # conversation per guest across chat and bookings, in the service's Slack/Teams thread too.
            found, created = await open_conversation(
                uow, request.guest_id, service=request.service, agent=None, clock=clock
            )
        else:
            found, created = await open_conversation(
                uow, request.guest_id, service=None, agent=agent.slug, clock=clock
            )
        conversation = (
            found
            if created
            else require(await uow.conversations.get(found.id, for_update=True), "conversation")
        )
    members = await uow.conversations.members(conversation.id)
    if not any(m.kind == "agent" and m.id == agent.slug for m in members):
        await uow.conversations.add_member(
            conversation.id, Member("agent", agent.slug, agent.name, agent.email)
        )
    return conversation
