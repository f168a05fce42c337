"""The SQLAlchemy unit of work: one transaction; events go to the outbox table inside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast, overload

from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import json_text
from bot.errors import Conflict
from bot.events import Event, to_json_text
from bot.ports import Clock, OutboxItem
from bot.transient import TransientStorageError
from storage.assistant import SqlAssistant
from storage.attachments import SqlAttachments
from storage.batch_statements import MOST, insert_outbox, json_processor, processor, ready_param
from storage.batch_writes import run_driver_sql
from storage.calendar_connections import SqlCalendarConnections
from storage.checkpoints import WalCheckpointer
from storage.contacts import SqlContacts
from storage.conversations import SqlConversations, SqlMessages
from storage.database import LoopLocal, make_engine
from storage.identities import SqlAgentIdentities
from storage.invitations import SqlInvitations
from storage.local_calendar import LocalEvents
from storage.meetings import SqlMeetings
from storage.membership import SqlDigests, SqlMembership
from storage.models import OutboxRow
from storage.people import SqlAgents, SqlGuests, SqlServices
from storage.preferences import SqlPreferences
from storage.queues import SqlJobs, SqlJobStore, SqlOutboxStore
from storage.saved_replies import SqlSavedReplies
from storage.sealed_payloads import sealed_payload
from storage.search import SqlSearch
from storage.search_index import SearchIndexer
from storage.status import SqlConversationFilters
from storage.threads import SqlBindings
from storage.tokens import SqlInbound, SqlTokens

_OUTBOX = OutboxRow.__table__  # Core, not the ORM's bulk insert: fewer Python steps per batch
# Rows born claimed (a batch's), on PostgreSQL: the shared times processed once (storage/batch_statements.py).
_INSERT_CLAIMED = _OUTBOX.insert().values(
    created_at=ready_param("created"),
    next_attempt_at=ready_param("next_attempt"),
    claimed_until=ready_param("until"),
)
_INSERT_CLAIMED_IN_ORDER = _INSERT_CLAIMED.returning(_OUTBOX.c.id, sort_by_parameter_order=True)


class Storage:
    """Everything that shares one engine: units of work, the outbox and job queues."""

    def __init__(self, url: str, clock: Clock) -> None:
        self.url = url
        self.clock = clock
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write = async_sessionmaker(
            self.engine.execution_options(convene_write=True), expire_on_commit=False
        )
        # SQLite has one writer; queueing in-process is far cheaper than spinning on busy_timeout.
        self._write_lock = LoopLocal()
        self.outbox = SqlOutboxStore(self)
        self.jobs = SqlJobStore(self)

    def unit_of_work(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self, read_only=read_only)

    @asynccontextmanager
    async def session(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        """A short transaction outside the engine's units of work (queues, health checks)."""
        if write and self.is_sqlite:
            async with self._write_lock.get():
                async with self._write() as session, session.begin():
                    yield session
        else:
            async with (self._write if write else self._read)() as session, session.begin():
                yield session

    async def ping(self) -> None:
        async with self.session() as s:
            await s.execute(text("SELECT 1"))

    async def maintain(self, stop: asyncio.Event) -> None:
        """Upkeep while the process serves, on SQLite in threads: WAL checkpoints (storage/checkpoints)
        and the search index of new messages (storage/search_index)."""
        path = self._sqlite_file()
        if path:
            await asyncio.gather(WalCheckpointer(path).run(stop), self._indexer(path).run(stop))

    async def index_for_search(self) -> int:
        """Indexes every message still noted for SQLite's search index now (what ``maintain`` does a
        moment after each write); returns how many. For a process that writes many without serving."""
        path, total = self._sqlite_file(), 0
        if path:
            indexer = self._indexer(path)
            connection = await asyncio.to_thread(indexer.connect)
            try:
                while count := await indexer.catch_up(connection):
                    total += count
            finally:
                await asyncio.to_thread(connection.close)
        return total

    def _sqlite_file(self) -> str:
        path = self.url.split("///", 1)[-1]
        return path if self.is_sqlite and path and path != ":memory:" else ""

    def _indexer(self, path: str) -> SearchIndexer:
        return SearchIndexer(path, self._write_lock.get)

    async def dispose(self) -> None:
        await self.engine.dispose()


def is_transient(error: BaseException) -> bool:
    if isinstance(error, OperationalError) and "locked" in str(error).lower():
        return True
    if isinstance(error, DBAPIError):
        code = getattr(getattr(error.orig, "__cause__", None), "sqlstate", None) or getattr(
            error.orig, "sqlstate", None
        )
        return code in {"40001", "40P01"}  # serialization failure, deadlock
    return False


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of the unit of work, built on first use in each transaction: a batch of messages
    uses a handful of the two dozen, and building them all cost more than some of its statements."""

    def __init__(self, make: Callable[[AsyncSession, Callable[[], datetime]], R]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Repository[R]: ...
    @overload
    def __get__(self, uow: SqlUnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> _Repository[R] | R:
        if uow is None:
            return self
        built = uow._repositories
        found = built.get(self.name)
        if found is None:
            found = built[self.name] = self.make(uow.session, uow._now)
        return cast(R, found)

    def __set__(self, uow: SqlUnitOfWork, repository: R) -> None:
        uow._repositories[self.name] = repository


class SqlUnitOfWork:
    # Every repository the engine finds on ``uow``, listed here rather than registered at import.
    agents = _Repository(SqlAgents)
    services = _Repository(SqlServices)
    guests = _Repository(SqlGuests)
    conversations = _Repository(SqlConversations)
    messages = _Repository(SqlMessages)
    bindings = _Repository(SqlBindings)
    tokens = _Repository(SqlTokens)
    inbound = _Repository(SqlInbound)
    jobs = _Repository(SqlJobs)
    meetings = _Repository(SqlMeetings)
    calendar_connections = _Repository(SqlCalendarConnections)
    identities = _Repository(SqlAgentIdentities)
    membership = _Repository(SqlMembership)
    digests = _Repository(SqlDigests)
    assistant = _Repository(SqlAssistant)  # the assistant's conversations and calendar meetings
    invitations = _Repository(SqlInvitations)  # invitations, rooms, multi-member meetings' attendees
    search = _Repository(SqlSearch)
    saved_replies = _Repository(SqlSavedReplies)
    contacts = _Repository(SqlContacts)
    conversation_filters = _Repository(SqlConversationFilters)  # the inbox's filters (bot/status)
    attachments = _Repository(SqlAttachments)
    preferences = _Repository(SqlPreferences)  # notification preferences (bot/preferences)

    def __init__(self, storage: Storage, *, read_only: bool) -> None:
        self.storage = storage
        self._repositories: dict[str, object] = {}
        self.read_only = read_only
        self._events: list[Event] = []
        self._lock_held = False
        self._claim_seconds: float | None = None
        self.claimed: list[OutboxItem] = []  # after commit: the outbox rows born claimed by this process

    def _now(self) -> datetime:
        return self.storage.clock.now()

    async def __aenter__(self) -> SqlUnitOfWork:
        if not self.read_only and self.storage.is_sqlite:
            await self.storage._write_lock.get().acquire()
            self._lock_held = True
        maker = self.storage._read if self.read_only else self.storage._write
        self.session = maker()
        await self.session.begin()
        self._repositories = {}  # this transaction's, built on first use (see ``_Repository``)
        self.local_events = LocalEvents(self.session, self._now)  # notes this write session now
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self.session.in_transaction():  # after the commit none is: no call (a greenlet switch)
                await self.session.rollback()  # undoes everything
            await self.session.close()
        finally:
            if self._lock_held:
                self._lock_held = False
                self.storage._write_lock.get().release()
        if exc is not None:
            if is_transient(exc):
                raise TransientStorageError(str(exc)) from exc
            if isinstance(exc, IntegrityError):
                raise Conflict("That change conflicts with another one; please try again.") from exc

    def record(self, event: Event) -> None:
        self._events.append(event)

    def claim_outbox(self, lease_seconds: float) -> None:
        """The outbox rows of this commit are born claimed by this process (as ``claim`` would), and
        listed in ``claimed`` after the commit: its dispatcher delivers them from memory, with no
        round trip to claim them. They stay the truth for a crash: another process takes them when the
        lease runs out."""
        self._claim_seconds = lease_seconds

    async def commit(self) -> None:
        claimed: list[OutboxItem] = []
        if self._events:
            now = self._now()
            session, events = self.session, self._events
            if self._claim_seconds is None:
                rows: list[dict[str, Any]] = [
                    {
                        "event_type": event.type,
                        "conversation_id": getattr(event, "conversation_id", None) or None,
                        "payload": sealed_payload(session, event),
                        "created_at": now,
                        "next_attempt_at": now,
                    }
                    for event in events
                ]
                await session.execute(insert(OutboxRow), rows)
            else:
                claimed = await self._insert_claimed(now, events)
        self._events.clear()
        await self.session.commit()
        self.claimed = claimed

    async def _insert_claimed(self, now: datetime, events: list[Event]) -> list[OutboxItem]:
        """The rows of these events, born claimed: one statement on SQLite and the rows' ids in order.

        SQLAlchemy writes one row per statement to keep RETURNING in order on SQLite; there, writers
        hold the lock (BEGIN IMMEDIATE) and the rows of one multi-row INSERT take rowids one after
        another in VALUES order, so one unsorted statement and a sort give the same ids."""
        dialect = self.storage.engine.dialect
        time = processor(_OUTBOX.c.created_at, dialect)
        at, until = time(now), time(now + timedelta(seconds=self._claim_seconds or 0))
        session = self.session
        if not self.storage.is_sqlite:
            rows = [
                {
                    "event_type": event.type,
                    "conversation_id": getattr(event, "conversation_id", None) or None,
                    "payload": sealed_payload(session, event),
                    "attempts": 1,
                    "created": at,
                    "next_attempt": at,
                    "until": until,
                }
                for event in events
            ]
            result = await session.execute(_INSERT_CLAIMED_IN_ORDER, rows)
            return [OutboxItem(i, e, 1) for i, e in zip(result.scalars(), events, strict=True)]
        payload = json_processor(_OUTBOX.c.payload, dialect)
        # The JSON text the column would write, straight from the event when nothing in it is sealed.
        as_text = to_json_text if payload is json_text.dumps else None
        ids: list[int] = []
        for start in range(0, len(events), MOST):
            chunk = events[start : start + MOST]
            values: list[Any] = []
            for event in chunk:
                values += (
                    event.type,
                    getattr(event, "conversation_id", None) or None,
                    as_text(event)
                    if as_text is not None and not event.secret_fields
                    else payload(sealed_payload(session, event)),
                    at,
                    at,
                    1,
                    until,
                )  # in OUTBOX_COLUMNS order
            ids += (
                row[0] for row in await run_driver_sql(session, insert_outbox(len(chunk), dialect), values)
            )
        return [OutboxItem(i, e, 1) for i, e in zip(sorted(ids), events, strict=True)]

    async def rollback(self) -> None:
        self._events.clear()
        await self.session.rollback()
