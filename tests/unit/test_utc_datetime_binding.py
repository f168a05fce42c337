"""UTCDateTime binds on SQLite through one ``isoformat``: the text must stay exactly what SQLAlchemy's
DateTime wrote before, or comparisons with stored rows (``created_at < ?``) would go wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from storage.types import UTCDateTime

DIALECT = sqlite.dialect()
VALUES = [
    datetime(2026, 11, 30, 9, 0, tzinfo=UTC),  # no microseconds: still six digits
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
    datetime(2027, 3, 28, 1, 30, 0, 1, tzinfo=timezone(timedelta(hours=2))),  # an offset: stored as UTC
    datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=timezone(timedelta(hours=-5))),
]


@pytest.mark.parametrize("value", VALUES)
def test_a_timestamp_is_bound_as_the_same_text_sqlalchemy_s_datetime_wrote(value: datetime) -> None:
    ours = UTCDateTime().bind_processor(DIALECT)
    theirs = DateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value.astimezone(UTC).replace(tzinfo=None))


def test_a_naive_timestamp_is_refused_and_none_stays_none() -> None:
    ours = UTCDateTime().bind_processor(DIALECT)
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 11, 30, 9, 0))
    assert ours(None) is None
