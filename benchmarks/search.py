"""Inbox search at size: 100,000 messages in 5,000 conversations, one-word searches by one agent.

The messages go in through the ``messages`` table, so the index is kept by the database itself
(SQLite: FTS5 triggers; PostgreSQL: the generated ``tsvector`` column, GIN). Each search runs the
engine's whole path (``bot.search.find``: the agent's services, the query with the access rule, the
highlight). The floor is a plain indexed lookup in the same run: one conversation's last 50 messages.

Run: ``.venv/bin/python benchmarks/search.py`` (SQLite), and with
``CONVENE_BENCH_POSTGRES_URL=postgresql+asyncpg://…/db`` for PostgreSQL too (the database named there
is dropped and made again). Prints one JSON line (milliseconds) with each database's figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import search  # noqa: E402
from bot.bootstrap import bootstrap  # noqa: E402
from bot.commands import CreateAgent, CreateService  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.models import ConversationRow, GuestRow, MessageRow  # noqa: E402

CONVERSATIONS, PER_CONVERSATION, WORDS_PER_MESSAGE, VOCABULARY, REPS = 5_000, 20, 8, 3_000, 200
START = datetime(2026, 1, 1, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return START + timedelta(days=60)


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(VOCABULARY * 2)}
    return sorted(words)[:VOCABULARY]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def fill(runtime: Any, words: list[str], rng: random.Random) -> list[str]:
    await runtime.bus.handle(CreateService("sales", "Sales"))
    await runtime.bus.handle(CreateService("support", "Support"))
    await runtime.bus.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    await runtime.bus.handle(CreateAgent("carol", "Carol", "carol@example.com", services=("support",)))
    ids = [str(uuid.uuid4()) for _ in range(CONVERSATIONS)]
    async with runtime.storage.session(write=True) as s:
        await s.execute(
            insert(GuestRow),
            [
                {"id": i, "name": f"Guest {n}", "email": f"g{n}@example.org", "created_at": START}
                for n, i in enumerate(ids)
            ],
        )
        await s.execute(
            insert(ConversationRow),
            [
                {
                    "id": i,
                    "guest_id": i,
                    "service": "sales" if n % 2 else "support",
                    "last_seq": PER_CONVERSATION,
                    "created_at": START,
                    "last_message_at": START + timedelta(minutes=n),
                }
                for n, i in enumerate(ids)
            ],
        )
    rows = []
    for n, cid in enumerate(ids):
        for seq in range(1, PER_CONVERSATION + 1):
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "conversation_id": cid,
                    "seq": seq,
                    "author_kind": "guest",
                    "author_id": cid,
                    "author_name": f"Guest {n}",
                    "text": " ".join(rng.choice(words) for _ in range(WORDS_PER_MESSAGE)).capitalize() + ".",
                    "internal": False,
                    "created_at": START + timedelta(minutes=n, seconds=seq),
                    "guest_seq": seq,
                }
            )
    for chunk in range(0, len(rows), 5_000):
        async with runtime.storage.session(write=True) as s:
            await s.execute(insert(MessageRow), rows[chunk : chunk + 5_000])
    return ids


async def measure(url: str, folder: str) -> dict[str, Any]:
    settings = Settings(database_url=url, data_dir=folder, secret_key="bench", log_level="WARNING")
    runtime = bootstrap(settings, clock=FixedClock(), channels={}, calendars={})
    await runtime.storage.migrate()
    rng = random.Random(7)
    words = vocabulary(rng)
    started = time.perf_counter()
    ids = await fill(runtime, words, rng)
    await runtime.storage.index_for_search()  # what a serving process does a moment after each write
    filled = time.perf_counter() - started
    if runtime.storage.is_postgres:
        async with runtime.storage.session(write=True) as s:
            await s.execute(text("ANALYZE"))
    searches, lookups, hits = [], [], []
    for _ in range(REPS):
        word = rng.choice(words)
        t = time.perf_counter()
        async with runtime.uow(read_only=True) as uow:
            found = await search.find(uow, "alice", word)
        searches.append((time.perf_counter() - t) * 1000)
        hits.append(len(found))
        cid = rng.choice(ids)
        t = time.perf_counter()
        async with runtime.uow(read_only=True) as uow:
            await uow.messages.list(cid, after_seq=0, limit=50)
        lookups.append((time.perf_counter() - t) * 1000)
    await runtime.storage.dispose()
    return {
        "search_p50_ms": round(statistics.median(searches), 2),
        "search_p95_ms": round(percentile(searches, 0.95), 2),
        "lookup_p50_ms": round(statistics.median(lookups), 2),
        "lookup_p95_ms": round(percentile(lookups, 0.95), 2),
        "hits_per_search_p50": statistics.median(hits),
        "fill_s": round(filled, 1),
        "goal_p95_under_50_ms": percentile(searches, 0.95) < 50,
    }


async def fresh_postgres(url: str) -> str:
    base = make_url(url)
    engine = create_async_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}"'))
            await conn.execute(text(f'CREATE DATABASE "{base.database}"'))
    finally:
        await engine.dispose()
    return url


async def main() -> None:
    folder = tempfile.mkdtemp(prefix="convene-bench-search-")
    result: dict[str, Any] = {
        "benchmark": "search",
        "messages": CONVERSATIONS * PER_CONVERSATION,
        "conversations": CONVERSATIONS,
        "searches": REPS,
        "sqlite": await measure(f"sqlite+aiosqlite:///{folder}/bench.db", folder),
    }
    postgres = os.environ.get("CONVENE_BENCH_POSTGRES_URL")
    if postgres:
        result["postgresql"] = await measure(await fresh_postgres(postgres), folder)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
