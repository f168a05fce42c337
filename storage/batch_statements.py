"""The statements of a batch of messages (group commit, ``bot/batcher.py``), built once at import.

A batch of ~80 messages over ~20 conversations is written in about a dozen statements; SQLAlchemy's
Python work per statement and per row costs far more than SQLite's own, so:

- statements are module constants with bind parameters (IN lists as expanding ones), so no statement
  is built, and no cache key computed, per call;
- updates name only the columns a batch moves (the rows are locked since they were read), so the
  database maintains fewer indexes and SQLAlchemy processes fewer values;
- values every row of a batch shares (the batch's time, the outbox lease) go through their column's
  bind processing once (``processor``) and are bound with ``Ready``, which passes them on untouched:
  the database receives exactly the values it did before;
- the statements whose size follows the batch (the resend check, SQLite's inserts of the messages
  and of the outbox rows) are compiled once per size and dialect and run as the driver's SQL with
  their values in order; on SQLite the batch's updates run as the driver's executemany too
  (``driver_sql``; storage/batch_writes.py);
- an outbox payload is encoded by orjson (``json_processor``, ``bot/json_text.py``): the same JSON
  as the column's own processing would write, without its spaces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, DateTime, String, and_, bindparam, insert, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeDecorator, TypeEngine

from bot import json_text
from storage.models import ConversationRow, MemberRow, MessageRow, OutboxRow


class Ready(TypeDecorator[Any]):
    """A time already processed by its column's type: SQLite's text, or PostgreSQL's aware datetime
    (bound as a timestamp with time zone, as the column would be)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(String() if dialect.name == "sqlite" else DateTime(timezone=True))


def ready_param(name: str) -> BindParameter[Any]:
    return bindparam(name, type_=Ready())


_PROCESSORS: dict[tuple[int, str], Callable[[Any], Any]] = {}


def processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The column's own bind processing for this dialect (the identity when it has none)."""
    key = (id(column), dialect.name)
    found = _PROCESSORS.get(key)
    if found is None:
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        found = _PROCESSORS[key] = process if process is not None else _same
    return found


def _same(value: Any) -> Any:
    return value


def json_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """A JSON column's bind processing for values that are never None (an outbox payload): when the
    dialect serializes with plain ``json.dumps`` (SQLite), ``bot.json_text.dumps`` (orjson, with
    ``json.dumps`` for what orjson will not write): the same JSON, compact, in a tenth of the time."""
    if dialect.name != "sqlite" or getattr(dialect, "_json_serializer", None):
        return processor(column, dialect)
    return json_text.dumps


_conversations = ConversationRow.__table__
_members = MemberRow.__table__
_messages = MessageRow.__table__

MEMBER_ORDER = (_members.c.joined_at, _members.c.kind.desc(), _members.c.member_id)
GET_MANY = (
    select(*_conversations.c)
    .where(_conversations.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_conversations.c.id)
)
GET_MANY_FOR_UPDATE = GET_MANY.with_for_update()
MEMBERS_OF = (
    select(*_members.c)
    .where(_members.c.conversation_id.in_(bindparam("ids", expanding=True)))
    .order_by(*MEMBER_ORDER)
)
SAVE_POSITIONS = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("key"))
    .values(
        last_seq=bindparam("last_seq"),
        guest_seq=bindparam("guest_seq"),
        last_message_at=bindparam("last_message_at"),
    )
)
SAVE_READ_MARKERS = (
    update(_members)
    .where(
        _members.c.conversation_id == bindparam("c"),
        _members.c.kind == bindparam("k"),
        _members.c.member_id == bindparam("m"),
    )
    .values(last_read_seq=bindparam("last_read_seq"))
)

_DRIVER_SQL: dict[tuple[int, str], tuple[str, tuple[str, ...]]] = {}


def driver_sql(statement: Any, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    """A module constant's SQL for SQLite's driver, and the names of its values in order: the batch's
    updates run as the driver's executemany, without SQLAlchemy's per-row parameter processing (their
    callers process the few values that need it, with ``processor``)."""
    key = (id(statement), dialect.name)
    found = _DRIVER_SQL.get(key)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        assert compiled.positiontup is not None  # SQLite's driver takes positional values
        found = _DRIVER_SQL[key] = (compiled.string, tuple(compiled.positiontup))
    return found


ADD_MESSAGES = insert(_messages).values(created_at=ready_param("at"))  # the batch's time, once
# The resend check: one OR term per (conversation, author, client id), each an exact seek in the
# messages' unique index (IN lists over conversations and client ids read every message of those
# conversations, so their cost grew with the conversations). It is compiled once per size (in steps
# of STEP keys, the caller pads by repeating a key; at most MOST keys) and dialect, and runs as the
# driver's SQL with positional values: through SQLAlchemy's execution, the 4 x 80 bound values of
# one statement cost more than SQLite's 80 seeks. It finds ids only; the few resends are read after.
STEP, MOST = 16, 128
KEY_NAMES = [(f"c{i}", f"k{i}", f"a{i}", f"i{i}") for i in range(MOST)]
MESSAGES_BY_ID = select(*_messages.c).where(_messages.c.id.in_(bindparam("ids", expanding=True)))
_RESEND_IDS: dict[tuple[int, str], tuple[str, tuple[str, ...]]] = {}


def resend_ids(size: int, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    """The SQL of the id lookup for ``size`` keys, and the names of its values in their order. Written
    out for SQLite's and asyncpg's parameters: SQLAlchemy took ~10 ms to compile the 80-key statement,
    on the first batch of each size after a start, which a short run under load felt."""
    found = _RESEND_IDS.get((size, dialect.name))
    if found is None:
        if dialect.paramstyle in ("qmark", "numeric_dollar"):
            found = _RESEND_IDS[(size, dialect.name)] = _resend_ids_written(size, dialect)
        else:
            found = _RESEND_IDS[(size, dialect.name)] = _resend_ids_compiled(size, dialect)
    return found


def _resend_ids_written(size: int, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    cast = "::VARCHAR" if dialect.paramstyle == "numeric_dollar" else ""
    marks = iter(range(1, 4 * size + 1))

    def mark() -> str:
        return f"${next(marks)}{cast}" if cast else "?"

    terms = " OR ".join(
        f"messages.conversation_id = {mark()} AND messages.author_kind = {mark()} "
        f"AND messages.author_id = {mark()} AND messages.client_id = {mark()}"
        for _ in range(size)
    )
    names = tuple(name for key in KEY_NAMES[:size] for name in key)
    return f"SELECT messages.id FROM messages WHERE {terms}", names


def _resend_ids_compiled(size: int, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    m = _messages.c
    query = select(m.id).where(
        or_(
            *(
                and_(
                    m.conversation_id == bindparam(c),
                    m.author_kind == bindparam(k),
                    m.author_id == bindparam(a),
                    m.client_id == bindparam(n),
                )
                for c, k, a, n in KEY_NAMES[:size]
            )
        )
    )
    compiled = query.compile(dialect=dialect)
    assert compiled.positiontup is not None  # both databases' drivers take positional values
    return compiled.string, tuple(compiled.positiontup)


# A batch's outbox rows on SQLite: one multi-row INSERT ... RETURNING id, compiled once per row count
# and run as the driver's SQL with the values in order (storage/unit_of_work.py processes them).
# SQLAlchemy's own multi-row insert re-renders the statement and processes each row's values on every
# call, which cost more than SQLite's insert.
_outbox = OutboxRow.__table__
_OUTBOX_ORDER = (
    "event_type",
    "conversation_id",
    "payload",
    "created_at",
    "next_attempt_at",
    "attempts",
    "claimed_until",
)
OUTBOX_COLUMNS = tuple(column for column in _outbox.c if column.key in _OUTBOX_ORDER)  # the table's order
if tuple(column.key for column in OUTBOX_COLUMNS) != _OUTBOX_ORDER:
    raise RuntimeError("the outbox table's columns moved: storage/unit_of_work.py writes them in this order")
_INSERT_OUTBOX: dict[tuple[int, str], str] = {}
_INSERT_MESSAGES: dict[tuple[int, str], str] = {}


def insert_outbox(count: int, dialect: Dialect) -> str:
    """The SQL that inserts ``count`` outbox rows, values row by row in ``OUTBOX_COLUMNS`` order."""
    found = _INSERT_OUTBOX.get((count, dialect.name))
    if found is None:
        found = _INSERT_OUTBOX[(count, dialect.name)] = _many_rows(OUTBOX_COLUMNS, count, dialect, True)
    return found


# A batch's messages on SQLite: one multi-row INSERT rather than one execution per row (the full-text
# index, FTS5 fed by a trigger, flushes its pending terms at the end of every statement, so per-row
# executions cost an index segment per message), compiled once per row count and run as the driver's
# SQL with the values in ``MESSAGE_COLUMNS`` order (storage/conversations.py processes them).
MESSAGE_COLUMNS = tuple(_messages.c)
if tuple(column.key for column in MESSAGE_COLUMNS) != (
    "id",
    "conversation_id",
    "seq",
    "author_kind",
    "author_id",
    "author_name",
    "text",
    "client_id",
    "internal",
    "created_at",
    "guest_seq",
):
    raise RuntimeError("the messages table's columns moved: storage/conversations.py writes them in order")


def insert_messages(count: int, dialect: Dialect) -> str:
    """The SQL that inserts ``count`` messages, values row by row in ``MESSAGE_COLUMNS`` order."""
    found = _INSERT_MESSAGES.get((count, dialect.name))
    if found is None:
        processed = {c.key for c in MESSAGE_COLUMNS if processor(c, dialect) is not _same}
        if not processed <= {"internal", "created_at"}:  # the only values the caller processes
            raise RuntimeError(f"messages' columns {sorted(processed)} need bind processing")
        found = _INSERT_MESSAGES[(count, dialect.name)] = _many_rows(MESSAGE_COLUMNS, count, dialect, False)
    return found


def _many_rows(columns: tuple[Column[Any], ...], count: int, dialect: Dialect, returning: bool) -> str:
    if dialect.paramstyle == "qmark":
        # Written out: SQLAlchemy takes milliseconds to compile 80 rows of 11 values, and a new batch
        # size at a busy moment (the start of a load) would pay that in the middle of a transaction.
        quote = dialect.identifier_preparer.quote
        row = "(" + ", ".join(["?"] * len(columns)) + ")"
        sql = (
            f"INSERT INTO {quote(columns[0].table.name)} ({', '.join(quote(c.name) for c in columns)}) "
            f"VALUES {', '.join([row] * count)}"
        )
        return sql + f" RETURNING {quote('id')}" if returning else sql
    table = columns[0].table
    names = [[f"{column.key}_{i}" for column in columns] for i in range(count)]
    query = insert(table).values(
        [{column.key: bindparam(name) for column, name in zip(columns, row, strict=True)} for row in names]
    )
    if returning:
        query = query.returning(table.c.id)
    compiled = query.compile(dialect=dialect)
    if compiled.positiontup != [name for row in names for name in row]:
        raise RuntimeError("the multi-row insert binds its values in another order")
    return compiled.string
