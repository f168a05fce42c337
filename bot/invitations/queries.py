"""Reads for the inbox and the customer's page: an invitation as each side may see it, its free times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.errors import NotFound
from bot.invitations.availability import (
    busy_window,
    calendar_busy,
    load_participants,
    merged,
    own_busy,
    slot_inputs,
    slots,
)
from bot.invitations.handlers import by_token as token_lookup
from bot.invitations.handlers import horizon_days
from bot.invitations.model import BOOKED, OPEN, Invitation, repository
from bot.invitations.rules import horizon
from bot.meetings.model import Meeting
from bot.ports import Clock


async def by_token(uow: Any, token: str) -> Invitation:
    found = await token_lookup(uow, token)
    if found is None:
        raise NotFound("This invitation link is not valid.", code="unknown_invitation")
    return found


async def free_times(runtime: Any, invitation: Invitation, clock: Clock) -> list[datetime]:
    """What the customer may pick now: to book while it is open, to move to while its booked meeting
    is within the time frame; nothing once it is withdrawn or over."""
    now = clock.now()
    if invitation.state(now) not in (OPEN, BOOKED) or now >= invitation.frame.closes_at():
        return []
    async with runtime.uow(read_only=True) as read:
        participants = await load_participants(read, invitation.members, invitation.rooms, invitation.pools)
        window = busy_window(invitation.frame, now)
        own = await own_busy(read, participants, *window)
    outside = await calendar_busy(runtime, participants, *window)
    inputs = slot_inputs(participants, merged(outside, own))
    limit = horizon(now, horizon_days(runtime))
    return slots(invitation.frame, inputs, duration=invitation.duration, now=now, horizon=limit)


async def meeting_of(uow: Any, invitation: Invitation) -> Meeting | None:
    return await uow.meetings.get(invitation.meeting_id) if invitation.meeting_id else None


async def of_agent(uow: Any, agent: str, status: str | None, now: datetime) -> list[Invitation]:
    """The agent's invitations (organised or attended); ``open`` leaves out the expired ones."""
    found = await repository(uow).of_organizer(agent, None if status == "expired" else status)
    if status in (OPEN, "expired"):
        found = [i for i in found if i.state(now) == status]
    return found
