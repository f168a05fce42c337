"""Engine creation: SQLite in WAL mode by default, PostgreSQL through asyncpg at scale.

Errors never carry the values of a statement (``hide_parameters``, and PostgreSQL's ``DETAIL`` line,
which quotes the offending key, is dropped): link tokens, message texts and emails stay out of the log.
A new SQLite file is created 0600 in a 0700 folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.private_files import private_dir, touch_private


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_dir(Path(path).parent)
            touch_private(path)
        from storage.sqlite_inline import inline_creator

        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            async_creator=inline_creator(path, busy_timeout=2.0),
            pool_use_lifo=True,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(
        url, echo=echo, hide_parameters=True, pool_size=10, max_overflow=20, pool_pre_ping=True
    )
    event.listen(engine.sync_engine, "handle_error", _drop_detail)
    return engine


def _drop_detail(context: Any) -> None:
    """asyncpg prints the server's DETAIL ("Key (email)=(ann@example.org) already exists") with the
    error; the constraint's name in the message is all our code and the log need."""
    error: BaseException | None = context.original_exception
    seen = 0
    while error is not None and seen < 5:
        if getattr(error, "detail", None):
            try:
                error.detail = None  # type: ignore[attr-defined]
            except (AttributeError, TypeError):
                pass
        error, seen = error.__cause__ or error.__context__, seen + 1


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would BEGIN lazily and DEFERRED; we issue BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
        # No busy handler: it would wait with the loop blocked. The driver waits for another process's
        # lock asynchronously instead (storage/sqlite_inline.py), and the bus retries after that.
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Checkpoints run in a thread (storage/checkpoints.py), not inside whichever commit crosses the
        # threshold; a process without that task still checkpoints when its last connection closes.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        # A statement that writes many rows (a batch's messages) keeps a journal to undo itself on a
        # constraint error. On disk, that journal was a temporary file created, written, closed and
        # unlinked by every batch: a third of the batch's insert (issue 17). In memory it is a few
        # hundred KiB for the moment the statement runs (temporary tables and indexes live there too).
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        # Writers take the lock up front, so a read-then-write transaction can never fail to upgrade.
        # Straight to the driver's cursor: SQLAlchemy's execution of the statement (a context, a result)
        # cost more than SQLite's BEGIN, once per transaction. Errors come up as SQLAlchemy's, as they did.
        statement = _BEGIN_WRITE if conn.get_execution_options().get("convene_write") else _BEGIN_READ
        dbapi = conn.connection.dbapi_connection
        cursor = dbapi.cursor()
        try:
            cursor.execute(statement)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(statement, None, error, engine.dialect.loaded_dbapi.Error) from error
        finally:
            cursor.close()


_BEGIN_WRITE = "BEGIN IMMEDIATE"
_BEGIN_READ = "BEGIN DEFERRED"


class LoopLocal:
    """An asyncio.Lock per event loop: tests and the CLI may run several loops in one process."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    def get(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(id(loop))
        if lock is None:
            lock = self._locks[id(loop)] = asyncio.Lock()
        return lock
