"""An aiosqlite-shaped connection that runs SQLite calls inline on the event loop.

SQLite in WAL mode answers a statement in microseconds, while aiosqlite hands every cursor call to a
thread and back (~0.1 ms each, several per statement, far worse when the loop is busy and the thread waits
for the GIL). Writers are serialised in-process by an asyncio lock before BEGIN IMMEDIATE, so a call here
only waits on SQLite's own lock when *another process* writes (or a read transaction tries to write).

That wait never blocks the loop: SQLite's busy handler is off and ``_call`` retries asynchronously until
``busy_timeout``, after which the bus retries the command. (With the handler on, a caller blocked in it
held the loop that the transaction holding the lock needed in order to finish: a turn of the loop
between statements, tried for issue 17, made the job runner stall for seconds in the browser suite.)

Heavy calls stay inline too. Handing the commit and the many-row statements to a worker thread (the
GIL is released while SQLite works) was measured for issue 17 and gained nothing: while a batch is
written, everything in flight is in that batch, so the loop has nothing to do meanwhile.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

_LOCKED = ("database is locked", "database table is locked")


async def _call(busy_timeout: float, function: Callable[..., Any], *args: Any) -> Any:
    """Calls SQLite. When another connection holds the lock, waits for it *asynchronously* (SQLite's own
    busy handler is off: it would block the loop, and with it maybe the very transaction it waits for),
    up to ``busy_timeout``; then the error goes up and the bus retries the command."""
    deadline = 0.0
    delay = 0.001
    while True:
        try:
            return function(*args)
        except sqlite3.OperationalError as error:
            if not str(error).startswith(_LOCKED):
                raise
            now = time.monotonic()
            deadline = deadline or now + busy_timeout
            if now >= deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)


class _InlineCursor:
    def __init__(self, raw: sqlite3.Connection, busy_timeout: float) -> None:
        self._cursor = raw.cursor()
        self._busy_timeout = busy_timeout

    async def __aenter__(self) -> _InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    def __await__(self) -> Any:
        async def itself() -> _InlineCursor:
            return self

        return itself().__await__()

    async def execute(self, operation: str, parameters: Any = ()) -> _InlineCursor:
        await _call(self._busy_timeout, self._cursor.execute, operation, parameters)
        return self

    async def executemany(self, operation: str, seq: Iterable[Any]) -> _InlineCursor:
        rows = seq if isinstance(seq, list) else list(seq)  # a retry needs them all again
        await _call(self._busy_timeout, self._cursor.executemany, operation, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's task queue: SQLAlchemy's isolation-level setter posts work to it."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # noqa: BLE001 - handed back to the awaiting caller
            future.set_exception(error)


class InlineConnection:
    def __init__(self, raw: sqlite3.Connection, busy_timeout: float = 2.0) -> None:
        self._conn = raw
        self._busy_timeout = busy_timeout
        self._connection: sqlite3.Connection | None = raw
        self._tx = _RunNow()

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self._conn, self._busy_timeout)

    async def execute(self, operation: str, parameters: Any = ()) -> _InlineCursor:
        cursor = _InlineCursor(self._conn, self._busy_timeout)
        return await cursor.execute(operation, parameters)

    async def commit(self) -> None:
        await _call(self._busy_timeout, self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value


def inline_creator(path: str, *, busy_timeout: float) -> Callable[[], Awaitable[InlineConnection]]:
    async def create() -> InlineConnection:
        # timeout=0: SQLite never blocks the loop waiting for a lock; ``_call`` waits asynchronously.
        raw = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(raw, busy_timeout)

    return create
