"""``to_json_text`` writes every event exactly as ``json_text.dumps(to_json(event))`` would: the outbox
row of each message is written the short way (issue 17), and must read back the same."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import bot.bootstrap  # noqa: F401  (registers every plugin's events)
from bot.events import Audience, Event, MessagePosted, from_json, to_json, to_json_text
from bot.json_text import dumps
from bot.model import Actor

WHEN = [
    datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # no microseconds: isoformat leaves them out
    datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=1))),
]


def _sample(hint: str, n: int) -> Any:
    """A value of each kind of field the events declare; an unknown kind fails the test (add it)."""
    hint = hint.removesuffix(" | None")
    if hint == "str":
        return ["plain", "Grüße 👋 <b>&", "line\nbreak \u2028", ""][n % 4]
    if hint == "int":
        return [0, 7, 2**40][n % 3]
    if hint == "bool":
        return n % 2 == 0
    if hint == "datetime":
        return WHEN[n % len(WHEN)]
    if hint == "Actor":
        return Actor("guest", "g-1", "Zoë")
    if hint == "Audience":
        return Audience.AGENTS
    if hint == "dict[str, Any]":
        return {"channel": "C1", "n": [1, 2.5, None], "deep": {"ok": True}}
    if hint.startswith("tuple[tuple[str"):
        width = hint.count("str")
        return tuple(tuple(f"v{i}" for i in range(width)) for _ in range(2))
    if hint == "tuple[str, ...]":
        return ("alice", "bob")
    if hint == "tuple[dict[str, Any], ...]":
        return ({"id": "f1", "name": "a.pdf", "size": 3},)
    raise AssertionError(f"no sample for a field of type {hint!r}")


def _instances(cls: type[Event]) -> list[Event]:
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    made = []
    for n in range(3):
        values = {f.name: _sample(str(f.type), n + i) for i, f in enumerate(fields)}
        made.append(cls(**values))
        made.append(cls(**{**values, **{f.name: None for f in fields if str(f.type).endswith("| None")}}))
    return made


@pytest.mark.parametrize("name", sorted(Event.registry))
def test_every_event_is_written_as_its_dict_would_be(name: str) -> None:
    for event in _instances(Event.registry[name]):
        text = to_json_text(event)
        assert text == dumps(to_json(event))
        assert to_json_text(from_json(name, json.loads(text))) == text  # and reads back the same


def test_what_orjson_will_not_write_goes_the_long_way() -> None:
    event = MessagePosted("c", "m", 1, Actor("guest", "g", "Ann"), "half a pair \ud800", WHEN[0])
    assert to_json_text(event) == dumps(to_json(event))
    assert "\\ud800" in to_json_text(event)
