"""Values a whole batch shares, turned into the database's form once instead of once per row.

A batch of messages (group commit, ``bot/batcher.py``) writes 80 message rows and 80 outbox rows that
all carry the same few times (the batch's ``now``, the outbox lease). SQLAlchemy would run each
column's bind processing (UTC check, conversion, and SQLite's text formatting) for every row. Here
the column's own processing runs once per distinct value, and the statement binds the result with
``Ready``, a type that passes it on untouched: the same values reach the database as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, DateTime, String, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeDecorator, TypeEngine


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
