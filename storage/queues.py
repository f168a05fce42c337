"""The outbox and job tables as queues: claim with a lease, finish in the worker's transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import json_text
from bot.events import from_json
from bot.model import Binding
from bot.ports import JobItem, OutboxItem
from storage.dead_letters import DeadLetters
from storage.models import BindingRow, DeliveryRow, JobRow, OutboxRow
from storage.sealed_payloads import erase_delivered_secrets, opened_payload
from storage.types import UTCDateTime

_BINDINGS = BindingRow.__table__.c
# Core, built once: an ORM entity query per hand-off cost more than the read itself.
_DESTINATIONS = (
    select(
        _BINDINGS.id, _BINDINGS.conversation_id, _BINDINGS.channel, _BINDINGS.address, _BINDINGS.thread_key
    )
    .where(_BINDINGS.conversation_id.in_(bindparam("ids", expanding=True)))
    .order_by(_BINDINGS.created_at)
)
# What a batch writes when it is delivered, in one statement each whatever its size (an executemany
# bound every row's timestamp again). The outbox update says which types it finished: only a type with
# secrets needs them erased. PostgreSQL takes keys and ids in the order given (sorted: see ``complete``).
_OUTBOX_ID = OutboxRow.__table__.c.id
_LOCK_IN_ORDER = (
    select(_OUTBOX_ID)
    .where(_OUTBOX_ID.in_(bindparam("ids", expanding=True)))
    .order_by(_OUTBOX_ID)
    .with_for_update()
)
_NOW = bindparam("now", type_=UTCDateTime())
_RECORD = {
    "sqlite": (
        text(
            "INSERT INTO deliveries (key, delivered_at) SELECT value, :now FROM json_each(:keys) "
            "WHERE true ON CONFLICT DO NOTHING"
        ).bindparams(_NOW),
        text(
            "UPDATE outbox SET dispatched_at = :now, claimed_until = NULL "
            "WHERE id IN (SELECT value FROM json_each(:ids))"
        ).bindparams(_NOW),
    ),
    "postgresql": (
        text(
            "INSERT INTO deliveries (key, delivered_at) SELECT k, :now "
            "FROM unnest(CAST(:keys AS VARCHAR[])) WITH ORDINALITY AS t(k, n) ORDER BY n "
            "ON CONFLICT DO NOTHING"
        ).bindparams(_NOW),
        text(
            "UPDATE outbox SET dispatched_at = :now, claimed_until = NULL "
            "WHERE id = ANY(CAST(:ids AS INTEGER[]))"
        ).bindparams(_NOW),
    ),
}


class SqlJobs:
    """The unit of work's view of the job table: schedule and cancel inside the caller's transaction."""

    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.s = session
        self._now = now
        self.scheduled = False  # whether the job runner needs waking after this transaction

    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], *, key: str | None = None
    ) -> None:
        values = dict(
            kind=kind,
            key=key,
            payload=payload,
            run_at=run_at,
            status="pending",
            attempts=0,
            created_at=self._now(),
        )
        self.scheduled = True
        if key is None:
            self.s.add(JobRow(**values))
            return
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(JobRow).values(**values)
        # Scheduling again under the same key re-arms the one job: a reschedule moves its reminder.
        stmt = stmt.on_conflict_do_update(
            index_elements=[JobRow.key],
            set_=dict(
                kind=kind,
                payload=payload,
                run_at=run_at,
                status="pending",
                attempts=0,
                claimed_until=None,
                claimed_by=None,
                last_error=None,
                done_at=None,
            ),
        )
        await self.s.execute(stmt)

    async def cancel(self, key: str) -> None:
        await self.s.execute(
            update(JobRow)
            .where(JobRow.key == key, JobRow.status.in_(["pending", "running"]))
            .values(status="cancelled")
        )

    async def complete(self, job_id: int, worker: str, now: datetime) -> bool:
        result = await self.s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status == "running", JobRow.claimed_by == worker)
            .values(status="done", done_at=now, claimed_until=None)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


class SqlJobStore:
    def __init__(self, storage: Any) -> None:
        self.storage = storage

    async def claim(self, now: datetime, worker: str, limit: int, lease_seconds: float) -> list[JobItem]:
        due = or_(
            (JobRow.status == "pending") & (JobRow.run_at <= now),
            # A worker that died mid-job loses its lease; the job becomes claimable again.
            (JobRow.status == "running") & (JobRow.claimed_until < now),
        )
        ids = select(JobRow.id).where(due).order_by(JobRow.run_at).limit(limit)
        if self.storage.is_postgres:
            ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(JobRow)
            .where(JobRow.id.in_(ids.scalar_subquery()))
            .values(
                status="running",
                claimed_by=worker,
                claimed_until=now + timedelta(seconds=lease_seconds),
                attempts=JobRow.attempts + 1,
            )
            .returning(JobRow.id, JobRow.kind, JobRow.key, JobRow.payload, JobRow.run_at, JobRow.attempts)
        )
        async with self.storage.session(write=True) as s:
            rows = (await s.execute(stmt)).all()
        return [JobItem(r.id, r.kind, r.key, dict(r.payload or {}), r.run_at, r.attempts) for r in rows]

    async def retry(self, job_id: int, worker: str, at: datetime, error: str) -> None:
        async with self.storage.session(write=True) as s:
            await s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.claimed_by == worker, JobRow.status == "running")
                .values(status="pending", run_at=at, last_error=error[:2000], claimed_until=None)
            )

    async def fail(self, job_id: int, worker: str, error: str) -> None:
        async with self.storage.session(write=True) as s:
            await s.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.claimed_by == worker)
                .values(status="failed", last_error=error[:2000], claimed_until=None)
            )

    async def next_due(self) -> datetime | None:
        async with self.storage.session() as s:
            return (
                await s.execute(select(func.min(JobRow.run_at)).where(JobRow.status == "pending"))
            ).scalar_one_or_none()


class SqlOutboxStore(DeadLetters):
    def __init__(self, storage: Any) -> None:
        self.storage = storage

    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxItem]:
        ready = (
            (OutboxRow.dispatched_at.is_(None))
            & (OutboxRow.next_attempt_at <= now)
            & OutboxRow.failed_at.is_(None)
            & or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now)
        )
        ids = select(OutboxRow.id).where(ready).order_by(OutboxRow.id).limit(limit)
        if self.storage.is_postgres:
            ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids.scalar_subquery()))
            .values(claimed_until=now + timedelta(seconds=lease_seconds), attempts=OutboxRow.attempts + 1)
            .returning(OutboxRow.id, OutboxRow.event_type, OutboxRow.payload, OutboxRow.attempts)
        )
        async with self.storage.session(write=True) as s:
            rows = (await s.execute(stmt)).all()
            items = [
                OutboxItem(
                    r.id,
                    from_json(r.event_type, opened_payload(s, r.event_type, dict(r.payload))),
                    r.attempts,
                )
                for r in rows
            ]
        return sorted(items, key=lambda i: i.id)

    async def delivered(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        async with self.storage.session() as s:
            rows = await s.execute(select(DeliveryRow.key).where(DeliveryRow.key.in_(list(keys))))
            return set(rows.scalars())

    async def mark_delivered(self, key: str, now: datetime) -> None:
        insert = pg_insert if self.storage.is_postgres else sqlite_insert
        async with self.storage.session(write=True) as s:
            await s.execute(insert(DeliveryRow).values(key=key, delivered_at=now).on_conflict_do_nothing())

    async def finish(self, item_id: int, now: datetime) -> None:
        async with self.storage.session(write=True) as s:
            await s.execute(
                update(OutboxRow).where(OutboxRow.id == item_id).values(dispatched_at=now, claimed_until=None)
            )
            await erase_delivered_secrets(s, [item_id])

    async def retry(self, item_id: int, at: datetime, error: str) -> None:
        async with self.storage.session(write=True) as s:
            await s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item_id)
                .values(next_attempt_at=at, claimed_until=None, last_error=error[:2000])
            )

    async def pending(self) -> int:
        async with self.storage.session() as s:
            return (
                await s.execute(
                    select(func.count(OutboxRow.id)).where(
                        OutboxRow.dispatched_at.is_(None), OutboxRow.failed_at.is_(None)
                    )
                )
            ).scalar_one()

    async def older_pending(
        self, conversation_ids: Sequence[str], before_id: int, now: datetime
    ) -> list[tuple[int, str, datetime]]:
        async with self.storage.session() as s:
            rows = await s.execute(
                select(
                    OutboxRow.id,
                    OutboxRow.conversation_id,
                    # In flight at another dispatcher: it will be done in moments, so look again soon.
                    case(
                        (OutboxRow.claimed_until > now, literal(now, UTCDateTime())),
                        else_=OutboxRow.next_attempt_at,
                    ).label("at"),
                )
                .where(
                    OutboxRow.conversation_id.in_(list(conversation_ids)),
                    OutboxRow.id < before_id,
                    OutboxRow.dispatched_at.is_(None),
                    OutboxRow.failed_at.is_(None),  # a dead letter holds back nothing
                )
                .order_by(OutboxRow.id)
            )
            return [(r.id, r.conversation_id, r.at) for r in rows]

    async def destinations(self, conversation_ids: Sequence[str]) -> dict[str, list[Binding]]:
        result: dict[str, list[Binding]] = {c: [] for c in conversation_ids}
        async with self.storage.engine.connect() as c:  # Core: no session for one read
            rows = await c.execute(_DESTINATIONS, {"ids": list(conversation_ids)})
            for bid, conversation_id, channel, address, thread_key in rows:
                result[conversation_id].append(
                    Binding(conversation_id, channel, dict(address or {}), thread_key, id=bid)
                )
        return result

    async def complete(
        self,
        delivered: Sequence[str],
        finished: Sequence[int],
        retries: dict[int, tuple[datetime, str]],
        now: datetime,
        sealed: Sequence[int] = (),
    ) -> None:
        async with self.storage.session(write=True) as s:
            touched = sorted({*finished, *retries})
            if touched and self.storage.is_postgres:
                # Two processes completing overlapping items lock their rows in the same (id) order, so
                # they wait for each other instead of deadlocking; the keys below are sorted likewise.
                await s.execute(_LOCK_IN_ORDER, {"ids": touched})
            pg = self.storage.is_postgres
            record, finish = _RECORD["postgresql" if pg else "sqlite"]
            if delivered:
                keys = sorted(delivered)
                await s.execute(record, {"keys": keys if pg else json_text.dumps(keys), "now": now})
            if finished:
                ids = sorted(finished)
                await s.execute(finish, {"ids": ids if pg else json_text.dumps(ids), "now": now})
            if sealed:  # a delivered sign-in link is no longer kept
                await erase_delivered_secrets(s, sealed)
            for item_id, (at, error) in sorted(retries.items()):
                await s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == item_id)
                    .values(next_attempt_at=at, claimed_until=None, last_error=error[:2000])
                )

    async def prune(self, before: datetime) -> None:
        async with self.storage.session(write=True) as s:
            await s.execute(delete(OutboxRow).where(OutboxRow.dispatched_at < before))
