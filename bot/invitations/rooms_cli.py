"""``convene rooms add NAME --email ADDRESS [--capacity N] [--pool POOL] [--provider google|microsoft|local]
[--calendar-id ID] | list | remove NAME``.

Kept apart from ``bot.invitations.rooms`` (the rules), which bootstrap wires: the CLI needs bootstrap.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.errors import DomainError
from bot.invitations.commands import AddRoom, RemoveRoom
from bot.invitations.model import ROOM_PROVIDERS, repository


def register_cli(subparsers: Any) -> None:
    rooms = subparsers.add_parser("rooms", help="rooms and resource pools invitations can book")
    tools = rooms.add_subparsers(dest="rooms_command", required=True)
    add = tools.add_parser("add", help="add a room (its calendar: the room mailbox / resource calendar)")
    add.add_argument("name")
    add.add_argument("--email", required=True)
    add.add_argument("--capacity", type=int)
    add.add_argument("--pool")
    add.add_argument(
        "--provider",
        choices=ROOM_PROVIDERS,
        help="where the room's calendar lives (default: Microsoft 365 when configured, else local)",
    )
    add.add_argument("--calendar-id", help="a Google resource calendar's id (default: the room's address)")
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
        room = await runtime.bus.handle(
            AddRoom(args.name, args.email, args.capacity, args.pool, args.provider, args.calendar_id)
        )
        where = f" ({room.provider} calendar)" if room.provider else ""
        print(f"added {room.name} <{room.email}>{where}" + (f" to pool {room.pool}" if room.pool else ""))

    return _run(work)


def _list(args: argparse.Namespace) -> int:
    async def work(runtime: Any) -> None:
        async with runtime.uow(read_only=True) as read:
            found = await repository(read).rooms()
        for r in found:
            where = f"\t{r.provider}" if r.provider else ""  # a column only for rooms that name one
            print(f"{r.name}\t{r.email}\t{r.capacity or '-'}\t{r.pool or '-'}{where}")
        if not found:
            print("no rooms")

    return _run(work)


def _remove(args: argparse.Namespace) -> int:
    async def work(runtime: Any) -> None:
        await runtime.bus.handle(RemoveRoom(args.name))
        print(f"removed {args.name}")

    return _run(work)
