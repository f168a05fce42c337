"""``side_by_side`` is ``gather`` without a task for a call that never waits (bot/in_place.py): the same
order, the same failures and cancellations, and a waiting call still holds back only itself."""

from __future__ import annotations

import asyncio

import pytest

from bot.in_place import side_by_side


async def test_calls_that_never_wait_run_in_order_in_the_calling_task_without_a_task_each() -> None:
    ran: list[tuple[int, asyncio.Task[object] | None]] = []

    async def walk(n: int) -> None:
        ran.append((n, asyncio.current_task()))

    tasks_before = len(asyncio.all_tasks())
    await side_by_side(walk, range(5))
    assert [n for n, _ in ran] == [0, 1, 2, 3, 4]
    assert {task for _, task in ran} == {asyncio.current_task()}
    assert len(asyncio.all_tasks()) == tasks_before


async def test_a_call_that_waits_lets_the_ones_after_it_run_meanwhile_and_all_finish() -> None:
    gate = asyncio.Event()
    done: list[int] = []

    async def walk(n: int) -> None:
        if n == 1:
            await gate.wait()  # a slow destination
        done.append(n)
        if n == 3:
            gate.set()  # the later walks ran although walk 1 was still waiting

    await asyncio.wait_for(side_by_side(walk, range(4)), 5)
    assert sorted(done) == [0, 1, 2, 3] and done.index(1) > done.index(3)


async def test_the_first_failure_is_raised_and_the_other_walks_still_run_to_the_end() -> None:
    gate, finished = asyncio.Event(), asyncio.Event()

    async def walk(n: int) -> None:
        if n == 0:
            await gate.wait()
            raise ValueError("walk 0 broke")
        gate.set()
        await asyncio.sleep(0)
        if n == 2:
            finished.set()

    with pytest.raises(ValueError, match="walk 0 broke"):
        await side_by_side(walk, range(3))
    await asyncio.wait_for(finished.wait(), 5)  # as with gather, the others were not cancelled


async def test_cancelling_the_caller_cancels_the_waiting_walk_and_those_started_after_it() -> None:
    cancelled: list[int] = []
    started = asyncio.Event()

    async def walk(n: int) -> None:
        try:
            started.set()
            await asyncio.Event().wait()  # forever
        except asyncio.CancelledError:
            cancelled.append(n)
            raise

    caller = asyncio.create_task(side_by_side(walk, range(3)))
    await started.wait()
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    for _ in range(5):  # the started tasks see their cancellation on their next turn
        await asyncio.sleep(0)
    assert sorted(cancelled) == [0, 1, 2]


async def test_a_deadline_around_a_waiting_walk_interrupts_it_where_it_waits() -> None:
    reached: list[str] = []

    async def walk(n: int) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            reached.append("cancelled where it waited")
            raise

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await side_by_side(walk, [0])
    assert reached == ["cancelled where it waited"]
