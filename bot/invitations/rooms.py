"""Rooms and resource pools: what an invitation may book besides people (``convene rooms …``).

A room's free time comes from its own calendar (the local calendar under ``room:<id>``) and from the
meetings Convene booked it for; a pool is the set of rooms sharing a ``pool`` name, of which a booking
takes any one free room, spread fairly.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.errors import DomainError, InvalidInput, NotFound
from bot.handlers.people import clean_email
from bot.invitations.commands import AddRoom, RemoveRoom
from bot.invitations.model import Room, repository
from bot.names import clean_line
from bot.ports import UnitOfWork


async def add_room(cmd: AddRoom, uow: UnitOfWork) -> Room:
    name = clean_line(cmd.name, limit=200, what="name")
    email = clean_email(cmd.email, required=True) or ""
    if cmd.capacity is not None and (not isinstance(cmd.capacity, int) or cmd.capacity < 1):
        raise InvalidInput("A room holds at least one person.", code="invalid_capacity", field="capacity")
    pool = clean_line(cmd.pool, limit=100, what="pool") if cmd.pool else None
    room = Room(name, email.lower(), cmd.capacity, pool)
    async with uow:
        await repository(uow).add_room(room)
        await uow.commit()
    return room


async def remove_room(cmd: RemoveRoom, uow: UnitOfWork) -> None:
    async with uow:
        if not await repository(uow).remove_room(cmd.name_or_email):
            raise NotFound(f"There is no room called {cmd.name_or_email!r}.", code="unknown_room")
        await uow.commit()


def register_cli(subparsers: Any) -> None:
    rooms = subparsers.add_parser("rooms", help="rooms and resource pools invitations can book")
    tools = rooms.add_subparsers(dest="rooms_command", required=True)
    add = tools.add_parser("add", help="add a room (its calendar: the room mailbox / resource calendar)")
    add.add_argument("name")
    add.add_argument("--email", required=True)
    add.add_argument("--capacity", type=int)
    add.add_argument("--pool")
    add.set_defaults(run=_add)
    tools.add_parser("list", help="list rooms and their pools").set_defaults(run=_list)
    remove = tools.add_parser("remove", help="remove a room by name or address")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)


def _run(work: Any) -> int:
    from bot.bootstrap import with_runtime

    async def guarded(runtime: Any) -> int:
        try:
            return int(await work(runtime) or 0)
        except DomainError as error:
            print(error.message, file=sys.stderr)
            return 1

    return asyncio.run(with_runtime(guarded))


def _add(args: argparse.Namespace) -> int:
    async def work(runtime: Any) -> None:
        room = await runtime.bus.handle(AddRoom(args.name, args.email, args.capacity, args.pool))
        print(f"added {room.name} <{room.email}>" + (f" to pool {room.pool}" if room.pool else ""))

    return _run(work)


def _list(args: argparse.Namespace) -> int:
    async def work(runtime: Any) -> None:
        async with runtime.uow(read_only=True) as read:
            found = await repository(read).rooms()
        for r in found:
            print(f"{r.name}\t{r.email}\t{r.capacity or '-'}\t{r.pool or '-'}")
        if not found:
            print("no rooms")

    return _run(work)


def _remove(args: argparse.Namespace) -> int:
    async def work(runtime: Any) -> None:
        await runtime.bus.handle(RemoveRoom(args.name))
        print(f"removed {args.name}")

    return _run(work)
