"""The outbox's dead letters: events given up after repeated permanent failures.

A dead letter keeps its row (``failed_at`` set, ``dispatched_at`` empty) with the last error, so an
operator can list it (``convene outbox failed``) and send it again (``convene outbox retry ID``) once the
cause is fixed. It is never claimed, and it holds back no later event of its conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from storage.models import OutboxRow


@dataclass(frozen=True)
class DeadLetter:
    id: int
    event_type: str
    conversation_id: str | None
    attempts: int
    failed_at: datetime
    last_error: str


class DeadLetters:
    """Mixed into the outbox store; ``self.storage`` is the Storage."""

    storage: Any

    async def dead_letter(self, item_id: int, now: datetime, error: str) -> None:
        async with self.storage.session(write=True) as s:
            await s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item_id, OutboxRow.dispatched_at.is_(None))
                .values(failed_at=now, claimed_until=None, last_error=error[:2000])
            )

    async def dead_count(self) -> int:
        async with self.storage.session() as s:
            return int(
                (
                    await s.execute(select(func.count(OutboxRow.id)).where(OutboxRow.failed_at.is_not(None)))
                ).scalar_one()
            )

    async def failed(self, limit: int = 200) -> list[DeadLetter]:
        async with self.storage.session() as s:
            rows = await s.execute(
                select(OutboxRow).where(OutboxRow.failed_at.is_not(None)).order_by(OutboxRow.id).limit(limit)
            )
            return [
                DeadLetter(r.id, r.event_type, r.conversation_id, r.attempts, r.failed_at, r.last_error or "")
                for r in rows.scalars()
            ]

    async def revive(self, item_id: int) -> bool:
        """Back into the queue with a fresh count of attempts; False when it is no dead letter. Due at
        once for every dispatcher, whatever the clock of the machine the operator typed this on."""
        async with self.storage.session(write=True) as s:
            result = await s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == item_id, OutboxRow.failed_at.is_not(None))
                .values(failed_at=None, attempts=0, next_attempt_at=OutboxRow.created_at, claimed_until=None)
            )
            return bool(result.rowcount == 1)
