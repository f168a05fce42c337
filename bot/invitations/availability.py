"""An invitation's participants and their busy time, fed to ``scheduling.invitation_slots``.

Members' calendars are read BEFORE any writing transaction (``fetch_busy``, as for every booking);
Convene's own meetings and attendee rows are read inside it, so the booking check sees every meeting
committed before it. A member whose calendar cannot be read offers no time: we never guess "free".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.calendars.sources import Profile, calendar_unavailable, fetch_busy, load_profiles
from bot.invitations.model import Room, agent_key, repository, room_key
from bot.invitations.room_calendars import rooms_busy
from bot.invitations.rules import refuse
from bot.ports import UnitOfWork
from scheduling.calendar import Interval
from scheduling.invitation_slots import MemberTime, TimeFrame, blockers, free_starts, invitation_slots

Busy = Mapping[str, Sequence[Interval]]  # by attendee key: agent:<slug>, room:<id>


@dataclass(frozen=True)
class Participants:
    profiles: dict[str, Profile]  # by slug, in the team's order
    rooms: dict[str, Room]  # by id
    pools: dict[str, list[Room]]  # by pool name

    def keys(self) -> list[str]:
        """Every attendee that can block a slot (pool rooms too), in one order: no lock deadlocks."""
        found = [agent_key(s) for s in self.profiles]
        found += [room_key(r) for r in self.rooms]
        found += [room_key(r.id) for pool in self.pools.values() for r in pool]
        return sorted(set(found))


async def load_participants(
    uow: UnitOfWork, members: Sequence[str], rooms: Sequence[str], pools: Sequence[str]
) -> Participants:
    """Unknown members, rooms or pools are refused with the field the dialog marks."""
    profiles = await load_profiles(uow, list(members))
    for slug in members:
        if slug not in profiles:
            raise refuse(f"There is no team member called {slug!r}.", "unknown_member", "members")
    known = await repository(uow).rooms()
    by_id = {r.id: r for r in known}
    by_name = {r.name: r for r in known}
    chosen: dict[str, Room] = {}
    for ref in rooms:
        room = by_id.get(ref) or by_name.get(ref)
        if room is None:
            raise refuse(f"There is no room called {ref!r}.", "unknown_room", "rooms")
        chosen[room.id] = room
    pooled: dict[str, list[Room]] = {}
    for name in pools:
        members_of = [r for r in known if r.pool == name and r.id not in chosen]
        if not members_of:
            raise refuse(f"There is no resource pool called {name!r}.", "unknown_pool", "pools")
        pooled[name] = members_of
    return Participants({s: profiles[s] for s in members}, chosen, pooled)


def busy_window(frame: TimeFrame, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=1), frame.closes_at() + timedelta(days=1)


async def calendar_busy(
    runtime: Any, participants: Participants, start: datetime, end: datetime
) -> dict[str, list[Interval]]:
    """Members' calendars, read outside any transaction; an unreadable one refuses the request."""
    found = await fetch_busy(
        runtime.calendars,
        participants.profiles.values(),
        start,
        end,
        deadline=runtime.settings.calendar_deadline_seconds,
    )
    if found.unreadable:
        raise calendar_unavailable(found.unreadable[0])
    out = {agent_key(slug): list(busy) for slug, busy in found.by_agent.items()}
    rooms = [*participants.rooms.values(), *(r for pool in participants.pools.values() for r in pool)]
    out.update(await rooms_busy(runtime, rooms, list(participants.profiles.values()), start, end))
    return out


async def own_busy(
    uow: UnitOfWork,
    participants: Participants,
    start: datetime,
    end: datetime,
    *,
    exclude: str | None = None,
) -> dict[str, list[Interval]]:
    """Convene's own meetings: each member's as the meeting's agent, and every attendee row;
    ``exclude``: a meeting being moved, which must not block itself."""
    slugs = sorted(participants.profiles)
    out: dict[str, list[Interval]] = {}
    for slug, intervals in (await uow.meetings.busy(slugs, start, end, exclude=exclude)).items():
        out.setdefault(agent_key(slug), []).extend(intervals)
    keys = participants.keys()
    for key, intervals in (await repository(uow).attendee_busy(keys, start, end, exclude=exclude)).items():
        out.setdefault(key, []).extend(intervals)
    return out


def merged(*sources: Busy) -> dict[str, list[Interval]]:
    out: dict[str, list[Interval]] = {}
    for source in sources:
        for key, intervals in source.items():
            out.setdefault(key, []).extend(intervals)
    return out


@dataclass(frozen=True)
class SlotInputs:
    """The arguments of ``invitation_slots`` / ``slot_is_free`` for one invitation."""

    members: dict[str, MemberTime]
    rooms: dict[str, Sequence[Interval]]
    pools: dict[str, dict[str, Sequence[Interval]]]

    def args(self) -> tuple[dict[str, MemberTime], dict[str, Sequence[Interval]], dict[str, Any]]:
        return self.members, self.rooms, self.pools


def slot_inputs(participants: Participants, busy: Busy) -> SlotInputs:
    members = {
        slug: MemberTime(p.settings.rules(), busy.get(agent_key(slug), []), p.settings.min_notice)
        for slug, p in participants.profiles.items()
    }
    rooms: dict[str, Sequence[Interval]] = {r: busy.get(room_key(r), []) for r in participants.rooms}
    pools: dict[str, dict[str, Sequence[Interval]]] = {
        name: {r.id: busy.get(room_key(r.id), []) for r in pool} for name, pool in participants.pools.items()
    }
    return SlotInputs(members, rooms, pools)


def slots(
    frame: TimeFrame, inputs: SlotInputs, *, duration: int, now: datetime, horizon: datetime
) -> list[datetime]:
    return invitation_slots(frame, *inputs.args(), duration=duration, now=now, horizon=horizon)


def who_is_busy(
    frame: TimeFrame,
    inputs: SlotInputs,
    participants: Participants,
    *,
    duration: int,
    now: datetime,
    horizon: datetime,
) -> list[str]:
    """Names of whoever has no free time in the frame, for the dialog's "why"."""
    starts = free_starts(frame, *inputs.args(), duration=duration, now=now, horizon=horizon)
    names = []
    for key in blockers(starts):
        if key.startswith("room:"):
            names.append(participants.rooms[key[5:]].name)
        elif key.startswith("pool:"):
            names.append(f"pool {key[5:]}")
        else:
            names.append(participants.profiles[key].agent.name)
    return names
