"""Creating, booking, withdrawing and resending invitations: the rules, on the same slot code and the
same race safety as every booking.

Calendars are read before the writing transaction; inside it the team's agent rows are locked in one
order, Convene's own meetings and attendee rows are read again, and the slot is checked with
``slot_is_free`` (the function behind the slot list). The meeting row and one attendee row per member
and room are then written: SQLite serialises writers, and on PostgreSQL the exclusion constraints on
meetings and attendees are the last word, so no member and no room is ever double-booked.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from bot.errors import Conflict, DomainError, Forbidden, NotFound, SlotTaken
from bot.handlers.conversations import open_conversation
from bot.handlers.posting import post_notice
from bot.invitations import texts
from bot.invitations.availability import (
    Participants,
    busy_window,
    calendar_busy,
    load_participants,
    merged,
    own_busy,
    slot_inputs,
    slots,
    who_is_busy,
)
from bot.invitations.calendar_writes import schedule_attendee_writes
from bot.invitations.commands import (
    BookInvitation,
    CreateInvitation,
    InvitationDraft,
    ResendInvitation,
    WithdrawInvitation,
)
from bot.invitations.events import InvitationBooked, InvitationSent, InvitationWithdrawn
from bot.invitations.model import BOOKED, OPEN, WITHDRAWN, Invitation, agent_key, repository, room_key
from bot.invitations.rules import DEFAULT_HORIZON_DAYS, check_draft, horizon
from bot.meetings.booking import utc_start
from bot.meetings.effects import arm_reminder, meeting_event, sync_calendar
from bot.meetings.events import MeetingBooked
from bot.meetings.model import Meeting
from bot.meetings.slots import iso
from bot.meetings.texts import describe_time
from bot.model import Actor, Agent, Guest, Member, new_id, require
from bot.origin import INVITATION
from bot.ports import Clock, UnitOfWork
from bot.tokens import token_hash
from scheduling.booking_rules import MemberLoad
from scheduling.invitation_slots import TimeFrame, choose_room, free_rooms, slot_is_free

ALTERNATIVES = 5
FAIRNESS_WINDOW = timedelta(days=30)


def horizon_days(runtime: Any) -> int:
    return int(runtime.settings.extra.get("invitation_horizon_days", DEFAULT_HORIZON_DAYS))


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def issue_token(invitation: Invitation) -> None:
    """A fresh link token: its hash is stored, the token itself only travels in this command's answer
    and in the invitation email (sealed in the outbox until delivered)."""
    invitation.token = new_invitation_token()
    invitation.token_hash = token_hash(invitation.token)


async def by_token(uow: UnitOfWork, token: str, *, for_update: bool = False) -> Invitation | None:
    """The invitation a link token opens (looked up by its hash), with the token it was opened by."""
    found = await repository(uow).by_token_hash(token_hash(token), for_update=for_update)
    if found is not None:
        found.token = token
    return found


async def _organizer(uow: UnitOfWork, by: Actor) -> Agent:
    if by.kind != "agent":
        raise Forbidden("Only agents invite customers to schedule.")
    return require(await uow.agents.get(by.id), "agent")


def _frame(draft: InvitationDraft) -> TimeFrame:
    return TimeFrame(draft.start_date, draft.end_date, draft.day_start, draft.day_end, str(draft.timezone))


async def _prepare(
    draft: InvitationDraft, by: Actor, runtime: Any, now: datetime
) -> tuple[Agent, InvitationDraft, Participants, dict[str, Any]]:
    async with runtime.uow(read_only=True) as read:
        organizer = await _organizer(read, by)
        draft = check_draft(
            draft, organizer_tz=organizer.timezone, now=now, horizon_days=horizon_days(runtime)
        )
        participants = await load_participants(read, draft.members, draft.rooms, draft.pools)
    outside = await calendar_busy(runtime, participants, *busy_window(_frame(draft), now))
    return organizer, draft, participants, outside


async def count_slots(draft: InvitationDraft, by: Actor, runtime: Any, clock: Clock) -> dict[str, Any]:
    """The dialog's live count: the same inputs and code as creation, nothing written."""
    now = clock.now()
    _, draft, participants, outside = await _prepare(draft, by, runtime, now)
    frame = _frame(draft)
    async with runtime.uow(read_only=True) as read:
        own = await own_busy(read, participants, *busy_window(frame, now))
    inputs = slot_inputs(participants, merged(outside, own))
    limit = horizon(now, horizon_days(runtime))
    found = slots(frame, inputs, duration=draft.duration, now=now, horizon=limit)
    busy = (
        []
        if found
        else who_is_busy(frame, inputs, participants, duration=draft.duration, now=now, horizon=limit)
    )
    return {"count": len(found), "slots": found, "busy": busy}


async def create_invitation(cmd: CreateInvitation, uow: UnitOfWork, clock: Clock, runtime: Any) -> Invitation:
    now = clock.now()
    organizer, draft, participants, outside = await _prepare(cmd.draft, cmd.by, runtime, now)
    frame = _frame(draft)
    limit = horizon(now, horizon_days(runtime))
    async with uow:
        own = await own_busy(uow, participants, *busy_window(frame, now))
        inputs = slot_inputs(participants, merged(outside, own))
        free = slots(frame, inputs, duration=draft.duration, now=now, horizon=limit)
        if not free:
            busy = who_is_busy(frame, inputs, participants, duration=draft.duration, now=now, horizon=limit)
            why = f" ({', '.join(busy)} has no free time)" if busy else " (never all free at once)"
            raise Conflict(
                f"No time in this frame suits everyone{why}; widen the frame or change the team.",
                code="no_free_slots",
                busy=busy,
            )
        offered = set(free)
        for start in draft.promoted:
            if start not in offered:
                raise DomainError(
                    f"{iso(start)} is not a free slot of this invitation.",
                    code="promoted_slot_not_free",
                    field="promoted",
                )
        guest = await _guest(uow, draft)
        conversation = await _conversation(uow, guest, organizer, participants, clock)
        invitation = Invitation(
            organizer=organizer.slug,
            guest_id=guest.id,
            guest_name=draft.guest_name,
            guest_email=draft.guest_email,
            conversation_id=conversation.id,
            subject=draft.subject,
            duration=draft.duration,
            members=list(draft.members),
            rooms=list(participants.rooms),
            pools=list(draft.pools),
            start_date=draft.start_date,
            end_date=draft.end_date,
            day_start=draft.day_start,
            day_end=draft.day_end,
            timezone=frame.timezone,
            token_hash="",
            description=draft.description,
            description_private=draft.description_private,
            conferencing=draft.conferencing,
            meeting_type=draft.meeting_type,
            location=draft.location,
            guest_timezone=draft.guest_timezone or guest.timezone,
            add_to_calendar=draft.add_to_calendar,
            send_confirmation=draft.send_confirmation,
            timezone_mode=draft.timezone_mode,
            promoted=list(draft.promoted),
            created_at=now,
            updated_at=now,
        )
        issue_token(invitation)
        await repository(uow).add(invitation)
        await post_notice(uow, conversation, texts.invited(organizer.name, invitation), now)
        if draft.send_email:
            uow.record(_sent(invitation, organizer, cmd.by))
        await uow.commit()
        return invitation


async def _guest(uow: UnitOfWork, draft: InvitationDraft) -> Guest:
    guest = await uow.membership.guest_by_email(draft.guest_email)
    if guest is None:
        # the organiser (an agent) wrote this address down: it is mailed like any agent-entered one
        guest = Guest(draft.guest_name, draft.guest_email, draft.guest_timezone, email_origin="agent")
        await uow.guests.add(guest)
        await uow.guests.get(guest.id)  # a read flushes the new row before a conversation refers to it
    return guest


async def _conversation(
    uow: UnitOfWork, guest: Guest, organizer: Agent, participants: Participants, clock: Clock
) -> Any:
    """The customer's conversation with the organiser when there is one, else a new one; every team
    member joins it."""
    found, _ = await open_conversation(
        uow, guest.id, service=None, agent=organizer.slug, clock=clock, origin=INVITATION
    )
    members = {(m.kind, m.id) for m in await uow.conversations.members(found.id)}
    for slug, profile in participants.profiles.items():
        if ("agent", slug) not in members:
            agent = profile.agent
            await uow.conversations.add_member(found.id, Member("agent", slug, agent.name, agent.email))
    return found


def _sent(invitation: Invitation, organizer: Agent, by: Actor) -> InvitationSent:
    return InvitationSent(
        conversation_id=invitation.conversation_id,
        invitation_id=invitation.id,
        sending_id=new_id(),
        token=invitation.token,
        organizer_name=organizer.name,
        organizer_email=organizer.email,
        guest_name=invitation.guest_name,
        guest_email=invitation.guest_email,
        subject=invitation.subject,
        duration=invitation.duration,
        description="" if invitation.description_private else invitation.description,
        timezone=invitation.guest_timezone or invitation.timezone,
        promoted=tuple(iso(p) for p in invitation.promoted),
        by=by,
    )


def check_open(invitation: Invitation | None, now: datetime) -> Invitation:
    """What a link may still do; every refusal names what happened to the invitation."""
    if invitation is None:
        raise NotFound("This invitation link is not valid.", code="unknown_invitation")
    gone = DomainError
    if invitation.status == WITHDRAWN:
        error = gone("The organiser withdrew this invitation.", code="invitation_withdrawn")
        error.status = 410
        raise error
    if invitation.status == BOOKED:
        raise Conflict(
            "This invitation has already been booked.",
            code="invitation_booked",
            meeting_id=invitation.meeting_id,
        )
    if invitation.expired(now):
        error = gone(
            "This invitation has expired; write to the organiser for a new one.", code="invitation_expired"
        )
        error.status = 410
        raise error
    return invitation


async def book_invitation(cmd: BookInvitation, uow: UnitOfWork, clock: Clock, runtime: Any) -> Meeting:
    start = utc_start(cmd.start)
    now = clock.now()
    async with runtime.uow(read_only=True) as read:
        invitation = check_open(await by_token(read, cmd.token), now)
        participants = await load_participants(read, invitation.members, invitation.rooms, invitation.pools)
    frame = invitation.frame
    window = busy_window(frame, now)
    outside = await calendar_busy(runtime, participants, *window)
    limit = horizon(now, horizon_days(runtime))
    end = start + timedelta(minutes=invitation.duration)
    async with uow:
        for slug in sorted(participants.profiles):  # one order everywhere: no deadlock between bookings
            await uow.agents.lock(slug)
        invitation = check_open(await by_token(uow, cmd.token, for_update=True), now)
        inputs = slot_inputs(participants, merged(outside, await own_busy(uow, participants, *window)))
        duration = invitation.duration

        def taken() -> SlotTaken:
            later = [s for s in slots(frame, inputs, duration=duration, now=now, horizon=limit) if s > start]
            return SlotTaken(
                "That time is no longer free; here are the next free times.",
                alternatives=[iso(s) for s in later[:ALTERNATIVES]],
            )

        if not slot_is_free(frame, *inputs.args(), start_at=start, duration=duration, now=now, horizon=limit):
            raise taken()
        rooms = list(participants.rooms)
        for name in sorted(inputs.pools):
            free = free_rooms(
                frame, inputs.pools[name], start_at=start, duration=duration, now=now, horizon=limit
            )
            load = await repository(uow).room_load(free, now - FAIRNESS_WINDOW)
            rooms.append(choose_room(free, {r: MemberLoad(c, last) for r, (c, last) in load.items()}))
        guest = require(await uow.guests.get(invitation.guest_id), "guest")
        conversation = require(
            await uow.conversations.get(invitation.conversation_id, for_update=True), "conversation"
        )
        lead = participants.profiles[invitation.members[0]]
        meeting = Meeting(
            conversation_id=conversation.id,
            agent=lead.agent.slug,
            guest_id=guest.id,
            subject=invitation.subject,
            start=start,
            end=end,
            guest_timezone=cmd.guest_timezone or invitation.guest_timezone or guest.timezone,
            created_at=now,
            updated_at=now,
        )
        keys = [agent_key(s) for s in invitation.members] + [room_key(r) for r in rooms]
        try:  # both flush: PostgreSQL's exclusion constraints speak here
            await uow.meetings.add(meeting)
            await repository(uow).add_attendees(meeting.id, keys, start, end)
        except SlotTaken:
            raise taken() from None
        invitation.status, invitation.meeting_id, invitation.updated_at = BOOKED, meeting.id, now
        await repository(uow).save(invitation)
        when = describe_time(start, end, lead.settings.timezone, meeting.guest_timezone)
        await post_notice(uow, conversation, texts.booked(invitation, when), now)
        await sync_calendar(uow, meeting, now)  # the lead's calendar, as for every meeting
        await schedule_attendee_writes(uow, meeting, [k for k in keys if k != agent_key(meeting.agent)], now)
        await arm_reminder(uow, meeting, lead.settings, now)
        flags = {"guest_mail": invitation.send_confirmation, "guest_on_event": invitation.add_to_calendar}
        uow.record(
            meeting_event(MeetingBooked, meeting, lead.agent, guest, lead.settings, guest.actor, **flags)
        )
        uow.record(_booked(invitation, meeting, participants, rooms))
        await uow.commit()
        return meeting


def _booked(
    invitation: Invitation, meeting: Meeting, participants: Participants, rooms: list[str]
) -> InvitationBooked:
    organizer = participants.profiles.get(invitation.organizer)
    others = [p for slug, p in participants.profiles.items() if slug != meeting.agent]
    names = {r.id: r.name for r in participants.rooms.values()}
    names.update({r.id: r.name for pool in participants.pools.values() for r in pool})
    return InvitationBooked(
        conversation_id=meeting.conversation_id,
        invitation_id=invitation.id,
        meeting_id=meeting.id,
        subject=meeting.subject,
        start=meeting.start,
        end=meeting.end,
        sequence=meeting.sequence,
        guest_name=invitation.guest_name,
        guest_email=invitation.guest_email,
        organizer_name=organizer.agent.name if organizer else invitation.organizer,
        organizer_email=organizer.agent.email if organizer else "",
        members=tuple((p.agent.name, p.agent.email, p.settings.timezone) for p in others),
        description=invitation.description,
        conferencing=invitation.conferencing,
        location=invitation.location,
        rooms=tuple(names.get(r, r) for r in rooms),
        guest_on_event=invitation.add_to_calendar,
    )


async def _own(uow: UnitOfWork, invitation_id: str, by: Actor) -> tuple[Invitation, Agent]:
    agent = await _organizer(uow, by)
    invitation = await repository(uow).get(invitation_id, for_update=True)
    if invitation is None or (agent.slug != invitation.organizer and agent.slug not in invitation.members):
        raise NotFound("No such invitation.", code="unknown_invitation")
    return invitation, agent


async def withdraw_invitation(cmd: WithdrawInvitation, uow: UnitOfWork, clock: Clock) -> Invitation:
    now = clock.now()
    async with uow:
        invitation, agent = await _own(uow, cmd.invitation_id, cmd.by)
        if invitation.status != OPEN:
            raise Conflict(
                f"This invitation is {invitation.state(now)}, not open.", code="invitation_not_open"
            )
        invitation.status, invitation.updated_at = WITHDRAWN, now
        await repository(uow).save(invitation)
        conversation = require(
            await uow.conversations.get(invitation.conversation_id, for_update=True), "conversation"
        )
        await post_notice(uow, conversation, texts.withdrawn(agent.name, invitation), now)
        uow.record(
            InvitationWithdrawn(conversation_id=conversation.id, invitation_id=invitation.id, by=cmd.by)
        )
        await uow.commit()
        return invitation


async def resend_invitation(cmd: ResendInvitation, uow: UnitOfWork, clock: Clock) -> Invitation:
    now = clock.now()
    async with uow:
        invitation, _ = await _own(uow, cmd.invitation_id, cmd.by)
        check_open(invitation, now)
        organizer = require(await uow.agents.get(invitation.organizer), "agent")
        # Only the hash is kept, so a resend sends fresh links; the earlier ones stop working.
        issue_token(invitation)
        invitation.updated_at = now
        await repository(uow).save(invitation)
        uow.record(_sent(invitation, organizer, cmd.by))
        await uow.commit()
        return invitation
