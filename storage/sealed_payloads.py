"""Secrets inside outbox payloads: encrypted while they wait, erased once delivered.

An event may name fields that are live secrets (``secret_fields``, e.g. the one-time token of a sign-in
mail). They are written to the outbox encrypted with the key derived from ``CONVENE_SECRET_KEY`` (the
database never holds the raw value), decrypted when the event is claimed, and blanked in the row once
the event is delivered everywhere, so a database dump or backup taken later holds no working link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Event, to_json
from storage.models import OutboxRow

SEALED = "sealed:"


def _cipher(session: AsyncSession) -> Any:
    from storage.calendar_connections import CIPHER  # late: that module needs the unit of work first

    return session.info.get(CIPHER)


def secret_fields(event_type: str) -> tuple[str, ...]:
    cls = Event.registry.get(event_type)
    return cls.secret_fields if cls is not None else ()


def secret_types() -> frozenset[str]:
    """Event types with secret fields (a dozen classes to look at: not worth a cache that could miss one)."""
    return frozenset(name for name, cls in Event.registry.items() if cls.secret_fields)


def sealed_payload(session: AsyncSession, event: Event) -> dict[str, Any]:
    payload = to_json(event)
    fields = event.secret_fields
    if not fields:
        return payload
    cipher = _cipher(session)
    if cipher is None:
        raise RuntimeError("no cipher for outbox secrets: the storage was not made by the storage plugin")
    for name in fields:
        if isinstance(payload.get(name), str) and payload[name]:
            payload[name] = SEALED + cipher.encrypt(payload[name].encode()).decode("ascii")
    return payload


def opened_payload(session: AsyncSession, event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A value that cannot be opened (another secret key) reads as empty: the notice still goes out,
    with a link that no longer works, instead of blocking the queue."""
    cipher = _cipher(session)
    for name in secret_fields(event_type):
        value = payload.get(name)
        if isinstance(value, str) and value.startswith(SEALED):
            try:
                payload[name] = cipher.decrypt(value[len(SEALED) :].encode("ascii")).decode()
            except (AttributeError, InvalidToken, ValueError):
                payload[name] = ""
    return payload


async def erase_delivered_secrets(session: AsyncSession, finished: Sequence[int]) -> None:
    """Blank the secret fields of events that were just delivered everywhere."""
    types = sorted(secret_types())
    if not finished or not types:
        return
    rows = await session.execute(
        select(OutboxRow.id, OutboxRow.event_type, OutboxRow.payload).where(
            OutboxRow.id.in_(list(finished)), OutboxRow.event_type.in_(types)
        )
    )
    for row in rows.all():
        payload = dict(row.payload)
        for name in secret_fields(row.event_type):
            if name in payload:
                payload[name] = ""
        await session.execute(update(OutboxRow).where(OutboxRow.id == row.id).values(payload=payload))
