"""The job table and the outbox on real databases (SQLite and PostgreSQL): claims, leases, races."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from bot.commands import RegisterGuest, StartConversation
from bot.events import MessagePosted
from bot.jobs import JobRunner
from bot.model import Actor
from bot.outbox import OutboxDispatcher


async def schedule(runtime: Any, kind: str, when: Any, key: str | None = None, **payload: Any) -> None:
    async with runtime.uow() as uow:
        await uow.jobs.schedule(kind, when, payload, key=key)
        await uow.commit()


async def test_racing_workers_run_each_job_once_and_effects_commit_with_it(runtime: Any) -> None:
    runs: list[int] = []

    async def handler(job: Any, uow: Any, clock: Any) -> None:
        runs.append(job.payload["n"])
        uow.record(
            MessagePosted(
                conversation_id="",
                message_id=str(job.payload["n"]),
                seq=0,
                author=Actor("system", "system", "Convene"),
                text="tick",
                created_at=clock.now(),
            )
        )

    for n in range(40):
        await schedule(runtime, "tick", runtime.clock.now(), key=f"k{n}", n=n)
    workers = [
        JobRunner(runtime.storage.jobs, runtime.uow, runtime.clock, worker_id=f"w{i}") for i in range(4)
    ]
    for worker in workers:
        worker.register("tick", handler)
    await asyncio.gather(*(w.run_due(limit=7) for w in workers for _ in range(3)))
    while sum(await asyncio.gather(*(w.run_due() for w in workers))):
        pass
    assert sorted(runs) == list(range(40))
    async with runtime.storage.session() as s:
        ticks = (
            await s.execute(text("SELECT count(*) FROM outbox WHERE event_type='MessagePosted'"))
        ).scalar_one()
        done = (await s.execute(text("SELECT count(*) FROM jobs WHERE status='done'"))).scalar_one()
    assert (ticks, done) == (40, 40)


async def test_a_failing_job_rolls_back_its_effects_and_is_retried_later(runtime: Any) -> None:
    attempts: list[int] = []

    async def flaky(job: Any, uow: Any, clock: Any) -> None:
        attempts.append(job.attempts)
        await uow.jobs.schedule("side-effect", clock.now(), {}, key="effect")
        if job.attempts == 1:
            raise ConnectionError("calendar down")

    runner = JobRunner(runtime.storage.jobs, runtime.uow, runtime.clock, worker_id="w")
    runner.register("flaky", flaky)
    runner.register("side-effect", lambda job, uow, clock: asyncio.sleep(0))
    await schedule(runtime, "flaky", runtime.clock.now(), key="f")
    assert await runner.run_due() == 1
    async with runtime.storage.session() as s:
        rows = (await s.execute(text("SELECT key, status FROM jobs ORDER BY key"))).all()
    assert [tuple(r) for r in rows] == [("f", "pending")]  # the effect of the failed run is gone
    assert await runner.run_due() == 0  # backoff: not yet
    runtime.clock.advance(minutes=5)
    await runner.run_due()
    assert attempts == [1, 2]


async def test_a_dead_workers_job_is_taken_over_after_its_lease(runtime: Any) -> None:
    ran: list[str] = []

    async def handler(job: Any, uow: Any, clock: Any) -> None:
        ran.append("x")

    await schedule(runtime, "remind", runtime.clock.now(), key="r")
    claimed = await runtime.storage.jobs.claim(runtime.clock.now(), "dead", 10, 30)
    assert len(claimed) == 1
    survivor = JobRunner(
        runtime.storage.jobs, runtime.uow, runtime.clock, worker_id="alive", lease_seconds=30
    )
    survivor.register("remind", handler)
    assert await survivor.run_due() == 0
    runtime.clock.advance(seconds=31)
    assert await survivor.run_due() == 1
    # The dead worker wakes up late and tries to complete: it no longer owns the job.
    async with runtime.uow() as uow:
        assert not await uow.jobs.complete(claimed[0].id, "dead", runtime.clock.now())
    assert ran == ["x"]


async def test_rescheduling_a_done_job_under_its_key_arms_it_again(runtime: Any) -> None:
    ran: list[str] = []

    async def handler(job: Any, uow: Any, clock: Any) -> None:
        ran.append(job.payload["v"])

    runner = JobRunner(runtime.storage.jobs, runtime.uow, runtime.clock, worker_id="w")
    runner.register("remind", handler)
    await schedule(runtime, "remind", runtime.clock.now() + timedelta(minutes=10), key="r", v="first")
    await schedule(runtime, "remind", runtime.clock.now() + timedelta(minutes=20), key="r", v="moved")
    runtime.clock.advance(minutes=15)
    assert await runner.run_due() == 0
    runtime.clock.advance(minutes=10)
    assert await runner.run_due() == 1
    async with runtime.uow() as uow:
        await uow.jobs.cancel("r")
        await uow.commit()
    assert ran == ["moved"]


async def test_outbox_delivers_once_to_each_binding_across_two_dispatchers(runtime: Any) -> None:
    seen: list[tuple[int, str]] = []

    class Recorder:
        name = "web"

        async def deliver(self, event: Any, binding: Any) -> None:
            seen.append((id(event), event.type))
            await asyncio.sleep(0)

    guest = (await runtime.bus.handle(RegisterGuest("Ann"))).guest
    from bot.cli import demo

    await demo(runtime)
    for i in range(10):
        await runtime.bus.handle(StartConversation(guest.id, f"m{i}", service="sales", client_id=str(i)))
    one = OutboxDispatcher(runtime.storage.outbox, runtime.uow, {"web": Recorder()}, runtime.clock, batch=3)
    two = OutboxDispatcher(runtime.storage.outbox, runtime.uow, {"web": Recorder()}, runtime.clock, batch=3)
    for _ in range(30):  # two dispatchers split one conversation; the later half waits only its turn
        if not sum(await asyncio.gather(one.dispatch_once(), two.dispatch_once())):
            if not await runtime.storage.outbox.pending():
                break
            runtime.clock.advance(seconds=1)
    async with runtime.storage.session() as s:
        events = (
            await s.execute(text("SELECT count(*) FROM outbox WHERE conversation_id IS NOT NULL"))
        ).scalar_one()
        pending = (
            await s.execute(text("SELECT count(*) FROM outbox WHERE dispatched_at IS NULL"))
        ).scalar_one()
        keys = (await s.execute(text("SELECT count(*) FROM deliveries"))).scalar_one()
    assert len(seen) == events == keys and pending == 0


async def test_a_conversations_older_pending_events_come_from_an_index_of_only_those_on_their_way(
    runtime: Any,
) -> None:
    from bot.cli import demo

    await demo(runtime)
    guest = (await runtime.bus.handle(RegisterGuest("Ann"))).guest
    posted = await runtime.bus.handle(StartConversation(guest.id, "hello", service="sales", client_id="a"))
    cid = posted.conversation.id
    store, now = runtime.storage.outbox, runtime.clock.now()
    waiting = await store.older_pending([cid], 10**9, now)
    assert waiting and all(c == cid for _, c, _ in waiting)
    dispatcher = OutboxDispatcher(store, runtime.uow, {}, runtime.clock)
    while await dispatcher.dispatch_once():  # no channel here: each event is done at once
        pass
    assert await store.older_pending([cid], 10**9, now) == []
    async with runtime.storage.session() as s:
        if runtime.storage.is_postgres:
            definition = (
                await s.execute(
                    text(
                        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_outbox_pending_by_conversation'"
                    )
                )
            ).scalar_one()
            assert "WHERE (dispatched_at IS NULL)" in definition
        else:
            plan = " ".join(
                str(row[-1])
                for row in await s.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE conversation_id IN (:c) AND id < 99 "
                        "AND dispatched_at IS NULL AND failed_at IS NULL ORDER BY id"
                    ),
                    {"c": cid},
                )
            )
            assert "ix_outbox_pending_by_conversation" in plan
            held = (
                await s.execute(
                    text(
                        "SELECT count(*) FROM outbox INDEXED BY ix_outbox_pending_by_conversation WHERE dispatched_at IS NULL"
                    )
                )
            ).scalar_one()
            assert held == 0  # every event is delivered: the index holds none of them
