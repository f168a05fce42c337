"""A meeting's other attendees: the team members and rooms besides its lead (``meeting.agent``).

Meetings booked through an invitation hold one attendee row per member and room (``agent:<slug>``,
``room:<id>``, kept by ``uow.invitations``). Every change of such a meeting, from any channel or from
the lead's own calendar, rewrites each of their calendars (the ``attendee_calendar_write`` job, run by
``bot.invitations.calendar_writes``) and tells each member, as the lead is told. A meeting without
attendee rows (and a unit of work without the invitations repository) has no one else: nothing changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.calendars.sources import scheduling_settings
from bot.meetings.model import Meeting
from bot.ports import UnitOfWork

ATTENDEE_CALENDAR_JOB = "attendee_calendar_write"
Member = tuple[str, str, str, str]  # (slug, name, email, time zone) of a member besides the lead


class AttendeeRow(Protocol):
    @property
    def key(self) -> str: ...


def lead_key(meeting: Meeting) -> str:
    return f"agent:{meeting.agent}"


async def attendee_keys(uow: UnitOfWork, meeting_id: str) -> list[str]:
    """Every attendee row's key, the lead's too; empty for a meeting of one agent and one guest."""
    rows: Any = getattr(uow, "invitations", None)
    if rows is None:
        return []
    found: list[AttendeeRow] = await rows.attendees(meeting_id)
    return [row.key for row in found]


async def guest_on_event(uow: UnitOfWork, meeting_id: str) -> bool:
    """Whether the customer is an attendee of the meeting's calendar events: False only for a meeting
    booked through an invitation whose "Add to calendar event" is off."""
    rows: Any = getattr(uow, "invitations", None)
    invitation = await rows.by_meeting(meeting_id) if rows is not None else None
    return invitation is None or bool(invitation.add_to_calendar)


async def others(uow: UnitOfWork, meeting: Meeting) -> list[str]:
    return [k for k in await attendee_keys(uow, meeting.id) if k != lead_key(meeting)]


async def schedule_attendee_writes(uow: UnitOfWork, meeting: Meeting, keys: list[str], now: datetime) -> None:
    for key in keys:
        await uow.jobs.schedule(ATTENDEE_CALENDAR_JOB, now, {"meeting_id": meeting.id, "attendee": key})


async def rewrite_attendee_calendars(uow: UnitOfWork, meeting: Meeting, now: datetime) -> None:
    """Each member's and room's calendar follows the meeting as it is now (moved or cancelled)."""
    await schedule_attendee_writes(uow, meeting, await others(uow, meeting), now)


async def other_members(uow: UnitOfWork, meeting: Meeting) -> tuple[Member, ...]:
    """The members besides the lead, as meeting notices mail them."""
    found: list[Member] = []
    for key in await others(uow, meeting):
        kind, _, slug = key.partition(":")
        agent = await uow.agents.get(slug) if kind == "agent" else None
        if agent is not None and agent.email:
            found.append((agent.slug, agent.name, agent.email, scheduling_settings(agent).timezone))
    return tuple(found)


async def team_fields(uow: UnitOfWork, meeting: Meeting) -> dict[str, Any]:
    """What every later notice of a meeting carries (``meeting_event``'s extras): the members besides
    the lead, and whether the customer is on the calendar event (and so on the .ics)."""
    return {
        "members": await other_members(uow, meeting),
        "guest_on_event": await guest_on_event(uow, meeting.id),
    }
