"""The resend check's SQL (storage/batch_statements.py) is written out by hand for SQLite's and asyncpg's
parameters: it must be, space for space aside, the statement SQLAlchemy compiles, with its values in the
same order, at every size."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.dialects.sqlite import aiosqlite

from storage.batch_statements import MOST, STEP, _resend_ids_compiled, resend_ids


@pytest.mark.parametrize("dialect", [aiosqlite.dialect(), asyncpg.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("size", range(STEP, MOST + 1, STEP))
def test_the_written_resend_lookup_is_the_compiled_one(dialect: object, size: int) -> None:
    written, order = resend_ids(size, dialect)  # type: ignore[arg-type]
    compiled, compiled_order = _resend_ids_compiled(size, dialect)  # type: ignore[arg-type]
    assert re.sub(r"\s+", " ", written) == re.sub(r"\s+", " ", compiled)
    assert order == compiled_order
