"""The batch's own ``MessagePosted`` (``_posted``, built without the frozen dataclass's ``__init__``) is
the event the class itself makes, field for field, for every kind of message."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.events import Audience, MessagePosted
from bot.handlers.batch_posting import _posted
from bot.model import Actor, Message

AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("author", "internal", "mentions"),
    [
        (Actor("guest", "g1", "Ann"), False, ()),
        (Actor("agent", "alice", "Alice"), True, ("bob",)),
        (Actor("system", "system", "Convene"), False, ()),
    ],
)
def test_the_batch_builds_the_event_the_class_would(author: Actor, internal: bool, mentions: tuple) -> None:
    message = Message(
        "c1", 7, author, "hello", AT, client_id="x1", internal=internal, guest_seq=None if internal else 5
    )
    built = _posted(message, mentions)
    expected = MessagePosted(
        conversation_id="c1",
        message_id=message.id,
        seq=7,
        author=author,
        text="hello",
        created_at=AT,
        internal=internal,
        client_id="x1",
        kind="system" if author.kind == "system" else "text",
        audience=Audience.EVERYONE,  # the class makes an internal note's audience AGENTS itself
        guest_seq=message.guest_seq,
        mentions=mentions,
    )
    assert built == expected and vars(built) == vars(expected)
    assert [f.name for f in dataclasses.fields(MessagePosted)] == list(vars(built))  # every field, in order
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.text = "changed"  # type: ignore[misc]
