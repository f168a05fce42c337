"""What may count only once: sign-in and link tokens (``uow.tokens``), inbound messages (``uow.inbound``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from storage.models import (
    InboundRow,
    TokenRow,
)
from storage.repositories import _Repo


class SqlTokens(_Repo):
    async def add(self, token_hash: str, kind: str, subject: str, expires_at: datetime | None) -> None:
        self.s.add(
            TokenRow(
                token_hash=token_hash,
                kind=kind,
                subject=subject,
                expires_at=expires_at,
                created_at=self._now(),
            )
        )

    async def resolve(self, token_hash: str, kind: str, now: datetime) -> str | None:
        row = await self.s.get(TokenRow, token_hash)
        if row is None or row.kind != kind or row.used_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        return row.subject

    async def consume(self, token_hash: str, kind: str, now: datetime) -> str | None:
        subject = await self.resolve(token_hash, kind, now)
        if subject is not None:
            # Conditional update: two concurrent redemptions cannot both succeed.
            result = await self.s.execute(
                update(TokenRow)
                .where(TokenRow.token_hash == token_hash, TokenRow.used_at.is_(None))
                .values(used_at=now)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
        return subject


class SqlInbound(_Repo):
    async def first_time(self, channel: str, external_id: str, now: datetime) -> bool:
        if await self.s.get(InboundRow, (channel, external_id)) is not None:
            return False
        self.s.add(InboundRow(channel=channel, external_id=external_id, received_at=now))
        await self.s.flush()
        return True
