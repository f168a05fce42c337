"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when a server is given),
a runtime wired by the real ``bootstrap``, a driven clock, and an HTTP client on the real app."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.bootstrap import Runtime, bootstrap
from bot.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("CONVENE_TEST_POSTGRES_URL", "")


class DrivenClock:
    """Time that moves only when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when


def require_postgres() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if IN_CI:
        pytest.fail("CONVENE_TEST_POSTGRES_URL is not set in CI: the PostgreSQL suite must run there")
    pytest.skip("PostgreSQL suite: set CONVENE_TEST_POSTGRES_URL (see README, 'Tests') to run it")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating once and copying the file keeps a fresh database per test cheap."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"

    async def build() -> None:
        runtime = bootstrap(_settings(f"sqlite+aiosqlite:///{path}", folder), channels={}, calendars={})
        await runtime.storage.migrate()
        await runtime.storage.dispose()

    asyncio.run(build())
    return path


_PG_MIGRATED = False
_PG_URL: str | None = None


async def _private_database(url: str) -> str:
    """One database per test process, so parallel runs (and developers) never share tables."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    base = make_url(url)
    name = f"{base.database}_{os.getpid()}"
    engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


async def _reset_postgres(url: str, folder: Path) -> str:
    global _PG_MIGRATED, _PG_URL
    if _PG_URL is None:
        _PG_URL = await _private_database(url)
    url = _PG_URL
    runtime = bootstrap(_settings(url, folder), channels={}, calendars={})
    try:
        if not _PG_MIGRATED:
            await runtime.storage.migrate()
            _PG_MIGRATED = True
        async with runtime.storage.engine.begin() as conn:
            tables = (
                await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
                    )
                )
            ).scalars()
            await conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
    finally:
        await runtime.storage.dispose()
    return url


def _settings(url: str, folder: Path, **overrides: Any) -> Settings:
    base = Settings(
        database_url=url,
        secret_key="test-secret-key-test-secret-key-0123456789",
        data_dir=str(folder),
        public_url="http://convene.test",
        worker_poll_seconds=0.05,
        log_level="WARNING",
        inbound_smtp_port=0,  # tests that want the inbound mail server give it a free port
    )
    return replace(base, **overrides)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """Storage and engine tests run on both databases."""
    if request.param == "sqlite":
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = require_postgres()
        yield asyncio.run(_reset_postgres(url, tmp_path))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """For tests about a channel rather than the database: SQLite only."""
    path = tmp_path / "convene.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def clock() -> DrivenClock:
    return DrivenClock()


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(url: str, **overrides: Any) -> Settings:
        return _settings(url, tmp_path, **overrides)

    return make


@pytest.fixture
async def runtime(database_url: str, make_settings: Any, clock: DrivenClock) -> AsyncIterator[Runtime]:
    rt = bootstrap(make_settings(database_url, run_workers=False), clock=clock, calendars=None)
    yield rt
    await rt.storage.dispose()


@pytest.fixture
async def seeded(runtime: Runtime) -> Runtime:
    from bot.cli import demo

    await demo(runtime)
    return runtime
