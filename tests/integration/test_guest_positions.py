"""A guest's numbering (only the messages they see) turned into everyone's and back, on both databases.

The two reads walk the conversation's ``seq`` index backwards (migration 0027 dropped the index of guest
numbers): they must give what counting the visible messages gives, with internal notes anywhere, and
SQLite must answer them from that index without sorting.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import event, inspect

from bot.commands import PostMessage, StartConversation
from bot.model import Actor
from storage.migrate import alembic_config
from tests.support.identity import proven_guest

ALICE = Actor("agent", "alice", "Alice")


async def _conversation(seeded: Any) -> tuple[str, list[tuple[int, int | None]]]:
    """Ann's conversation with notes before, between and after her messages; (seq, guest_seq) of each."""
    ann = await proven_guest(seeded, "Ann", "ann@example.org")
    cid = (await seeded.bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation.id
    script = [
        (ALICE, "VIP", True),
        (ALICE, "Hello Ann", False),
        (ALICE, "upsell", True),
        (ALICE, "again", True),
    ]
    script += [
        (Actor("guest", ann.id, "Ann"), "Thanks", False),
        (ALICE, "Anything else?", False),
        (ALICE, "done", True),
    ]
    for author, words, internal in script:
        await seeded.bus.handle(PostMessage(cid, author, words, internal=internal))
    async with seeded.uow() as uow:
        listed = await uow.messages.list(cid)
    return cid, [(m.seq, m.guest_seq) for m in listed]


async def test_a_guest_position_counts_the_visible_messages_up_to_any_seq(seeded: Any) -> None:
    cid, numbers = await _conversation(seeded)
    assert [g for _, g in numbers] == [1, 2, None, 3, None, None, 4, 5, None]  # 2: the welcome
    async with seeded.uow() as uow:
        for seq in range(0, len(numbers) + 2):
            seen = sum(1 for s, g in numbers if s <= seq and g is not None)
            assert await uow.messages.guest_position(cid, seq) == seen, seq


async def test_a_guest_s_nth_message_has_the_seq_of_the_last_visible_one_at_that_count(seeded: Any) -> None:
    cid, numbers = await _conversation(seeded)
    async with seeded.uow() as uow:
        for position in range(-1, 7):
            expected = max((s for s, g in numbers if g is not None and g <= position), default=0)
            assert await uow.messages.seq_at_guest_position(cid, position) == expected, position


async def test_no_index_of_guest_numbers_is_kept_after_the_migrations(runtime: Any) -> None:
    """Each message written would pay for an entry in it (issue 17); the reads above do without."""
    async with runtime.storage.engine.connect() as connection:
        indexes = await connection.run_sync(lambda c: inspect(c).get_indexes("messages"))
    assert not [i["name"] for i in indexes if "guest_seq" in i["column_names"]]


async def test_the_migration_goes_down_and_up_again_with_the_answers_unchanged(seeded: Any) -> None:
    cid, numbers = await _conversation(seeded)
    config = alembic_config()

    def run(connection: Any, step: Any, revision: str) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    async def guest_indexes() -> list[str]:
        async with seeded.storage.engine.connect() as connection:
            found = await connection.run_sync(lambda c: inspect(c).get_indexes("messages"))
        return [i["name"] for i in found if "guest_seq" in i["column_names"]]

    async with seeded.storage.engine.begin() as connection:
        await connection.run_sync(run, command.downgrade, "0027-1")
    assert await guest_indexes() == ["ix_messages_guest_seq"]
    async with seeded.storage.engine.begin() as connection:
        await connection.run_sync(run, command.upgrade, "heads")
    assert await guest_indexes() == []
    async with seeded.uow() as uow:
        assert await uow.messages.seq_at_guest_position(cid, 3) == 4 == [s for s, g in numbers if g == 3][0]


async def test_sqlite_answers_both_from_the_seq_index_without_sorting(seeded: Any) -> None:
    if seeded.storage.is_postgres:
        return  # the plan below is SQLite's; PostgreSQL's answers are checked above
    cid, _ = await _conversation(seeded)
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "messages.guest_seq" in statement:
            sent.append((statement, parameters))

    engine = seeded.storage.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with seeded.uow() as uow:
            await uow.messages.guest_position(cid, 3)
            await uow.messages.seq_at_guest_position(cid, 2)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(sent) == 2
    async with seeded.storage.engine.connect() as connection:
        for statement, parameters in sent:
            rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = " ".join(str(r[-1]) for r in rows)
            assert "USING INDEX sqlite_autoindex_messages" in plan and "TEMP B-TREE" not in plan, plan
