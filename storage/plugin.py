"""The ``convene.storage`` entry point: a Storage for the configured database URL."""

from __future__ import annotations

from typing import Any

import storage.extensions  # noqa: F401 - registers extra repositories
from storage.migrate import migrate
from storage.unit_of_work import Storage


class SqlStorage(Storage):
    async def migrate(self) -> None:
        await migrate(self.engine)


def plugin(config: dict[str, Any]) -> SqlStorage:
    return SqlStorage(config["database_url"], config["clock"])
