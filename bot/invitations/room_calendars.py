"""Where a room's calendar lives, how its busy time is read and with which account it is written.

- ``microsoft``: the room mailbox (Graph ``getSchedule`` with the room's address; events written into
  it), which the app reaches with its own tenant-wide permission;
- ``google``: a Google resource calendar (``freeBusy`` with its calendar id; events written into it).
  Google has no app-wide access to a resource: a team member connected to Google acts for it (the
  meeting's lead when they are, else the first such member), as a person booking the room would;
- ``local``: the built-in calendar under the key ``room:<id>``.

A room that names no provider is Microsoft's when Microsoft 365 is configured, else local. A room
whose calendar cannot be read offers no time: it is never guessed free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.calendars.sources import LOCAL, Profile
from bot.errors import Unavailable
from bot.invitations.model import Room, room_key
from scheduling.calendar import CalendarAccount, Interval
from scheduling.errors import CalendarUnavailable

ROOM_CALENDAR = "primary"
MICROSOFT, GOOGLE = "microsoft", "google"


def room_provider(room: Room, calendars: Mapping[str, Any]) -> str:
    if room.provider:
        return room.provider
    return MICROSOFT if MICROSOFT in calendars else LOCAL


def room_calendar(room: Room, provider: str) -> str:
    """The calendar id to read and write: a Google resource calendar's own id, else the mailbox's."""
    return (room.calendar_id or room.email) if provider == GOOGLE else ROOM_CALENDAR


def room_account(room: Room) -> CalendarAccount:
    return CalendarAccount(agent_slug=room_key(room.id), email=room.email)


def google_account(members: Iterable[Profile]) -> CalendarAccount | None:
    """The account that reads and writes Google rooms: the first member connected to Google."""
    return next((p.account for p in members if p.provider == GOOGLE and not p.broken), None)


def account_for(room: Room, provider: str, members: Iterable[Profile]) -> CalendarAccount | None:
    return google_account(members) if provider == GOOGLE else room_account(room)


def _unreadable(room: Room, why: str = "") -> Unavailable:
    return Unavailable(
        f"The calendar of the room {room.name} cannot be read right now{why}; please try again in a moment.",
        code="calendar_unavailable",
        room=room.name,
    )


async def rooms_busy(
    runtime: Any, rooms: Sequence[Room], members: Sequence[Profile], start: datetime, end: datetime
) -> dict[str, list[Interval]]:
    """Each room's own calendar, by ``room:<id>``; ``members``: the team, whose Google account reads
    Google rooms. One that cannot be read refuses the request."""
    out: dict[str, list[Interval]] = {}
    local = [r for r in rooms if room_provider(r, runtime.calendars) == LOCAL]
    if local and LOCAL in runtime.calendars:  # no calendar installed: only Convene's bookings hold rooms
        asked = [(room_account(r), [ROOM_CALENDAR]) for r in local]
        found = await runtime.calendars[LOCAL].busy_many(asked, start, end)
        out.update({key: list(busy) for key, busy in found.items()})

    async def one(room: Room, name: str) -> tuple[str, list[Interval]]:
        provider = runtime.calendars.get(name)
        account = account_for(room, name, members)
        if provider is None:
            raise _unreadable(room, f" ({name} is not configured)")
        if account is None:
            raise _unreadable(room, " (no team member is connected to Google to read it)")
        read = getattr(provider, "freebusy", None) if name == GOOGLE else None
        try:
            busy = await asyncio.wait_for(
                (read or provider.busy)(account, [room_calendar(room, name)], start, end),
                runtime.settings.calendar_deadline_seconds,
            )
        except (CalendarUnavailable, TimeoutError):
            raise _unreadable(room) from None
        return room_key(room.id), list(busy)

    remote = [(r, room_provider(r, runtime.calendars)) for r in rooms if r not in local]
    out.update(dict(await asyncio.gather(*(one(r, name) for r, name in remote))))
    return out
