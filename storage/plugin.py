"""The ``convene.storage`` entry point: a Storage for the configured database URL."""

from __future__ import annotations

from typing import Any

from storage.calendar_connections import attach_cipher
from storage.migrate import migrate
from storage.unit_of_work import Storage


class SqlStorage(Storage):
    async def migrate(self) -> None:
        await migrate(self.engine)


def plugin(config: dict[str, Any]) -> SqlStorage:
    storage = SqlStorage(config["database_url"], config["clock"])
    attach_cipher(storage, str(config.get("secret_key") or ""))  # calendar grants are encrypted at rest
    return storage
