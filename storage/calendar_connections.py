"""Agents' calendar connections as rows (``uow.calendar_connections``), with their grants encrypted.

Provider credentials (Google refresh tokens) are Fernet-encrypted at rest with a key derived from the
secret key (HKDF/SHA-256): a leaked database or backup gives no working grant. The storage plugin hands
the cipher to every session through ``session.info``; repositories never see the secret itself.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.meetings.model import BOOKED, CalendarConnection
from storage.models import CalendarConnectionRow, JobRow, MeetingRow
from storage.repositories import _Repo

CIPHER = "convene_credentials_cipher"
OK, BROKEN = "ok", "broken"
_HKDF_INFO = b"convene calendar credentials v1"


def cipher_for(secret_key: str) -> Fernet:
    """The same secret always gives the same key, so every process can read what another wrote."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def attach_cipher(storage: Any, secret_key: str) -> None:
    """Called by the storage plugin: every session of this storage can encrypt and decrypt grants."""
    cipher = cipher_for(secret_key or "")
    for maker in (storage._read, storage._write):
        maker.configure(info={CIPHER: cipher})


def encrypt(session: AsyncSession, credentials: dict[str, Any]) -> str:
    cipher = session.info.get(CIPHER)
    if cipher is None:
        raise RuntimeError("no credentials cipher: the storage was not made by the storage plugin")
    return str(cipher.encrypt(json.dumps(credentials).encode()).decode("ascii"))


def decrypt(session: AsyncSession, stored: str | None) -> dict[str, Any]:
    """An unreadable value (another secret key, a damaged row) reads as no grant at all: the provider
    then reports the connection disconnected and the agent reconnects, instead of us crashing."""
    if not stored:
        return {}
    cipher = session.info.get(CIPHER)
    try:
        raw = cipher.decrypt(stored.encode("ascii")) if cipher is not None else b""
        value = json.loads(raw)
    except (InvalidToken, ValueError, UnicodeError):
        return {}
    return value if isinstance(value, dict) else {}


def to_connection(session: AsyncSession, row: CalendarConnectionRow) -> CalendarConnection:
    return CalendarConnection(
        row.agent,
        row.provider,
        row.account_email,
        row.external_user_id,
        decrypt(session, row.credentials),
        row.status,
        dict(row.sync_state or {}),
    )


class SqlCalendarConnections(_Repo):
    async def get(self, agent: str) -> CalendarConnection | None:
        """The agent's connection (an agent has at most one calendar source), whatever its status."""
        row = (
            await self.s.execute(
                select(CalendarConnectionRow)
                .where(CalendarConnectionRow.agent == agent)
                .order_by(CalendarConnectionRow.updated_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return to_connection(self.s, row) if row else None

    async def connect(
        self,
        agent: str,
        provider: str,
        *,
        account_email: str | None,
        external_user_id: str | None = None,
        credentials: dict[str, Any] | None = None,
    ) -> None:
        """(Re)connects: replaces any other source of the agent, clears a broken status and the sync
        cursors (a new grant may see another account's calendars)."""
        now = self._now()
        await self.s.execute(
            delete(CalendarConnectionRow).where(
                CalendarConnectionRow.agent == agent, CalendarConnectionRow.provider != provider
            )
        )
        values = dict(
            account_email=account_email,
            external_user_id=external_user_id,
            credentials=encrypt(self.s, credentials or {}),
            status=OK,
            sync_state={},
            updated_at=now,
        )
        found = await self.s.execute(
            update(CalendarConnectionRow)
            .where(CalendarConnectionRow.agent == agent, CalendarConnectionRow.provider == provider)
            .values(**values)
        )
        if found.rowcount == 0:  # type: ignore[attr-defined]
            self.s.add(
                CalendarConnectionRow(
                    id=str(uuid.uuid4()),
                    agent=agent,
                    provider=provider,
                    settings={},
                    created_at=now,
                    **values,
                )
            )
            await self.s.flush()

    async def save_credentials(self, agent: str, provider: str, credentials: dict[str, Any]) -> None:
        await self.s.execute(
            update(CalendarConnectionRow)
            .where(CalendarConnectionRow.agent == agent, CalendarConnectionRow.provider == provider)
            .values(credentials=encrypt(self.s, credentials), updated_at=self._now())
        )

    async def mark_broken(self, agent: str, provider: str) -> bool:
        """True only for the call that broke it: the agent is told once, not on every failed read."""
        result = await self.s.execute(
            update(CalendarConnectionRow)
            .where(
                CalendarConnectionRow.agent == agent,
                CalendarConnectionRow.provider == provider,
                CalendarConnectionRow.status == OK,
            )
            .values(status=BROKEN, updated_at=self._now())
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def remove(self, agent: str) -> bool:
        result = await self.s.execute(
            delete(CalendarConnectionRow).where(CalendarConnectionRow.agent == agent)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_sync_state(self, agent: str, provider: str, state: dict[str, Any]) -> None:
        await self.s.execute(
            update(CalendarConnectionRow)
            .where(CalendarConnectionRow.agent == agent, CalendarConnectionRow.provider == provider)
            .values(sync_state=dict(state))
        )

    async def connected(self, providers: list[str] | None = None) -> list[tuple[str, str]]:
        """(agent, provider) of every working connection."""
        query = select(CalendarConnectionRow.agent, CalendarConnectionRow.provider).where(
            CalendarConnectionRow.status == OK
        )
        if providers is not None:
            query = query.where(CalendarConnectionRow.provider.in_(providers))
        return [(a, p) for a, p in (await self.s.execute(query.order_by(CalendarConnectionRow.agent))).all()]

    async def meetings_for_events(self, agent: str, event_ids: list[str]) -> dict[str, str]:
        """external event id → meeting id, for this agent's meetings (deleted events carry only their id)."""
        if not event_ids:
            return {}
        rows = await self.s.execute(
            select(MeetingRow.external_event_id, MeetingRow.id).where(
                MeetingRow.agent == agent, MeetingRow.external_event_id.in_(event_ids)
            )
        )
        return {str(e): str(m) for e, m in rows.all()}

    async def pending_writes(self, kind: str, meeting_ids: list[str]) -> set[str]:
        """Meetings whose calendar write is still queued: the calendar shows an older state of ours."""
        if not meeting_ids:
            return set()
        rows = await self.s.execute(
            select(JobRow.payload).where(JobRow.kind == kind, JobRow.status.in_(["pending", "running"]))
        )
        wanted = set(meeting_ids)
        return {str(p.get("meeting_id")) for (p,) in rows.all() if p and p.get("meeting_id") in wanted}

    async def upcoming_meeting_ids(self, agent: str, since: datetime) -> list[str]:
        rows = await self.s.execute(
            select(MeetingRow.id).where(
                MeetingRow.agent == agent, MeetingRow.status == BOOKED, MeetingRow.end_at > since
            )
        )
        return [str(r) for r in rows.scalars()]
