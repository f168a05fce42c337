"""What the customer may do from the invitation link after booking: move the meeting within the
invitation's time frame, or cancel it. Both run the meetings' own ``apply_move`` / ``apply_cancel``
(the row, the notice, the mails, the reminder, every member's and room's calendar). A move is checked
with ``slot_is_free`` for every member and room the meeting holds, its own time excluded, on the same
race safety as the booking.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.calendars.sources import require_profile
from bot.errors import Conflict, NotFound, SlotTaken
from bot.invitations.availability import busy_window, calendar_busy, merged, own_busy, slot_inputs, slots
from bot.invitations.commands import CancelByInvitation, RescheduleByInvitation
from bot.invitations.handlers import ALTERNATIVES, by_token, horizon_days
from bot.invitations.model import BOOKED, Invitation
from bot.invitations.rules import horizon
from bot.invitations.team import meeting_participants, outside_busy
from bot.meetings.booking import utc_start
from bot.meetings.changes import MAX_REASON, apply_cancel, apply_move
from bot.meetings.model import Meeting
from bot.meetings.slots import iso
from bot.model import Actor, clean_text, require
from bot.ports import Clock, UnitOfWork
from scheduling.booking_rules import check_meeting_change
from scheduling.invitation_slots import slot_is_free


async def _booked(uow: UnitOfWork, token: str, *, for_update: bool = False) -> tuple[Invitation, Meeting]:
    invitation = await by_token(uow, token, for_update=for_update)
    if invitation is None:
        raise NotFound("This invitation link is not valid.", code="unknown_invitation")
    meeting = await uow.meetings.get(invitation.meeting_id or "", for_update=for_update)
    if invitation.status != BOOKED or meeting is None:
        raise Conflict("Nothing has been booked with this invitation.", code="invitation_not_booked")
    return invitation, meeting


def _customer(invitation: Invitation) -> Actor:
    return Actor("guest", invitation.guest_id, invitation.guest_name)


async def reschedule_by_invitation(
    cmd: RescheduleByInvitation, uow: UnitOfWork, clock: Clock, runtime: Any
) -> Meeting:
    start = utc_start(cmd.start)
    async with runtime.uow(read_only=True) as read:
        invitation, meeting = await _booked(read, cmd.token)
        check_meeting_change(meeting.status, meeting.start, clock.now())
        participants = await meeting_participants(read, meeting)
    frame, now = invitation.frame, clock.now()
    window = busy_window(frame, now)
    outside = outside_busy(await calendar_busy(runtime, participants, *window), meeting)
    limit = horizon(now, horizon_days(runtime))
    async with uow:
        for slug in sorted(participants.profiles):
            await uow.agents.lock(slug)
        invitation, meeting = await _booked(uow, cmd.token, for_update=True)
        now = clock.now()
        check_meeting_change(meeting.status, meeting.start, now)
        own = await own_busy(uow, participants, *window, exclude=meeting.id)
        inputs = slot_inputs(participants, merged(outside, own))
        duration = meeting.duration

        def taken() -> SlotTaken:
            later = [s for s in slots(frame, inputs, duration=duration, now=now, horizon=limit) if s > start]
            return SlotTaken(
                "That time is no longer free; here are the next free times.",
                alternatives=[iso(s) for s in later[:ALTERNATIVES]],
            )

        if not slot_is_free(frame, *inputs.args(), start_at=start, duration=duration, now=now, horizon=limit):
            raise taken()
        lead = await require_profile(uow, meeting.agent)
        try:
            await apply_move(
                uow, meeting, lead, _customer(invitation), start, start + timedelta(minutes=duration), now
            )
        except SlotTaken:
            raise taken() from None
        await uow.commit()
        return meeting


async def cancel_by_invitation(cmd: CancelByInvitation, uow: UnitOfWork, clock: Clock) -> Meeting:
    reason = (
        clean_text(cmd.reason, limit=MAX_REASON, what="reason") if cmd.reason and cmd.reason.strip() else None
    )
    async with uow:
        invitation, meeting = await _booked(uow, cmd.token, for_update=True)
        now = clock.now()
        check_meeting_change(meeting.status, meeting.start, now)
        lead = await require_profile(uow, meeting.agent)
        await apply_cancel(uow, meeting, lead, _customer(invitation), reason, now)
        await uow.commit()
        return require(meeting, "meeting")
