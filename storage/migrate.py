"""Alembic, run programmatically on the service's own async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE / "migrations"))
    return config


async def migrate(engine: AsyncEngine, revision: str = "heads") -> None:
    config = alembic_config()

    def upgrade(connection: object) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
