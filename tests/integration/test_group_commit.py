"""Group commit on SQLite and PostgreSQL: messages posted together are written in one transaction, yet
each keeps its own checks, its own answer and its place in the conversation's numbering."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from bot.commands import PostMessage, RegisterGuest, StartConversation
from bot.errors import Conflict, InvalidInput, NotFound
from bot.handlers.conversations import Posted
from bot.model import MAX_MESSAGE_LENGTH, Actor


async def a_guest_with_a_conversation(runtime: Any, name: str) -> tuple[Actor, str]:
    guest = (await runtime.bus.handle(RegisterGuest(name=name))).guest
    posted = await runtime.bus.handle(StartConversation(guest_id=guest.id, text="Hello", service="sales"))
    return guest.actor, posted.conversation.id


async def stored(runtime: Any, conversation_id: str) -> list[tuple[int, int | None, str, str | None]]:
    async with runtime.storage.session() as s:
        rows = await s.execute(
            text(
                "SELECT seq, guest_seq, text, client_id FROM messages WHERE conversation_id = :c ORDER BY seq"
            ),
            {"c": conversation_id},
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def together(runtime: Any, *commands: PostMessage) -> tuple[list[Any], int]:
    """Posts all commands in the same turn of the event loop; returns the answers and how many
    transactions the batcher wrote for them."""
    before = runtime.batcher.batches
    answers = await asyncio.gather(*(runtime.bus.handle(c) for c in commands), return_exceptions=True)
    return answers, runtime.batcher.batches - before


async def test_messages_posted_together_get_gap_free_numbers_in_order_of_arrival(seeded: Any) -> None:
    guest, conversation = await a_guest_with_a_conversation(seeded, "Ann")
    alice = Actor("agent", "alice", "Alice")
    first_seq = (await stored(seeded, conversation))[-1][0] + 1
    commands = [PostMessage(conversation, guest, f"line {i}", client_id=f"c{i}") for i in range(20)]
    commands.insert(7, PostMessage(conversation, alice, "note to self", internal=True))
    commands.insert(12, PostMessage(conversation, alice, "an answer"))
    commands.append(PostMessage(conversation, guest, "line 3 again", client_id="c3"))  # a resend

    answers, transactions = await together(seeded, *commands)

    assert transactions == 1
    assert all(isinstance(a, Posted) for a in answers)
    new = [a.message for a in answers[:-1]]
    assert [m.seq for m in new] == list(range(first_seq, first_seq + len(new)))
    assert answers[-1].created is False and answers[-1].message.id == answers[3].message.id
    rows = await stored(seeded, conversation)
    assert [r[2] for r in rows[-len(new) :]] == [c.text for c in commands[:-1]]
    guest_seqs = [r[1] for r in rows[-len(new) :]]
    assert guest_seqs[7] is None  # the internal note does not advance the guest's numbering
    visible = [g for g in guest_seqs if g is not None]
    assert visible == list(range(visible[0], visible[0] + len(visible)))


@pytest.mark.parametrize("bad", ["too long", "no access", "database error"])
async def test_one_failing_message_in_a_batch_fails_alone_and_only_its_sender_hears(
    seeded: Any, bad: str
) -> None:
    ann, ann_conversation = await a_guest_with_a_conversation(seeded, "Ann")
    ben, ben_conversation = await a_guest_with_a_conversation(seeded, "Ben")
    good = [PostMessage(ann_conversation, ann, f"ann {i}", client_id=f"a{i}") for i in range(3)]
    good += [PostMessage(ben_conversation, ben, f"ben {i}", client_id=f"b{i}") for i in range(3)]
    if bad == "too long":
        failing = PostMessage(ann_conversation, ann, "x" * (MAX_MESSAGE_LENGTH + 1))
        expected: type[Exception] = InvalidInput
    elif bad == "no access":
        failing = PostMessage(ben_conversation, ann, "let me in")  # Ann writing into Ben's conversation
        expected = NotFound
    else:
        failing = PostMessage(ann_conversation, ann, "poison")
        expected = Conflict
        await poison(seeded, on=True)
    commands = [*good[:2], failing, *good[2:]]
    try:
        answers, _ = await together(seeded, *commands)
    finally:
        if bad == "database error":
            await poison(seeded, on=False)

    assert isinstance(answers[2], expected)
    rest = answers[:2] + answers[3:]
    assert all(isinstance(a, Posted) and a.created for a in rest)
    for conversation, who in ((ann_conversation, "ann"), (ben_conversation, "ben")):
        rows = await stored(seeded, conversation)
        assert [r[2] for r in rows if r[2].startswith(who)] == [f"{who} {i}" for i in range(3)]
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))  # no gap where the failure was
        assert "poison" not in [r[2] for r in rows] and "let me in" not in [r[2] for r in rows]
    async with seeded.storage.session() as s:
        events = await s.execute(text("SELECT count(*) FROM outbox WHERE event_type = 'MessagePosted'"))
        # Two greetings and two system notices from the starts, and the six good messages.
        assert events.scalar_one() == 2 * 2 + 6


async def poison(runtime: Any, *, on: bool) -> None:
    """A real database error on one row: a trigger that refuses the text 'poison'."""
    async with runtime.storage.session(write=True) as s:
        if runtime.storage.is_postgres:
            if on:
                await s.execute(
                    text(
                        "CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                        "IF NEW.text = 'poison' THEN RAISE EXCEPTION 'poisoned row' "
                        "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                    )
                )
                await s.execute(
                    text(
                        "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
                    )
                )
            else:
                await s.execute(text("DROP TRIGGER IF EXISTS refuse_poison ON messages"))
        elif on:
            await s.execute(
                text(
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages WHEN NEW.text = 'poison' "
                    "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
                )
            )
        else:
            await s.execute(text("DROP TRIGGER IF EXISTS refuse_poison"))


async def test_outbox_rows_born_claimed_get_their_own_events_ids_in_order(runtime: Any) -> None:
    """The batch's outbox rows are written in one statement; each claimed item keeps its own row's id."""
    from bot.events import ConversationRenamed

    alice = Actor("agent", "alice", "Alice")
    events = [ConversationRenamed(f"conversation-{i}", f"title {i}", alice) for i in range(40)]
    async with runtime.uow() as uow:
        uow.claim_outbox(60)
        for event in events:
            uow.record(event)
        await uow.commit()
    assert [item.event for item in uow.claimed] == events
    async with runtime.storage.session() as s:
        rows = dict(
            (
                await s.execute(
                    text("SELECT id, conversation_id FROM outbox WHERE event_type = 'ConversationRenamed'")
                )
            ).all()
        )
    assert {item.id: item.event.conversation_id for item in uow.claimed} == rows  # type: ignore[attr-defined]


async def test_one_read_tells_which_of_a_batch_s_readers_have_an_unread_mail_state(runtime: Any) -> None:
    from bot.model import DigestState

    async with runtime.uow() as uow:
        await uow.digests.save(DigestState("guest", "g1"))
        await uow.digests.save(DigestState("agent", "alice"))
        await uow.commit()
    async with runtime.uow(read_only=True) as uow:
        found = await uow.digests.existing(
            [("guest", "g1"), ("agent", "g1"), ("guest", "g2"), ("agent", "alice")]
        )
    assert found == {("guest", "g1"), ("agent", "alice")}


async def test_a_batch_under_load_goes_once_as_many_messages_as_last_time_are_queued(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wait for company ends early when the batch is as full as the last one: with the window made
    # a minute long, these three are written at once, in one transaction.
    import bot.batcher

    monkeypatch.setattr(bot.batcher, "MAX_WAIT", 60.0)
    guest, conversation = await a_guest_with_a_conversation(seeded, "Ann")
    seeded.batcher._last_size = 3  # the last batch held three: we are under load
    commands = [PostMessage(conversation, guest, f"m{i}", client_id=f"f{i}") for i in range(3)]
    before = seeded.batcher.batches
    first_two = [asyncio.create_task(seeded.bus.handle(c)) for c in commands[:2]]
    for _ in range(1000):  # a few turns of the loop: the writer then waits for company
        if seeded.batcher._filled is not None:
            break
        await asyncio.sleep(0)
    assert seeded.batcher._filled is not None
    third = await asyncio.wait_for(seeded.bus.handle(commands[2]), 10)  # the third completes the batch
    answers = [await t for t in first_two] + [third]
    assert [a.message.text for a in answers] == ["m0", "m1", "m2"]
    assert seeded.batcher.batches - before == 1


async def test_a_guest_s_next_message_by_service_goes_straight_to_a_batch_for_a_few_seconds(
    seeded: Any,
) -> None:
    # The widget writes "to sales" until the answer names the conversation: what the first message
    # found is kept, so the next ones need no look-up of their own and none of them waits for another.
    guest = (await seeded.bus.handle(RegisterGuest(name="Ann"))).guest
    first = await seeded.bus.handle(StartConversation(guest_id=guest.id, text="Hello", service="sales"))
    opened: list[bool] = []
    factory = seeded.batcher.uow_factory

    def counting(*, read_only: bool = False) -> Any:
        opened.append(read_only)
        return factory(read_only=read_only)

    seeded.batcher.uow_factory = counting
    again = await seeded.bus.handle(
        StartConversation(guest_id=guest.id, text="Still there?", service="sales")
    )
    assert again.conversation.id == first.conversation.id and again.message.text == "Still there?"
    assert again.message.author.name == "Ann"
    assert opened == [False]  # the batch's own transaction, no read-only look-up before it


def count_units_of_work(runtime: Any) -> list[bool]:
    """Every unit of work the batcher and the bus open from now on, read-only or not."""
    opened: list[bool] = []
    for owner in (runtime.batcher, runtime.bus):
        factory = owner.uow_factory

        def counting(*, read_only: bool = False, factory: Any = factory) -> Any:
            opened.append(read_only)
            return factory(read_only=read_only)

        owner.uow_factory = counting
    return opened


async def outbox_types(runtime: Any, conversation_id: str) -> list[str]:
    async with runtime.storage.session() as s:
        rows = await s.execute(
            text("SELECT event_type FROM outbox WHERE conversation_id = :c ORDER BY id"),
            {"c": conversation_id},
        )
        return [r[0] for r in rows]


async def test_guests_first_messages_open_their_conversations_together_in_one_transaction(
    seeded: Any,
) -> None:
    # Each guest's first message "to sales" opens a conversation: the notice first, then the message,
    # the guest's read marker on it, as when one guest writes alone; a start that is refused (no such
    # service) is its sender's answer only.
    ann, conversation = await a_guest_with_a_conversation(seeded, "Ann")
    guests = [(await seeded.bus.handle(RegisterGuest(name=f"Guest {i}"))).guest for i in range(5)]
    starts = [StartConversation(g.id, f"Hi from {g.name}", service="sales", client_id="s1") for g in guests]
    refused = StartConversation(guests[0].id, "Anyone?", service="nonexistent")
    units = count_units_of_work(seeded)
    answers, transactions = await together(
        seeded, *starts[:2], refused, PostMessage(conversation, ann, "more"), *starts[2:]
    )

    assert transactions == 1 and units == [False]  # one unit of work, no read-only look-up before it
    assert isinstance(answers[2], NotFound)
    opened = [a for i, a in enumerate(answers) if i not in (2, 3)]
    assert all(isinstance(a, Posted) and a.created for a in opened)
    assert answers[3].created and answers[3].message.text == "more"  # a plain message, written
    assert len({a.conversation.id for a in opened}) == 5
    for guest, answer in zip(guests, opened, strict=True):
        assert answer.conversation.guest_id == guest.id and answer.message.seq == 2
        assert await stored(seeded, answer.conversation.id) == [
            (1, 1, f"{guest.name} started a conversation with Sales.", None),
            (2, 2, f"Hi from {guest.name}", "s1"),
        ]
        assert await outbox_types(seeded, answer.conversation.id) == [
            "ConversationStarted",
            "MessagePosted",
            "MessagePosted",
        ]
        async with seeded.uow() as uow:
            saved = await uow.conversations.get(answer.conversation.id)
            members = await uow.conversations.members(answer.conversation.id)
        assert saved is not None and (saved.last_seq, saved.guest_seq) == (2, 2)
        assert [(m.kind, m.id, m.last_read_seq) for m in members] == [("guest", guest.id, 2)]


async def test_a_guest_s_next_start_in_a_batch_continues_their_conversation_and_a_resend_returns_it(
    seeded: Any,
) -> None:
    guest = (await seeded.bus.handle(RegisterGuest(name="Ann"))).guest
    first = await seeded.bus.handle(StartConversation(guest.id, "Hello", service="sales", client_id="h"))
    seeded.batcher._recent.clear()  # a later visit: nothing remembered, the batch looks it up
    again, resent = await asyncio.gather(
        seeded.bus.handle(StartConversation(guest.id, "Still there?", service="sales", client_id="t")),
        seeded.bus.handle(StartConversation(guest.id, "Hello", service="sales", client_id="h")),
    )
    assert again.conversation.id == first.conversation.id and again.created is False
    assert resent.message.id == first.message.id and resent.created is False
    assert [r[2] for r in await stored(seeded, first.conversation.id)][1:] == ["Hello", "Still there?"]


async def test_a_database_error_in_a_batch_of_first_messages_fails_only_that_guest_s(seeded: Any) -> None:
    guests = [(await seeded.bus.handle(RegisterGuest(name=f"Guest {i}"))).guest for i in range(3)]
    texts = ["Hello", "poison", "Good day"]
    await poison(seeded, on=True)
    try:
        answers, _ = await together(
            seeded, *(StartConversation(g.id, t, service="sales") for g, t in zip(guests, texts, strict=True))
        )
    finally:
        await poison(seeded, on=False)
    assert isinstance(answers[1], Conflict)
    for answer, text_ in ((answers[0], "Hello"), (answers[2], "Good day")):
        assert isinstance(answer, Posted) and answer.created
        assert [r[2] for r in await stored(seeded, answer.conversation.id)][1:] == [text_]
    async with seeded.uow() as uow:  # the poisoned guest's conversation was rolled back with it
        assert await uow.conversations.find_for_guest(guests[1].id, service="sales") is None
