"""``bot.json_text``: orjson's speed with the standard library's answers, whatever the value."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

import pytest

from bot import json_text


class Kind(StrEnum):
    TEXT = "text"


VALUES = [
    {
        "type": "ack",
        "client_id": "c1",
        "message": {"seq": 3, "text": "Grüße 👋", "internal": False, "x": None},
    },
    {"nested": [[1, 2.5, -3], {"a": [True, False]}]},
    {"big": 2**70},  # wider than 64 bits: orjson refuses it, json writes it
    {"lone surrogate": "\ud800"},  # orjson refuses it: json escapes it
    {1: "an int key"},  # orjson refuses it: json makes it "1"
    {"kind": Kind.TEXT},  # a str subclass: json writes its value
    "plain",
    [],
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_what_is_written_reads_back_as_json_reads_what_json_writes(value: object) -> None:
    written = json_text.dumps(value)
    assert isinstance(written, str)
    assert repr(json.loads(written)) == repr(json.loads(json.dumps(value)))


def test_a_float_that_is_not_a_number_is_written_as_json_null_not_as_the_non_json_nan() -> None:
    assert json.loads(json_text.dumps([float("nan"), float("inf"), 1.5])) == [None, None, 1.5]


def test_a_value_json_cannot_write_fails_as_it_did() -> None:
    with pytest.raises(TypeError):
        json_text.dumps({"at": datetime(2026, 11, 30, tzinfo=UTC)})
    with pytest.raises(TypeError):
        json.dumps({"at": datetime(2026, 11, 30, tzinfo=UTC)})
