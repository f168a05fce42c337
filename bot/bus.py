"""The command bus: one command, one handler, one unit of work; wakes the outbox after each commit."""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.commands import Command
from bot.errors import Unavailable, from_scheduling
from bot.metrics import COMMAND_SECONDS
from bot.ports import UnitOfWorkFactory
from bot.transient import TransientStorageError
from scheduling.errors import SchedulingError

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


class MessageBus:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        handlers: dict[type[Command], Callable[..., Any]],
        dependencies: dict[str, Any],
    ) -> None:
        self.uow_factory = uow_factory
        self.handlers = dict(handlers)
        self.dependencies = dependencies
        self.after_commit: list[Callable[[], None]] = []
        # Commands written together with others (group commit): PostMessage → MessageBatcher.submit.
        self.batched: dict[type[Command], Callable[[Any], Awaitable[Any]]] = {}
        self._timers: dict[type[Command], Any] = {}

    def register(self, command: type[Command], handler: Callable[..., Any]) -> None:
        self.handlers[command] = handler

    def _arguments(self, handler: Callable[..., Any]) -> dict[str, Any]:
        names = list(inspect.signature(handler).parameters)[2:]
        return {name: self.dependencies[name] for name in names}

    async def handle(self, command: Command) -> Any:
        batched = self.batched.get(type(command))
        if batched is None:
            return await self.run(command)
        started = time.perf_counter()
        try:
            return await batched(command)  # the batcher wakes the workers after its commit
        finally:
            self._seconds(type(command)).observe(time.perf_counter() - started)

    def _seconds(self, kind: type[Command]) -> Any:
        """The command's timing metric, looked up once per kind (every message passes here)."""
        child = self._timers.get(kind)
        if child is None:
            child = self._timers[kind] = COMMAND_SECONDS.labels(kind.__name__)
        return child

    async def run(self, command: Command) -> Any:
        """One command in its own unit of work (also the batcher's path for a batch that failed)."""
        handler = self.handlers.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        started = time.perf_counter()
        try:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    result = await handler(command, self.uow_factory(), **self._arguments(handler))
                    break
                except TransientStorageError:
                    if attempt == MAX_ATTEMPTS:
                        raise Unavailable("The database is busy; please try again.", code="busy") from None
                    await asyncio.sleep(random.uniform(0, 0.02 * 2**attempt))
                except SchedulingError as error:
                    raise from_scheduling(error) from error
        finally:
            COMMAND_SECONDS.labels(type(command).__name__).observe(time.perf_counter() - started)
        for hook in self.after_commit:
            hook()
        return result
