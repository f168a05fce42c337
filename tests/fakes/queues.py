"""Fakes of the outbox and job queues the dispatcher and the job runner drain."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.model import Binding
from bot.ports import JobItem, OutboxItem
from tests.fakes.repositories import FakeState


class FakeOutboxStore:
    def __init__(self, state: FakeState) -> None:
        self.st = state

    async def claim(self, now: datetime, limit: int, lease_seconds: float) -> list[OutboxItem]:
        def naive(value: datetime) -> datetime:
            return value.replace(tzinfo=None)

        ready = [
            r
            for r in self.st.outbox
            if not r["done"]
            and r.get("failed_at") is None
            and naive(r["next"]) <= naive(now)
            and (r.get("claimed_until") is None or naive(r["claimed_until"]) < naive(now))
        ][:limit]
        for row in ready:
            row["attempts"] += 1
            row["claimed_until"] = now + timedelta(seconds=lease_seconds)  # leased, like the SQL store
        return [OutboxItem(r["id"], r["event"], r["attempts"]) for r in ready]

    async def delivered(self, keys: Sequence[str]) -> set[str]:
        return {k for k in keys if k in self.st.deliveries}

    async def mark_delivered(self, key: str, now: datetime) -> None:
        self.st.deliveries.add(key)

    async def finish(self, item_id: int, now: datetime) -> None:
        next(r for r in self.st.outbox if r["id"] == item_id)["done"] = True

    async def retry(self, item_id: int, at: datetime, error: str) -> None:
        next(r for r in self.st.outbox if r["id"] == item_id)["next"] = at

    async def dead_letter(self, item_id: int, now: datetime, error: str) -> None:
        row = next(r for r in self.st.outbox if r["id"] == item_id)
        if not row["done"]:
            row.update(failed_at=now, claimed_until=None, last_error=error[:2000])

    async def pending(self) -> int:
        return sum(1 for r in self.st.outbox if not r["done"] and r.get("failed_at") is None)

    async def older_pending(
        self, conversation_ids: Sequence[str], before_id: int, now: datetime
    ) -> list[tuple[int, str, datetime]]:
        def held(row: dict[str, Any]) -> bool:  # in flight at another dispatcher
            until = row.get("claimed_until")
            return until is not None and until.replace(tzinfo=None) > now.replace(tzinfo=None)

        return [
            (r["id"], r["event"].conversation_id, now if held(r) else r["next"])
            for r in self.st.outbox
            if not r["done"]
            and r.get("failed_at") is None  # a dead letter holds back nothing
            and r["id"] < before_id
            and getattr(r["event"], "conversation_id", "") in conversation_ids
        ]

    async def destinations(self, conversation_ids: Sequence[str]) -> dict[str, list[Binding]]:
        return {
            c: copy.deepcopy([b for b in self.st.bindings if b.conversation_id == c])
            for c in conversation_ids
        }

    async def complete(
        self,
        delivered: Sequence[str],
        finished: Sequence[int],
        retries: dict[int, tuple[datetime, str]],
        now: datetime,
        sealed: Sequence[int] = (),
    ) -> None:
        self.st.deliveries.update(delivered)
        self.st.erased.update(sealed)
        for row in self.st.outbox:
            if row["id"] in finished:
                row["done"] = True
            if row["id"] in retries:
                row["next"] = retries[row["id"]][0]
            if row["id"] in finished or row["id"] in retries:
                row["claimed_until"] = None


class FakeJobStore:
    def __init__(self, state: FakeState) -> None:
        self.st = state

    async def claim(self, now: datetime, worker: str, limit: int, lease_seconds: float) -> list[JobItem]:
        due = [
            j
            for j in self.st.jobs
            if (j["status"] == "pending" and j["run_at"] <= now)
            or (j["status"] == "running" and j["claimed_until"] is not None and j["claimed_until"] < now)
        ][:limit]
        for j in due:
            j.update(
                status="running", claimed_by=worker, claimed_until=now + timedelta(seconds=lease_seconds)
            )
            j["attempts"] += 1
        return [JobItem(j["id"], j["kind"], j["key"], j["payload"], j["run_at"], j["attempts"]) for j in due]

    async def retry(self, job_id: int, worker: str, at: datetime, error: str) -> None:
        job = next(j for j in self.st.jobs if j["id"] == job_id)
        job.update(status="pending", run_at=at)

    async def fail(self, job_id: int, worker: str, error: str) -> None:
        next(j for j in self.st.jobs if j["id"] == job_id)["status"] = "failed"

    async def next_due(self) -> datetime | None:
        return min((j["run_at"] for j in self.st.jobs if j["status"] == "pending"), default=None)
