"""What ``bootstrap()`` wires: the bus, the workers, the plugins, and the lists engine modules extend.

Its own module (not ``bootstrap``) so that engine modules can name the type in their ``register``
without importing the composition root that imports them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bot.bus import MessageBus
from bot.handlers.posting import PostingHooks
from bot.jobs import JobRunner
from bot.outbox import OutboxDispatcher
from bot.ports import Channel, Clock
from bot.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    storage: Any  # the storage plugin: unit_of_work(), outbox, jobs, migrate(), ping(), dispose()
    bus: MessageBus
    dispatcher: OutboxDispatcher
    jobs: JobRunner
    channels: dict[str, Channel]
    calendars: dict[str, Any]
    config: dict[str, Any]
    posting: PostingHooks = field(default_factory=PostingHooks)  # also the bus's ``posting`` dependency
    batcher: Any = None  # the MessageBatcher behind ``bus.handle(PostMessage)`` (group commit)
    _stop: asyncio.Event | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def uow(self, *, read_only: bool = False) -> Any:
        return self.storage.unit_of_work(read_only=read_only)

    async def start_workers(self) -> None:
        for channel in self.channels.values():
            start = getattr(channel, "start", None)
            if start is not None:
                await start(self)
        self._stop = asyncio.Event()
        maintain = getattr(self.storage, "maintain", None)  # e.g. SQLite's WAL checkpoints
        self._tasks = [asyncio.create_task(maintain(self._stop), name="storage")] if maintain else []
        if not self.settings.run_workers:
            return
        self._tasks += [
            asyncio.create_task(self.dispatcher.run(self._stop), name="outbox"),
            asyncio.create_task(self.jobs.run(self._stop), name="jobs"),
        ]

    async def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self.dispatcher.wake()
            self.jobs.wake()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for channel in self.channels.values():
            stop = getattr(channel, "stop", None)
            if stop is not None:
                await stop()
        await self.close_calendars()
        await self.storage.dispose()

    async def close_calendars(self) -> None:
        """Closes the providers' HTTP sessions (Graph keeps one open), so no command or shutdown ends
        with "Unclosed client session"."""
        for provider in self.calendars.values():
            aclose = getattr(provider, "aclose", None)
            if aclose is not None:
                await aclose()
