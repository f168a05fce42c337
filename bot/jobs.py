"""Timed work from the job table: claimed with a lease, finished in the same transaction as its effects."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.metrics import JOBS_RUN
from bot.ports import Clock, JobItem, JobStore, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)
JobHandler = Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]
# Runs before the job's transaction opens (network calls: a remote calendar must never hold the
# database); returns the step that finishes the job inside the transaction, or None for ``handler``.
JobPrepare = Callable[[JobItem, Clock], Awaitable[JobHandler | None]]
MAX_ATTEMPTS = 10


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        lease_seconds: float = 60,
        poll_seconds: float = 1.0,
        worker_id: str | None = None,
    ) -> None:
        self.store = store
        self.uow_factory = uow_factory
        self.clock = clock
        self.handlers: dict[str, JobHandler] = {}
        self.prepares: dict[str, JobPrepare] = {}
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30)}"
        self.after_job: list[Callable[[], None]] = []
        self._wake = asyncio.Event()

    def register(self, kind: str, handler: JobHandler, *, prepare: JobPrepare | None = None) -> None:
        """One module owns each kind of job: a second registration would silently replace the first
        (and which one won would depend on the order modules were wired), so it is refused."""
        if kind in self.handlers:
            owner = getattr(self.handlers[kind], "__module__", "?")
            raise ValueError(f"job kind {kind!r} is registered already (by {owner})")
        self.handlers[kind] = handler
        if prepare is not None:
            self.prepares[kind] = prepare

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await self.run_due() > 0:
                    pass
            except Exception:
                log.exception("job runner failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    async def run_due(self, limit: int = 50) -> int:
        jobs = await self.store.claim(self.clock.now(), self.worker_id, limit, self.lease_seconds)
        for job in jobs:
            await self._run(job)
        if jobs:
            for hook in self.after_job:
                hook()
        return len(jobs)

    async def _run(self, job: JobItem) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            await self.store.fail(job.id, self.worker_id, f"no handler for job kind {job.kind!r}")
            JOBS_RUN.labels(job.kind, "unknown").inc()
            return
        try:
            prepare = self.prepares.get(job.kind)
            if prepare is not None:
                handler = await prepare(job, self.clock) or handler
            async with self.uow_factory() as uow:
                await handler(job, uow, self.clock)
                if not await uow.jobs.complete(job.id, self.worker_id, self.clock.now()):
                    # Our lease ran out and another worker owns the job now: its run counts, ours doesn't.
                    await uow.rollback()
                    JOBS_RUN.labels(job.kind, "lost_lease").inc()
                    return
                await uow.commit()
            JOBS_RUN.labels(job.kind, "ok").inc()
        except Exception as error:
            log.warning("job %s (%s) failed: %r", job.id, job.kind, error)
            JOBS_RUN.labels(job.kind, "error").inc()
            if job.attempts >= MAX_ATTEMPTS:
                await self.store.fail(job.id, self.worker_id, repr(error))
            else:
                delay = min(3600, 2**job.attempts) * random.uniform(0.5, 1.0)
                await self.store.retry(
                    job.id, self.worker_id, self.clock.now() + timedelta(seconds=delay), repr(error)
                )
