"""Rooms and resource pools: what an invitation may book besides people (``convene rooms …``).

A room's free time comes from its own calendar (a Google resource calendar, a Microsoft 365 room
mailbox, or the local calendar under ``room:<id>``) and from the meetings Convene booked it for; a pool is the set of rooms sharing a ``pool`` name, of which a booking
takes any one free room, spread fairly.
"""

from __future__ import annotations

from bot.errors import InvalidInput, NotFound
from bot.handlers.people import clean_email
from bot.invitations.commands import AddRoom, RemoveRoom
from bot.invitations.model import ROOM_PROVIDERS, Room, repository
from bot.names import clean_line
from bot.ports import UnitOfWork


async def add_room(cmd: AddRoom, uow: UnitOfWork) -> Room:
    name = clean_line(cmd.name, limit=200, what="name")
    email = clean_email(cmd.email, required=True) or ""
    if cmd.capacity is not None and (not isinstance(cmd.capacity, int) or cmd.capacity < 1):
        raise InvalidInput("A room holds at least one person.", code="invalid_capacity", field="capacity")
    pool = clean_line(cmd.pool, limit=100, what="pool") if cmd.pool else None
    if cmd.provider is not None and cmd.provider not in ROOM_PROVIDERS:
        raise InvalidInput(
            f"A room's calendar is one of {', '.join(ROOM_PROVIDERS)}.",
            code="invalid_provider",
            field="provider",
        )
    if cmd.calendar_id and cmd.provider != "google":
        raise InvalidInput(
            "Only a Google room names a resource calendar (--provider google).",
            code="invalid_calendar_id",
            field="calendar_id",
        )
    calendar_id = clean_line(cmd.calendar_id, limit=320, what="calendar id") if cmd.calendar_id else None
    room = Room(name, email.lower(), cmd.capacity, pool, provider=cmd.provider, calendar_id=calendar_id)
    async with uow:
        await repository(uow).add_room(room)
        await uow.commit()
    return room


async def remove_room(cmd: RemoveRoom, uow: UnitOfWork) -> None:
    async with uow:
        if not await repository(uow).remove_room(cmd.name_or_email):
            raise NotFound(f"There is no room called {cmd.name_or_email!r}.", code="unknown_room")
        await uow.commit()
