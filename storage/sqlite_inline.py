"""An aiosqlite-shaped connection that runs SQLite calls inline on the event loop.

SQLite in WAL mode answers a statement in microseconds, while aiosqlite hands every cursor call to a
thread and back (~0.1 ms each, several per statement, far worse when the loop is busy and the thread waits
for the GIL). Writers are serialised in-process by an asyncio lock before BEGIN IMMEDIATE, so a call here
only ever waits on SQLite's own lock when *another process* writes; ``busy_timeout`` bounds that wait and
the bus retries the command.

Statements run without giving the event loop a turn in between. A turn after each statement (tried for
issue 17: it let Slack acks and the next batch proceed during a transaction's ORM work) made an
in-process caller wait *synchronously* on SQLite's lock while the transaction holding it was suspended
on the same loop: the browser suite saw the job runner stall for seconds at a time. A transaction here
therefore runs start to end on the loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


class _InlineCursor:
    def __init__(self, raw: sqlite3.Connection) -> None:
        self._cursor = raw.cursor()

    async def __aenter__(self) -> _InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    def __await__(self) -> Any:
        async def itself() -> _InlineCursor:
            return self

        return itself().__await__()

    async def execute(self, operation: str, parameters: Any = ()) -> _InlineCursor:
        self._cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, seq: Iterable[Any]) -> _InlineCursor:
        self._cursor.executemany(operation, seq)
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
    def __init__(self, raw: sqlite3.Connection) -> None:
        self._conn = raw
        self._connection: sqlite3.Connection | None = raw
        self._tx = _RunNow()

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self._conn)

    async def execute(self, operation: str, parameters: Any = ()) -> _InlineCursor:
        cursor = _InlineCursor(self._conn)
        return await cursor.execute(operation, parameters)

    async def commit(self) -> None:
        self._conn.commit()

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
        raw = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        return InlineConnection(raw)

    return create
