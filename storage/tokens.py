"""What may count only once: sign-in and link tokens (``uow.tokens``), inbound messages (``uow.inbound``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, update

from bot.ports import TokenUse
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

    async def lookup(self, token_hash: str, kind: str, now: datetime) -> TokenUse | None:
        row = await self.s.get(TokenRow, token_hash)
        if row is None or row.kind != kind or row.used_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        return TokenUse(row.subject, row.last_used_at or row.created_at)

    async def touch(self, token_hash: str, now: datetime) -> None:
        # Conditional: many requests in one hour race to write once, and the latest time wins.
        await self.s.execute(
            update(TokenRow)
            .where(
                TokenRow.token_hash == token_hash,
                or_(TokenRow.last_used_at.is_(None), TokenRow.last_used_at < now),
            )
            .values(last_used_at=now)
        )

    async def revoke(self, token_hash: str, kind: str) -> bool:
        result = await self.s.execute(
            delete(TokenRow).where(TokenRow.token_hash == token_hash, TokenRow.kind == kind)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

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
