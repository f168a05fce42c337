"""SQLite indexes a message for search a moment after writing it, in a thread (storage/search_index.py):
a search finds it before and after, exactly once; an edit or delete on either side of the indexing
leaves the index whole; the serving runtime indexes by itself; a backlog goes round after round;
migration 0025 goes down and up again with every message searchable."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, text, update

from bot.bootstrap import bootstrap
from bot.cli import demo
from bot.commands import PostMessage, RegisterGuest, StartConversation
from bot.model import Actor, Conversation, Guest, Message
from storage import search_index
from storage.migrate import alembic_config
from storage.models import MessageRow
from tests.integration.test_search_storage import AT, seed, shape


@pytest.fixture
async def runtime(sqlite_url: str, make_settings: Any) -> Any:
    rt = bootstrap(make_settings(sqlite_url, run_workers=False), calendars={})
    yield rt
    await rt.storage.dispose()


def file_of(runtime: Any) -> str:
    return str(runtime.storage.url.split("///", 1)[-1])


def counts(runtime: Any) -> tuple[int, int]:
    """(messages still noted, messages in the full-text index)"""
    with sqlite3.connect(file_of(runtime)) as db:
        noted = db.execute("SELECT count(*) FROM messages_unindexed").fetchone()[0]
        indexed = db.execute("SELECT count(*) FROM messages_fts_docsize").fetchone()[0]
    return noted, indexed


def index_is_whole(runtime: Any) -> None:
    """FTS5's own check of an external-content index against its table: it raises if they differ (so
    only once nothing is noted: a noted message is in the table and not yet in the index)."""
    with sqlite3.connect(file_of(runtime)) as db:
        db.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")


async def find(runtime: Any, *terms: str) -> list[tuple[str, str, str | None]]:
    async with runtime.uow(read_only=True) as uow:
        return shape(await uow.search.search(list(terms), "carol", ["sales", "support"]))


async def test_a_new_message_is_found_before_and_after_it_is_indexed_and_only_once(runtime: Any) -> None:
    async with runtime.uow() as uow:
        await seed(uow)
    assert counts(runtime) == (3, 0)  # the writes only noted them
    before = await find(runtime, "lighthouse")
    assert before == [("message", "Ann", "m-Ann"), ("message", "Ben", "m-Ben"), ("message", "Cy", "m-Cy")]
    assert await runtime.storage.index_for_search() == 3
    assert counts(runtime) == (0, 3)
    assert await find(runtime, "lighthouse") == before
    assert await find(runtime, "lightho", "tou") == before  # word prefixes, every term
    index_is_whole(runtime)


async def test_an_indexed_message_edited_or_deleted_is_found_as_it_is_now(runtime: Any) -> None:
    async with runtime.uow() as uow:
        await seed(uow)
    await runtime.storage.index_for_search()
    async with runtime.uow() as uow:
        await uow.session.execute(
            update(MessageRow).where(MessageRow.id == "m-Ann").values(text="canal cruise")
        )
        await uow.session.execute(delete(MessageRow).where(MessageRow.id == "m-Cy"))
        await uow.commit()
    assert counts(runtime) == (1, 1)  # the edited one is noted again; the index lost the old two
    assert await find(runtime, "lighthouse") == [("message", "Ben", "m-Ben")]
    assert await find(runtime, "canal") == [("message", "Ann", "m-Ann")]
    await runtime.storage.index_for_search()
    assert await find(runtime, "canal") == [("message", "Ann", "m-Ann")]
    assert await find(runtime, "lighthouse") == [("message", "Ben", "m-Ben")]
    index_is_whole(runtime)


async def test_a_message_edited_or_deleted_before_it_is_indexed_leaves_the_index_whole(runtime: Any) -> None:
    async with runtime.uow() as uow:
        await seed(uow)
    async with runtime.uow() as uow:
        await uow.session.execute(
            update(MessageRow).where(MessageRow.id == "m-Ann").values(text="canal cruise")
        )
        await uow.session.execute(delete(MessageRow).where(MessageRow.id == "m-Cy"))
        await uow.commit()
    assert counts(runtime) == (2, 0)  # the deleted one is no longer noted
    assert await runtime.storage.index_for_search() == 2
    index_is_whole(runtime)
    assert await find(runtime, "lighthouse") == [("message", "Ben", "m-Ben")]
    assert await find(runtime, "canal") == [("message", "Ann", "m-Ann")]
    assert await find(runtime, "cruise", "lighthouse") == []


async def test_accents_aside_a_word_is_found_the_same_before_and_after_indexing(runtime: Any) -> None:
    async with runtime.uow() as uow:
        guest = Guest(name="Zoë", email="zoe@mail.example")
        await uow.guests.add(guest)
        await uow.session.flush()
        conversation = Conversation(guest_id=guest.id, service="sales", created_at=AT, last_message_at=AT)
        await uow.conversations.add(conversation)
        actor = Actor("guest", guest.id, "Zoë")
        await uow.messages.add(Message(conversation.id, 1, actor, "Ein Café am Meer?", AT, id="m-Zoe"))
        await uow.commit()
    expected = [("message", "Zoë", "m-Zoe")]
    assert await find(runtime, "cafe") == await find(runtime, "CAFÉ") == expected
    await runtime.storage.index_for_search()
    assert await find(runtime, "cafe") == await find(runtime, "CAFÉ") == expected


async def test_the_serving_runtime_indexes_what_its_guests_write(
    tmp_path: Path, sqlite_template: Path, make_settings: Any
) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(sqlite_template.read_bytes())
    runtime = bootstrap(make_settings(f"sqlite+aiosqlite:///{path}"), calendars={})
    await demo(runtime)
    await runtime.start_workers()  # the storage's upkeep: checkpoints and the search index
    try:
        guest = (await runtime.bus.handle(RegisterGuest(name="Ann"))).guest
        posted = await runtime.bus.handle(StartConversation(guest_id=guest.id, text="hello", service="sales"))
        for i in range(30):
            await runtime.bus.handle(
                PostMessage(posted.conversation.id, guest.actor, f"harbour question {i}", client_id=f"c{i}")
            )
        async with asyncio.timeout(10):
            while counts(runtime)[0]:
                await asyncio.sleep(0.02)  # the indexer looks every tenth of a second, indexes within one
        async with runtime.uow(read_only=True) as uow:
            hits = await uow.search.search(["harbour"], "alice", ["sales"])
        assert len(hits) == 30
        index_is_whole(runtime)
    finally:
        await runtime.stop()


async def test_a_backlog_larger_than_one_round_is_indexed_round_after_round(
    runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "CHUNK", 4)
    async with runtime.uow() as uow:
        await seed(uow)
    async with runtime.storage.session(write=True) as s:  # six more, as another process would write them
        for n in range(6):
            await s.execute(
                text(
                    "INSERT INTO messages (id, conversation_id, seq, author_kind, author_id, author_name, text, "
                    "internal, created_at) SELECT :id, conversation_id, 10 + :n, 'guest', author_id, author_name, "
                    "'ferry timetable', 0, created_at FROM messages WHERE id = 'm-Ben'"
                ),
                {"id": f"m-{n}", "n": n},
            )
    rounds = []
    indexer = search_index.SearchIndexer(file_of(runtime), runtime.storage._write_lock.get)
    connection = await asyncio.to_thread(indexer.connect)
    try:
        while count := await indexer.catch_up(connection, search_index.CHUNK):
            rounds.append(count)
    finally:
        connection.close()
    assert rounds == [4, 4, 1]
    assert counts(runtime) == (0, 9)
    assert len(await find(runtime, "ferry")) == 6
    index_is_whole(runtime)


async def test_migration_0025_goes_down_and_up_with_every_message_searchable(runtime: Any) -> None:
    async with runtime.uow() as uow:
        await seed(uow)  # noted, not indexed
    config = alembic_config()

    def run(connection: Any, step: Any, revision: str) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    async with runtime.storage.engine.begin() as connection:  # down: what was noted is indexed at once
        await connection.run_sync(run, command.downgrade, "0014")
    with sqlite3.connect(file_of(runtime)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = db.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'lighthouse'"
        ).fetchone()
    assert "messages_unindexed" not in tables
    assert found == (3,)  # the code of that revision reads the index alone
    index_is_whole(runtime)
    async with runtime.storage.engine.begin() as connection:
        await connection.run_sync(run, command.upgrade, "heads")
    async with runtime.uow() as uow:
        await uow.session.execute(
            update(MessageRow).where(MessageRow.id == "m-Ann").values(text="canal cruise")
        )
        await uow.commit()
    assert counts(runtime) == (1, 2)
    assert await find(runtime, "canal") == [("message", "Ann", "m-Ann")]
    await runtime.storage.index_for_search()
    index_is_whole(runtime)  # (checked against the table: only once nothing is noted)
    assert await find(runtime, "canal") == [("message", "Ann", "m-Ann")]


@pytest.mark.parametrize(
    ("looks", "indexed_at"),
    [
        # (messages noted, seconds) at each look → the looks that index
        ([(0, 0.0), (3, 0.1), (40, 0.5), (90, 1.09)], []),  # a small backlog waits for company...
        ([(3, 0.1), (40, 0.5), (90, 1.1)], [2]),  # ...a second at most from when it was first seen
        ([(3, 0.1), (2_000, 0.2), (5, 0.3), (8, 1.2), (9, 1.3)], [1, 4]),  # a full round goes at once
        ([(3, 0.1), (0, 0.2), (4, 1.15), (4, 2.0)], []),  # indexed by another process: the wait starts over
    ],
)
def test_a_small_backlog_waits_up_to_a_second_for_company_and_a_large_one_goes_at_once(
    looks: list[tuple[int, float]], indexed_at: list[int]
) -> None:
    # A round costs ~4 ms of the write lock however few it indexes: rounds of 700 messages cost 11 us
    # each, of 2,000 5 us (storage/search_index.py). The indexer is driven by its clock here, no sleep.
    indexer = search_index.SearchIndexer("unused.db", asyncio.Lock)
    assert [i for i, (noted, now) in enumerate(looks) if indexer.due(noted, now)] == indexed_at
