"""SQLite's full-text index of messages, brought up to date in a thread, many messages at a time.

Indexing a message inside the transaction that writes it (its words, their prefixes, and FTS5's segment
merges at each commit) was the largest single cost of writing one under load (issue 17). Since migration
0025 that transaction only notes the message in ``messages_unindexed``; this task indexes what is noted,
up to ``CHUNK`` messages in one statement (see below for when). The statement runs in a worker thread
with the GIL released, so the index is built on the other core while the loop serves. It writes, so it
takes the process's write lock first (``Storage.session(write=True)`` takes the same one): the batch of
messages behind it waits in the loop's queue, never on SQLite's busy handler. ``uow.search`` reads the
messages still noted directly, so a search finds a message the moment its sender has the ack.
PostgreSQL indexes a generated column inside the write and needs none of this.

A round costs about 4 ms of the lock however few messages it indexes, plus ~4 µs a message (FTS5
writes a segment a round and merges them as they pile up): indexed ten times a second, 700 messages
cost 11 µs each, 2,000 at once 5 µs (measured for issue 17). So a backlog waits for company: it is
indexed once it fills a round (``CHUNK``), or once its oldest has waited ``AT_MOST_WAIT`` (a search
reads those directly meanwhile, a few milliseconds).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from storage.checkpoints import rest, upkeep_connection

log = logging.getLogger(__name__)
EVERY_SECONDS = 0.1  # how often the backlog is looked at (one cheap read)
AT_MOST_WAIT = 1.0  # seconds a smaller backlog waits for company
CHUNK = 2_000  # messages in one transaction (about 10 ms of the lock); a backlog goes round after round

_BOUND = (
    "SELECT max(message_rowid) FROM "
    "(SELECT message_rowid FROM messages_unindexed ORDER BY message_rowid LIMIT ?)"
)
_INDEX = (
    "INSERT INTO messages_fts(rowid, text) SELECT m.rowid, m.text FROM messages_unindexed u "
    "JOIN messages m ON m.rowid = u.message_rowid WHERE u.message_rowid <= ?"
)
_FORGET = "DELETE FROM messages_unindexed WHERE message_rowid <= ?"
_NOTED = "SELECT count(*) FROM (SELECT 1 FROM messages_unindexed LIMIT ?)"


def index_noted(connection: sqlite3.Connection, limit: int = CHUNK) -> int:
    """Indexes up to ``limit`` noted messages, oldest first, in one transaction; returns how many."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        bound = connection.execute(_BOUND, (limit,)).fetchone()[0]
        count = 0
        if bound is not None:
            count = connection.execute(_INDEX, (bound,)).rowcount
            connection.execute(_FORGET, (bound,))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return count


class SearchIndexer:
    def __init__(
        self,
        path: str,
        write_lock: Callable[[], AbstractAsyncContextManager[object]],
        *,
        every: float = EVERY_SECONDS,
    ) -> None:
        self.path = path
        self.write_lock = write_lock
        self.every = every
        self.indexed = 0  # messages indexed so far (tests and the log)
        self._waiting_since: float | None = None  # when the backlog was first seen, not yet indexed

    def due(self, noted: int, now: float) -> bool:
        """Whether a backlog of ``noted`` messages (counted up to ``CHUNK``), seen at ``now``, is
        indexed now or waits for company."""
        if not noted:
            self._waiting_since = None
            return False
        if self._waiting_since is None:
            self._waiting_since = now
        if noted >= CHUNK or now - self._waiting_since >= AT_MOST_WAIT:
            self._waiting_since = None
            return True
        return False

    async def run(self, stop: asyncio.Event) -> None:
        connection = await asyncio.to_thread(self.connect)
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                count = 0
                try:
                    noted = await asyncio.to_thread(_noted, connection, CHUNK)
                    if self.due(noted, loop.time()):
                        count = await self.catch_up(connection)
                except sqlite3.Error as error:  # a busy or full disk: the next round tries again
                    log.warning("search indexing failed: %s", error)
                if count < CHUNK:  # else a backlog (after a restart, another process's writes): on at once
                    await rest(stop, self.every)
        finally:
            await asyncio.to_thread(connection.close)

    async def catch_up(self, connection: sqlite3.Connection, limit: int = CHUNK) -> int:
        """One round: nothing to do costs one read; otherwise up to ``limit`` messages, under the lock."""
        if not await asyncio.to_thread(_noted, connection, 1):
            return 0
        async with self.write_lock():
            count = await asyncio.to_thread(index_noted, connection, limit)
        self.indexed += count
        return count

    def connect(self) -> sqlite3.Connection:
        return upkeep_connection(self.path)


def _noted(connection: sqlite3.Connection, up_to: int) -> int:
    """How many messages wait to be indexed, counted up to ``up_to``."""
    return int(connection.execute(_NOTED, (up_to,)).fetchone()[0])
