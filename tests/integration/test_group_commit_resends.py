"""Group commit on SQLite and PostgreSQL: a resent message (same conversation, author and client id) in
a batch gets back the stored message it already made, and only that author's own."""

from __future__ import annotations

from typing import Any

from bot.commands import PostMessage
from bot.handlers.conversations import Posted
from tests.integration.test_group_commit import a_guest_with_a_conversation, together


async def test_resends_in_a_batch_return_the_stored_messages_and_another_author_s_same_client_id_is_new(
    seeded: Any,
) -> None:
    ann, a = await a_guest_with_a_conversation(seeded, "Ann")
    ben, b = await a_guest_with_a_conversation(seeded, "Ben")
    first, _ = await together(seeded, *[PostMessage(a, ann, f"x{i}", client_id=f"k{i}") for i in range(20)])
    again, n = await together(
        seeded,
        *[PostMessage(a, ann, "dup", client_id="k5"), PostMessage(b, ben, "new", client_id="k5")],
        *[PostMessage(a, ann, f"y{i}", client_id=f"k{i + 17}") for i in range(5)],
    )
    assert n == 1 and all(isinstance(x, Posted) for x in again)
    assert again[0].created is False and again[0].message.id == first[5].message.id
    assert again[0].message.created_at == first[5].message.created_at
    assert again[1].created is True
    assert [x.created for x in again[2:]] == [False, False, False, True, True]
    assert again[2].message.id == first[17].message.id
