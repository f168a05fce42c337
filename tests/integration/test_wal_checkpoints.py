"""SQLite's WAL is checkpointed by a task of the serving runtime in a thread, never inside a commit on the
event loop (storage/checkpoints.py): the commit that crossed 1,000 pages used to stall every socket."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.bootstrap import bootstrap
from bot.cli import demo
from bot.commands import RegisterGuest, StartConversation
from storage.checkpoints import WalCheckpointer


@pytest.fixture
async def served(tmp_path: Path, sqlite_template: Path, make_settings: Any) -> Any:
    path = tmp_path / "c.db"
    path.write_bytes(sqlite_template.read_bytes())
    runtime = bootstrap(make_settings(f"sqlite+aiosqlite:///{path}", run_workers=False), calendars={})
    await demo(runtime)
    yield runtime, path
    await runtime.storage.dispose()


def conversations_in_the_database_file(path: Path, tmp: Path) -> int:
    """Counted in a copy of the database file alone: what is still only in the WAL is not there."""
    bare = tmp / "bare.db"
    bare.write_bytes(path.read_bytes())
    with sqlite3.connect(bare) as connection:
        return int(connection.execute("SELECT count(*) FROM conversations").fetchone()[0])


async def test_serving_connections_leave_checkpoints_to_the_checkpointer(served: Any) -> None:
    runtime, path = served
    async with runtime.storage.session() as s:
        assert (await s.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0


async def test_serving_connections_keep_statement_journals_in_memory(served: Any) -> None:
    """A batch's many-row insert journals itself for a constraint error; on disk, that was a temporary
    file per batch (issue 17). ``temp_store`` 2 is MEMORY."""
    runtime, _ = served
    async with runtime.storage.session(write=True) as s:
        assert (await s.execute(text("PRAGMA temp_store"))).scalar() == 2


async def test_the_checkpointer_copies_committed_pages_back_while_the_loop_goes_on(
    served: Any, tmp_path: Path
) -> None:
    runtime, path = served
    guest = (await runtime.bus.handle(RegisterGuest(name="Ann"))).guest
    for i in range(20):
        await runtime.bus.handle(StartConversation(guest_id=guest.id, text=f"hello {i}", service="sales"))
    await runtime.bus.handle(StartConversation(guest_id=guest.id, text="hello", agent="alice"))
    before = conversations_in_the_database_file(path, tmp_path)
    checkpointer = WalCheckpointer(str(path), every=3600)
    stop = asyncio.Event()
    task = asyncio.create_task(checkpointer.run(stop))
    await asyncio.wait_for(checkpointer.ran.wait(), 10)  # the first round runs at once, in a thread
    stop.set()
    await task
    after = conversations_in_the_database_file(path, tmp_path)
    assert after == before + 2  # the two new conversations are back in the database file itself


async def test_the_runtime_starts_the_checkpointer_with_its_workers_and_stops_it(served: Any) -> None:
    runtime, _ = served
    await runtime.start_workers()
    assert [t.get_name() for t in runtime._tasks] == ["storage"]  # workers are off in this runtime
    await runtime.stop()
    assert all(t.done() for t in runtime._tasks)


async def test_a_write_waits_for_another_process_s_lock_without_blocking_the_loop(served: Any) -> None:
    runtime, path = served
    other = sqlite3.connect(path, isolation_level=None)  # another process, e.g. a `convene` command
    other.execute("BEGIN IMMEDIATE")
    try:
        writing = asyncio.create_task(runtime.bus.handle(RegisterGuest(name="Ann")))
        started = time.monotonic()
        for _ in range(100):  # the loop keeps turning while the write waits for the lock
            await asyncio.sleep(0)
        assert not writing.done()
        assert time.monotonic() - started < 0.5  # SQLite's busy handler used to hold the loop for 2 s
    finally:
        other.commit()
    session = await asyncio.wait_for(writing, 10)
    assert session.guest.name == "Ann"


async def test_a_write_that_never_gets_the_lock_fails_as_transient_for_the_bus_to_retry(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # BEGIN IMMEDIATE goes to the driver's cursor, not through SQLAlchemy's execution: its "locked"
    # must still come up as SQLAlchemy's error, which the unit of work turns into a retryable one.
    import itertools
    import types

    import storage.sqlite_inline
    from bot.transient import TransientStorageError

    runtime, path = served
    ticks = itertools.count(0.0, 60.0)  # each look at the clock: a minute later, past busy_timeout
    monkeypatch.setattr(storage.sqlite_inline, "time", types.SimpleNamespace(monotonic=lambda: next(ticks)))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(TransientStorageError, match="locked"):
            async with runtime.uow() as uow:
                await uow.guests.get("nobody")
    finally:
        other.commit()
    async with runtime.uow() as uow:  # the lock is free: the same write goes through
        assert await uow.guests.get("nobody") is None
