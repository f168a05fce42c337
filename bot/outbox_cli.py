"""``convene outbox failed`` lists the dead letters; ``convene outbox retry ID`` queues one again.

A dead letter is an event whose delivery failed permanently several times (see
``bot/delivery_failures``). Once the cause is fixed (a name that broke a mail, a channel's setting),
``retry`` gives it a fresh count of attempts; destinations that already had it are not sent it twice.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="notices that could not be delivered")
    tools = outbox.add_subparsers(dest="outbox_command", required=True)
    tools.add_parser(
        "failed", help="list dead letters: events given up after permanent failures"
    ).set_defaults(run=_failed)
    retry = tools.add_parser("retry", help="deliver a dead letter again")
    retry.add_argument("id", type=int)
    retry.set_defaults(run=_retry)


async def failed_lines(runtime: Any) -> list[str]:
    letters = await runtime.storage.outbox.failed()
    if not letters:
        return ["no dead letters"]
    return [
        f"{d.id}\t{d.event_type}\t{d.attempts} attempts\tfailed {d.failed_at:%Y-%m-%d %H:%M} UTC\t{d.last_error}"
        for d in letters
    ]


async def retry_line(runtime: Any, item_id: int) -> tuple[bool, str]:
    if await runtime.storage.outbox.revive(item_id):
        return True, f"event {item_id} is queued again"
    return False, f"event {item_id} is not a dead letter"


def _failed(args: argparse.Namespace) -> int:
    from bot.bootstrap import with_runtime

    async def work(runtime: Any) -> int:
        print("\n".join(await failed_lines(runtime)))
        return 0

    return asyncio.run(with_runtime(work))


def _retry(args: argparse.Namespace) -> int:
    import sys

    from bot.bootstrap import with_runtime

    async def work(runtime: Any) -> int:
        ok, line = await retry_line(runtime, args.id)
        print(line, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1

    return asyncio.run(with_runtime(work))
