"""Running coroutines in the calling task until they first wait: ``gather`` without a task per call.

The outbox dispatcher walks each destination of a batch (bot/outbox.py). Most walks are pushes to this
process's own sockets and finish without ever waiting; a task each for them (as ``gather`` makes) was a
large part of the dispatch cost. ``side_by_side`` runs each walk in the calling task until it first
waits; from then on the walks after it start as tasks, exactly as ``gather`` would have run them, and
the waiting one goes on in place (``Resumed``), so one slow destination still holds back only itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Generator, Iterable
from typing import Any, TypeVar

_W = TypeVar("_W")

NOT_STARTED = object()


async def side_by_side(walk: Callable[[_W], Coroutine[Any, Any, None]], walks: Iterable[_W]) -> None:
    """As ``gather`` of every walk, without a task for a walk that never waits: each runs in this task
    until it first waits; then the walks after it start as tasks and it goes on here. A batch of pushes
    to this process's sockets then costs no task at all; a slow destination still holds back only itself.
    As with ``gather``, the first failure is raised while the others run on."""
    queue = iter(walks)
    for steps in queue:
        call = walk(steps)
        try:
            pending = call.send(None)
        except StopIteration:
            continue
        except BaseException:
            _detach([asyncio.ensure_future(walk(s)) for s in queue])
            raise
        rest = [asyncio.ensure_future(walk(s)) for s in queue]
        try:
            await Resumed(call, pending)
        except asyncio.CancelledError:
            for task in rest:
                task.cancel()
            raise
        except BaseException:
            _detach(rest)
            raise
        if rest:
            await asyncio.gather(*rest)
        return


_detached: set[asyncio.Future[Any]] = set()  # walks still running after another failed, as gather's


def _detach(tasks: Iterable[asyncio.Future[Any]]) -> None:
    for task in tasks:
        _detached.add(task)
        task.add_done_callback(_detached.discard)


class Resumed:
    """The rest of a coroutine whose first step already ran in this task and waits on ``pending``:
    awaiting this drives it on in the same task, as if it had been awaited from the start."""

    __slots__ = ("call", "pending")

    def __init__(self, call: Coroutine[Any, Any, Any], pending: Any) -> None:
        self.call = call
        self.pending = pending

    def __await__(self) -> Generator[Any, Any, Any]:
        call, pending = self.call, self.pending
        while True:
            try:
                sent = yield pending
            except GeneratorExit:
                call.close()
                raise
            except BaseException as error:  # a cancellation (a deadline) goes to where it waits
                try:
                    pending = call.throw(error)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    pending = call.send(sent)
                except StopIteration as stop:
                    return stop.value
