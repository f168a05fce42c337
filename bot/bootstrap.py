"""The one place that picks real implementations and wires them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot import plugins
from bot.bus import MessageBus
from bot.handlers import HANDLERS
from bot.jobs import JobRunner
from bot.outbox import OutboxDispatcher
from bot.ports import Channel, Clock, SystemClock
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)


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
    _stop: asyncio.Event | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def uow(self, *, read_only: bool = False) -> Any:
        return self.storage.unit_of_work(read_only=read_only)

    async def start_workers(self) -> None:
        for channel in self.channels.values():
            start = getattr(channel, "start", None)
            if start is not None:
                await start(self)
        if not self.settings.run_workers:
            return
        self._stop = asyncio.Event()
        self._tasks = [
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
        await self.storage.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    channels: dict[str, Channel] | None = None,
    calendars: dict[str, Any] | None = None,
    extensions: list[Callable[[Runtime], None]] | None = None,
) -> Runtime:
    settings = settings or load_settings()
    clock = clock or SystemClock()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = settings.plugin_config()
    config["clock"] = clock
    storage_factories = plugins.load_factories(plugins.STORAGE)
    if "sqlalchemy" not in storage_factories:
        raise RuntimeError("no storage plugin: is the convene package installed (pip install -e .)?")
    storage = storage_factories["sqlalchemy"](config)
    config["storage"] = storage
    uow_factory = storage.unit_of_work
    bus = MessageBus(uow_factory, HANDLERS, {"clock": clock, "settings": settings})
    if calendars is None:
        calendars = plugins.instantiate(plugins.CALENDARS, config)
    bus.dependencies["calendars"] = calendars
    if channels is None:
        channels = plugins.instantiate(plugins.CHANNELS, config)
    dispatcher = OutboxDispatcher(
        storage.outbox,
        uow_factory,
        channels,
        clock,
        poll_seconds=settings.worker_poll_seconds,
        lease_seconds=settings.job_lease_seconds,  # a dead process's claims come back after this long
    )
    jobs = JobRunner(
        storage.jobs,
        uow_factory,
        clock,
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )
    bus.after_commit.append(dispatcher.wake)
    bus.after_commit.append(jobs.wake)
    jobs.after_job.append(dispatcher.wake)
    runtime = Runtime(settings, clock, storage, bus, dispatcher, jobs, channels, calendars, config)
    bus.dependencies["runtime"] = runtime
    for extend in [*_extensions(), *(extensions or [])]:
        extend(runtime)
    log.info("channels: %s; calendars: %s", ", ".join(channels) or "none", ", ".join(calendars) or "none")
    return runtime


_EXTENSIONS: list[Callable[[Runtime], None]] = []


def extension(fn: Callable[[Runtime], None]) -> Callable[[Runtime], None]:
    """Engine modules (meetings, email digests) register their handlers and jobs here."""
    _EXTENSIONS.append(fn)
    return fn


def _extensions() -> list[Callable[[Runtime], None]]:
    import bot.extensions  # noqa: F401 - importing registers them

    return list(_EXTENSIONS)
