"""The writes of a batch of messages (group commit), for ``uow.conversations`` and ``uow.messages``.

On SQLite they run as the driver's SQL (``storage/batch_statements.py`` says why and compiles it),
with the few values that need their column's bind processing processed here (the batch's shared time
once); on PostgreSQL as SQLAlchemy statements with SQLAlchemy's processing. The database receives the
same values either way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.model import Conversation, Member, Message
from storage.batch_statements import (
    ADD_MESSAGES,
    KEY_NAMES,
    MOST,
    SAVE_POSITIONS,
    SAVE_READ_MARKERS,
    STEP,
    driver_sql,
    insert_messages,
    processor,
    resend_ids,
)
from storage.models import ConversationRow, MessageRow
from storage.sqlite_inline import InlineConnection

_conversations = ConversationRow.__table__
_MESSAGES = MessageRow.__table__
_NOTHING = object()
_RESEND_ORDER = tuple(name for names in KEY_NAMES for name in names)
_CONNECTION = "convene.batch_connection"
_DRIVER = "convene.batch_driver"


async def connection_of(session: AsyncSession) -> AsyncConnection:
    """The connection of the session's transaction, asked for once per transaction: every call into
    the async session switches greenlets twice, which costs more with a deep stack than the asking."""
    transaction = session.sync_session.get_transaction()
    found = session.info.get(_CONNECTION)
    if found is not None and transaction is not None and found[0] is transaction:
        return found[1]  # type: ignore[no-any-return]
    connection = await session.connection()
    session.info[_CONNECTION] = (session.sync_session.get_transaction(), connection)
    return connection


async def run_driver_sql(
    session: AsyncSession, sql: str, values: Sequence[Any], *, many: bool = False
) -> list[Any]:
    """Runs the driver's SQL in the session's transaction and returns its rows (none for a write
    without RETURNING); ``many``: one execution per tuple of ``values``. On SQLite it goes straight
    to the driver's own async connection (storage/sqlite_inline.py): SQLAlchemy's execution of the
    same text, and the greenlet it runs in, cost more than SQLite's work for most of the batch's
    statements (issue 17). Errors come up as SQLAlchemy's, as they would have."""
    driver = await _driver_of(session)
    if driver is None:
        connection = await connection_of(session)
        result = await connection.exec_driver_sql(sql, list(values) if many else tuple(values))
        return list(result) if result.returns_rows else []
    cursor = driver.cursor()
    try:
        if many:
            await cursor.executemany(sql, list(values))
        else:
            await cursor.execute(sql, tuple(values))
        return await cursor.fetchall() if cursor.description else []
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, None, error, sqlite3.Error, hide_parameters=True) from error
    finally:
        await cursor.close()


async def _driver_of(session: AsyncSession) -> InlineConnection | None:
    """The inline SQLite connection under the session's transaction, asked for once per transaction."""
    transaction = session.sync_session.get_transaction()
    found = session.info.get(_DRIVER)
    if found is not None and transaction is not None and found[0] is transaction:
        return found[1]  # type: ignore[no-any-return]
    connection = await connection_of(session)
    driver = None
    if connection.dialect.name == "sqlite":
        raw = await connection.get_raw_connection()
        candidate = raw.driver_connection
        driver = candidate if isinstance(candidate, InlineConnection) else None
    session.info[_DRIVER] = (session.sync_session.get_transaction(), driver)
    return driver


def _message_values(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "author_kind": message.author.kind,
        "author_id": message.author.id,
        "author_name": message.author.name,
        "text": message.text,
        "client_id": message.client_id,
        "internal": message.internal,
        "created_at": message.created_at,
        "guest_seq": message.guest_seq,
    }


async def add_messages(session: AsyncSession, messages: Sequence[Message]) -> None:
    """On SQLite one multi-row insert per ``MOST`` messages, on PostgreSQL an executemany."""
    if not messages:
        return
    dialect = session.bind.dialect
    time = processor(_MESSAGES.c.created_at, dialect)
    last: object = _NOTHING
    if dialect.name != "sqlite":
        rows: list[dict[str, object]] = []
        for m in messages:
            values = _message_values(m)
            created = values.pop("created_at")
            if created is not last:
                last, at = created, time(created)
            values["at"] = at
            rows.append(values)
        await session.execute(ADD_MESSAGES, rows)
        return
    flag = processor(_MESSAGES.c.internal, dialect)
    for start in range(0, len(messages), MOST):
        chunk = messages[start : start + MOST]
        ordered: list[object] = []
        for m in chunk:
            if m.created_at is not last:
                last, at = m.created_at, time(m.created_at)
            author = m.author
            ordered += (
                m.id,
                m.conversation_id,
                m.seq,
                author.kind,
                author.id,
                author.name,
                m.text,
                m.client_id,
                flag(m.internal),
                at,
                m.guest_seq,
            )  # in MESSAGE_COLUMNS order
        await run_driver_sql(session, insert_messages(len(chunk), dialect), ordered)


async def save_positions(session: AsyncSession, conversations: Sequence[Conversation]) -> None:
    """The conversations' sequence numbers and time of the last message, as one executemany."""
    if not conversations:
        return
    dialect = session.bind.dialect
    if dialect.name != "sqlite":
        rows = [
            {
                "key": c.id,
                "last_seq": c.last_seq,
                "guest_seq": c.guest_seq,
                "last_message_at": c.last_message_at,
            }
            for c in conversations
        ]
        await session.execute(SAVE_POSITIONS, rows)
        return
    sql, order = driver_sql(SAVE_POSITIONS, dialect)
    if order != ("last_seq", "guest_seq", "last_message_at", "key"):
        raise RuntimeError(f"SAVE_POSITIONS binds {order}")
    time = processor(_conversations.c.last_message_at, dialect)
    last: object = _NOTHING
    values: list[tuple[object, ...]] = []
    for c in conversations:
        if c.last_message_at is not last:  # the batch's time, shared
            last, at = c.last_message_at, time(c.last_message_at)
        values.append((c.last_seq, c.guest_seq, at, c.id))
    await run_driver_sql(session, sql, values, many=True)


async def save_read_markers(session: AsyncSession, members: Sequence[tuple[str, Member]]) -> None:
    """Members' read markers (``last_read_seq``), as one executemany."""
    if not members:
        return
    dialect = session.bind.dialect
    if dialect.name != "sqlite":
        rows = [
            {"c": conversation_id, "k": m.kind, "m": m.id, "last_read_seq": m.last_read_seq}
            for conversation_id, m in members
        ]
        await session.execute(SAVE_READ_MARKERS, rows)
        return
    sql, order = driver_sql(SAVE_READ_MARKERS, dialect)  # as save_positions
    if order != ("last_read_seq", "c", "k", "m"):
        raise RuntimeError(f"SAVE_READ_MARKERS binds {order}")
    markers = [(m.last_read_seq, conversation_id, m.kind, m.id) for conversation_id, m in members]
    await run_driver_sql(session, sql, markers, many=True)


async def resend_ids_of(session: AsyncSession, keys: Sequence[tuple[str, str, str]]) -> list[str]:
    """The ids of the messages with these (conversation id, author key, client id)."""
    wanted = sorted(set(keys))
    dialect = session.bind.dialect
    ids: list[str] = []
    for start in range(0, len(wanted), MOST):
        chunk = wanted[start : start + MOST]
        size = -(-len(chunk) // STEP) * STEP
        sql, order = resend_ids(size, dialect)
        if order != _RESEND_ORDER[: 4 * size]:
            raise RuntimeError("the resend lookup binds its values in another order")
        values: list[str] = []
        for conversation_id, author_key, client_id in chunk:
            kind, _, author_id = author_key.partition(":")
            values += (conversation_id, kind, author_id, client_id)  # in KEY_NAMES order
        values += values[-4:] * (size - len(chunk))  # the padding repeats the last key
        ids.extend(row[0] for row in await run_driver_sql(session, sql, values))
    return ids
