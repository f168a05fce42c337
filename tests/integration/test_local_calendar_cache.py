"""The local calendar remembers busy time it read, and never serves it once it changed, whichever
process changed it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scheduling.calendar import CalendarAccount
from storage.local_calendar import LocalCalendar


async def test_a_new_block_shows_at_once_even_from_another_process(runtime: Any) -> None:
    now = runtime.clock.now()
    mine = runtime.calendars["local"]
    other_process = LocalCalendar(runtime.storage, "secret", "http://x")  # its own cache, same database
    alice = CalendarAccount("alice", "alice@example.com")
    ask = [(alice, ["primary"])]
    window = (now, now + timedelta(days=7))

    async with runtime.uow() as uow:
        await uow.local_events.block("alice", now + timedelta(hours=1), now + timedelta(hours=2))
        await uow.commit()
    assert len((await mine.busy_many(ask, *window))["alice"]) == 1
    assert len((await other_process.busy_many(ask, *window))["alice"]) == 1
    async with runtime.uow() as uow:  # the other process adds a block
        await uow.local_events.block("alice", now + timedelta(hours=3), now + timedelta(hours=4))
        await uow.commit()
    assert len((await mine.busy_many(ask, *window))["alice"]) == 2
    event = (await mine.busy_many(ask, *window))["alice"]
    await other_process.delete_event(alice, "primary", "missing")  # any write bumps the version too
    assert (await other_process.busy_many(ask, *window))["alice"] == event


async def test_a_wider_window_than_was_read_is_read_again(runtime: Any) -> None:
    now = runtime.clock.now()
    calendar = runtime.calendars["local"]
    alice = [(CalendarAccount("alice", "alice@example.com"), ["primary"])]
    async with runtime.uow() as uow:
        await uow.local_events.block("alice", now + timedelta(days=60), now + timedelta(days=60, hours=1))
        await uow.commit()
    assert (await calendar.busy_many(alice, now, now + timedelta(days=7)))["alice"] == []
    far = (await calendar.busy_many(alice, now + timedelta(days=59), now + timedelta(days=61)))["alice"]
    assert len(far) == 1
    assert (
        await calendar.busy_many(
            alice,
            now,
            now + timedelta(days=7),
        )
    )["alice"] == []
