"""``uow.digests`` reads the unread-email states of a batch's people in one statement, and remembers
who has none until it saves one for them (the read hook then asks nothing of those the message hook
looked up): on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.model import DigestState


async def test_one_read_returns_the_states_of_those_who_have_one(runtime: Any) -> None:
    async with runtime.uow() as uow:
        await uow.digests.save(DigestState("guest", "g1", conversations={"c1": 3}))
        await uow.digests.save(DigestState("agent", "alice", unsubscribed=True))
        await uow.commit()
    async with runtime.uow(read_only=True) as uow:
        found = await uow.digests.get_many(
            [("guest", "g1"), ("agent", "g1"), ("agent", "alice"), ("guest", "g2")]
        )
        assert found == {
            ("guest", "g1"): await uow.digests.get("guest", "g1"),
            ("agent", "alice"): await uow.digests.get("agent", "alice"),
        }
    assert found[("guest", "g1")].conversations == {"c1": 3}
    assert found[("agent", "alice")].unsubscribed


async def test_people_found_without_a_state_are_not_asked_about_again_until_one_is_saved(
    runtime: Any,
) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "unread_emails" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = runtime.storage.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with runtime.uow() as uow:
            assert await uow.digests.get_many([("guest", "g1"), ("agent", "bob")]) == {}
            assert await uow.digests.get_many([("guest", "g1")]) == {}
            assert len(statements) == 1
            await uow.digests.save(DigestState("guest", "g1", conversations={"c1": 1}))
            found = await uow.digests.get_many([("guest", "g1"), ("agent", "bob")])
            assert list(found) == [("guest", "g1")]
            assert len(statements) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
