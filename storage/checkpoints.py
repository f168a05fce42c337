"""SQLite's WAL checkpoints, moved off the event loop.

In WAL mode every commit appends to the ``-wal`` file, and by default the commit that takes it past
1,000 pages copies them all back into the database file and syncs it: a 10–30 ms pause of the one
event loop that serves every socket, every few dozen commits under load (measured: 80 % of the time
spent committing was these pauses). The serving connections switch that off (``storage/database.py``),
and this task checkpoints in a worker thread instead, on a connection of its own, a few times a second.
``PASSIVE`` never waits for readers or writers, and the thread runs SQLite with the GIL released, so
the loop goes on serving meanwhile. When the server stops, its connections close, and SQLite
checkpoints whatever is left as the last one closes.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

log = logging.getLogger(__name__)
EVERY_SECONDS = 0.25  # under load the WAL grows by a few hundred pages a second; it stays small


class WalCheckpointer:
    def __init__(self, path: str, *, every: float = EVERY_SECONDS) -> None:
        self.path = path
        self.every = every
        self.checkpoints = 0  # how many ran
        self.ran = asyncio.Event()  # set after each round (tests wait on it)

    async def run(self, stop: asyncio.Event) -> None:
        connection = await asyncio.to_thread(upkeep_connection, self.path)
        try:
            while not stop.is_set():
                try:
                    await asyncio.to_thread(self._checkpoint, connection)
                except sqlite3.Error as error:  # a busy or full disk: the next round tries again
                    log.warning("WAL checkpoint failed: %s", error)
                self.ran.set()
                await rest(stop, self.every)
        finally:
            await asyncio.to_thread(connection.close)

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.checkpoints += 1


def upkeep_connection(path: str) -> sqlite3.Connection:
    """A connection of its own for upkeep in a worker thread (checkpoints, the search index): it may
    wait for another process's lock, as the serving connections may not."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=2000")
    return connection


async def rest(stop: asyncio.Event, seconds: float) -> None:
    """Until the next round of upkeep, or until the server stops."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
