"""The built-in ``local`` calendar: events are rows in our own database (``local_events``).

Busy time comes from rows that are not our own meetings (those count from the meetings table,
which is authoritative, so a meeting being moved never blocks itself). Each agent can subscribe to
an ``.ics`` feed of their events at a secret URL whose token is an HMAC of the secret key.

Writes join the caller's transaction when one is open: the calendar job then writes the event and
completes in one commit, exactly once; on SQLite this also avoids waiting on our own write lock. What
to write is decided by ``bot.calendars.reconcile``, the same decision as for Google and Microsoft; this
calendar tells it which SEQUENCE each event carries (``event_sequence``).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.calendar import CalendarAccount, CalendarRef, EventSpec, Interval, WorkingHours
from scheduling.ics import agent_feed
from storage.models import LocalCalendarVersionRow, LocalEventRow
from storage.repositories import _Repo
from storage.types import UTCDateTime

_OPEN_WRITE: ContextVar[AsyncSession | None] = ContextVar("local_calendar_write_session", default=None)
_IDS = uuid.UUID("6f1c1f53-3c39-4a39-9d1e-6a1c0c0a1e55")
FEED_HISTORY = timedelta(days=90)


class LocalEvents(_Repo):
    """``uow.local_events``; creating it notes the unit of work's write session for the provider."""

    def __init__(self, session: AsyncSession, now: Any) -> None:
        super().__init__(session, now)
        bind = session.bind
        if bind is not None and bind.get_execution_options().get("convene_write"):
            _OPEN_WRITE.set(session)

    async def block(self, agent: str, start: datetime, end: datetime, title: str = "Busy") -> str:
        """Busy time an agent keeps for themself (not a meeting)."""
        event_id = str(uuid.uuid4())
        self.s.add(_row(event_id, agent, "primary", title, start, end, None, 0, self._now()))
        await bump_version(self.s, agent)
        return event_id


async def bump_version(session: AsyncSession, agent: str) -> None:
    """Every change to what counts as busy bumps the agent's version in the same transaction."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = LocalCalendarVersionRow.__table__
    await session.execute(
        insert(table)
        .values(agent=agent, version=1)
        .on_conflict_do_update(index_elements=[table.c.agent], set_={"version": table.c.version + 1})
    )


_BUSY = text(
    "SELECT agent, calendar_id, start_at, end_at FROM local_events "
    "WHERE agent IN :agents AND meeting_id IS NULL AND start_at < :hi AND end_at > :lo"
).bindparams(
    bindparam("agents", expanding=True),
    bindparam("lo", type_=UTCDateTime()),
    bindparam("hi", type_=UTCDateTime()),
)


_VERSIONS = select(LocalCalendarVersionRow.agent, LocalCalendarVersionRow.version).where(
    LocalCalendarVersionRow.agent.in_(bindparam("agents", expanding=True))
)
CACHE_SPAN = timedelta(days=35)  # one read covers any window a booking page asks for (a month ahead)
CACHE_AGENTS = 5000


def _parse(rows: Sequence[Any]) -> dict[str, list[tuple[str, Interval]]]:
    found: dict[str, list[tuple[str, Interval]]] = defaultdict(list)
    if rows and isinstance(rows[0][2], str):
        # SQLite: naive UTC text. Inlined, because this loop runs for every busy row of a service.
        parse = datetime.fromisoformat
        for agent, calendar_id, a, b in rows:
            found[agent].append((calendar_id, Interval(parse(a + "+00:00"), parse(b + "+00:00"))))
        return found
    for agent, calendar_id, a, b in rows:
        found[agent].append((calendar_id, Interval(_utc(a), _utc(b))))
    return found


def _utc(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite keeps naive UTC as text
        return datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _row(
    event_id: str,
    agent: str,
    calendar_id: str,
    title: str,
    start: datetime,
    end: datetime,
    meeting_id: str | None,
    sequence: int,
    now: datetime,
) -> LocalEventRow:
    return LocalEventRow(
        id=event_id,
        agent=agent,
        calendar_id=calendar_id,
        title=title[:300],
        start_at=start,
        end_at=end,
        meeting_id=meeting_id,
        sequence=sequence,
        created_at=now,
    )


class LocalCalendar:
    name = "local"

    def __init__(self, storage: Any, secret_key: str, public_url: str) -> None:
        self.storage = storage
        self._secret = secret_key.encode()
        self.public_url = public_url.rstrip("/")
        # agent → (version, window start, window end, [(calendar id, interval)])
        self._busy: OrderedDict[str, tuple[int, datetime, datetime, list[tuple[str, Interval]]]] = (
            OrderedDict()
        )

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        session = _OPEN_WRITE.get()
        if session is not None and session.in_transaction():
            yield session
            return
        async with self.storage.session(write=True) as own:
            yield own

    # -- reading ------------------------------------------------------------------------------------

    async def busy(
        self, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
    ) -> list[Interval]:
        found = await self.busy_many([(account, calendars)], start, end)
        return found.get(account.agent_slug, [])

    async def busy_many(
        self, requests: Sequence[tuple[CalendarAccount, Sequence[str]]], start: datetime, end: datetime
    ) -> dict[str, list[Interval]]:
        """One query for a whole service, and only for agents whose blocks changed since we last read
        them (their version, read in the same transaction, says so): a busy service's slot list is
        asked for again and again, and rereading thousands of rows each time dominated it."""
        wanted = {account.agent_slug: set(calendars) for account, calendars in requests}
        if not wanted:
            return {}
        async with self.storage.session() as s:
            versions = dict((await s.execute(_VERSIONS, {"agents": list(wanted)})).all())
            stale = [a for a in wanted if not self._cached(a, versions.get(a, 0), start, end)]
            if stale:
                lo, hi = start, max(end, start + CACHE_SPAN)
                rows = (await s.execute(_BUSY, {"agents": stale, "lo": lo, "hi": hi})).all()
                fetched = _parse(rows)
                for agent in stale:
                    self._busy[agent] = (versions.get(agent, 0), lo, hi, fetched.get(agent, []))
                    self._busy.move_to_end(agent)
                while len(self._busy) > CACHE_AGENTS:
                    self._busy.popitem(last=False)
        return {
            agent: [
                iv
                for calendar_id, iv in self._busy[agent][3]
                if calendar_id in calendars and iv.start < end and iv.end > start
            ]
            for agent, calendars in wanted.items()
        }

    def _cached(self, agent: str, version: int, start: datetime, end: datetime) -> bool:
        entry = self._busy.get(agent)
        return entry is not None and entry[0] == version and entry[1] <= start and end <= entry[2]

    async def list_calendars(self, account: CalendarAccount) -> list[CalendarRef]:
        return [CalendarRef("primary", "Convene", primary=True, writable=True)]

    async def working_hours(self, account: CalendarAccount) -> WorkingHours | None:
        return None  # the agent's settings are the only source of working hours here

    # -- writing ------------------------------------------------------------------------------------

    async def create_event(self, account: CalendarAccount, calendar_id: str, spec: EventSpec) -> str:
        # One id per (agent, meeting): a retried create after a crash updates instead of duplicating.
        event_id = str(uuid.uuid5(_IDS, f"{account.agent_slug}:{spec.meeting_id}"))
        async with self._writing() as s:
            existing = await s.get(LocalEventRow, event_id)
            if existing is None:
                s.add(
                    _row(
                        event_id,
                        account.agent_slug,
                        calendar_id,
                        spec.subject,
                        spec.start,
                        spec.end,
                        spec.meeting_id,
                        spec.sequence,
                        self.storage.clock.now(),
                    )
                )
                await s.flush()
            else:
                await self._update(s, event_id, spec)
        return event_id

    async def event_sequence(self, account: CalendarAccount, calendar_id: str, event_id: str) -> int | None:
        """The SEQUENCE our event carries (``None``: no such event), read in the job's transaction:
        ``reconcile`` then skips the write of a meeting this calendar already shows."""
        async with self._writing() as s:
            return await s.scalar(select(LocalEventRow.sequence).where(LocalEventRow.id == event_id))

    async def update_event(
        self, account: CalendarAccount, calendar_id: str, event_id: str, spec: EventSpec
    ) -> None:
        async with self._writing() as s:
            await self._update(s, event_id, spec)

    @staticmethod
    async def _update(s: AsyncSession, event_id: str, spec: EventSpec) -> None:
        await s.execute(
            update(LocalEventRow)
            .where(LocalEventRow.id == event_id)
            .values(title=spec.subject[:300], start_at=spec.start, end_at=spec.end, sequence=spec.sequence)
        )

    async def delete_event(self, account: CalendarAccount, calendar_id: str, event_id: str) -> None:
        async with self._writing() as s:
            await s.execute(delete(LocalEventRow).where(LocalEventRow.id == event_id))
            await bump_version(s, account.agent_slug)  # in case it was a block, not a meeting

    # -- the .ics feed -----------------------------------------------------------------------------

    def feed_token(self, agent_slug: str) -> str:
        return hmac.new(self._secret, f"local-feed:{agent_slug}".encode(), hashlib.sha256).hexdigest()[:40]

    def feed_url(self, agent_slug: str) -> str:
        return f"{self.public_url}/calendar/{agent_slug}/{self.feed_token(agent_slug)}.ics"

    async def feed(self, agent_slug: str, token: str) -> bytes | None:
        """The agent's events as iCalendar, or ``None`` when the token is wrong."""
        if not hmac.compare_digest(token.encode(), self.feed_token(agent_slug).encode()):
            return None
        since = self.storage.clock.now() - FEED_HISTORY
        async with self.storage.session() as s:
            rows = (
                await s.execute(
                    select(LocalEventRow)
                    .where(LocalEventRow.agent == agent_slug, LocalEventRow.end_at > since)
                    .order_by(LocalEventRow.start_at)
                )
            ).scalars()
            specs = [
                EventSpec(
                    meeting_id=r.meeting_id or r.id,
                    subject=r.title,
                    start=r.start_at,
                    end=r.end_at,
                    timezone="UTC",
                    sequence=r.sequence,
                )
                for r in rows
            ]
        return agent_feed(specs, name=f"Convene: {agent_slug}")


def plugin(config: dict[str, Any]) -> LocalCalendar | None:
    storage = config.get("storage")
    if storage is None or not hasattr(storage, "session"):
        return None
    return LocalCalendar(storage, str(config.get("secret_key") or ""), str(config.get("public_url") or ""))
