# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""``convene calendars activate-microsoft`` and ``convene calendars sync`` as an administrator runs
them: ``main()`` with the settings in the environment, against the local Microsoft fakes. Each command
ends with its providers' HTTP sessions closed: no "Unclosed client session" error, no ResourceWarning.

``main()`` runs its own event loop (``asyncio.run``), so it runs in a worker thread while the fake
servers keep answering on the test's loop.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    provider_settings,
)
from tests.integration.providers.fake_google import FakeGoogle
from tests.integration.providers.fake_microsoft import FakeAuthority, FakeGraph


@pytest.fixture
def environment(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_google: FakeGoogle,
    fake_authority: FakeAuthority,
    fake_graph: FakeGraph,
) -> None:
    values = provider_settings(fake_google, fake_authority, fake_graph)
    values.update(values.pop("extra"))
    values.update(database_url=sqlite_url, data_dir=str(tmp_path / "var"), public_url="http://convene.test")
    monkeypatch.setenv("CONVENE_CONFIG", str(tmp_path / "absent.toml"))
    for name, value in values.items():
        monkeypatch.setenv(f"CONVENE_{name.upper()}", str(value))


@pytest.mark.parametrize(
    "command",
    [["calendars", "activate-microsoft", "alice@example.com"], ["calendars", "sync"]],
)
async def test_a_calendar_command_closes_its_http_sessions(
    environment: None, fake_graph: FakeGraph, command: list[str], caplog: Any
) -> None:
    fake_graph.users["alice@example.com"] = "user-alice"
    fake_graph.mailbox_settings["user-alice"] = {"timeZone": "UTC"}
    assert await asyncio.to_thread(main, ["demo"]) == 0
    assert await asyncio.to_thread(main, ["calendars", "activate-microsoft", "alice@example.com"]) == 0
    gc.collect()  # what earlier tests left behind is theirs, not this command's
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.ERROR):
        warnings.simplefilter("always", ResourceWarning)
        assert await asyncio.to_thread(main, command) == 0
        gc.collect()  # a session nobody closed complains when it is collected
    assert fake_graph.seen("GET", "/v1.0/users/")  # the command did talk to Graph
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning) or "Unclosed" in str(w.message)]
    assert not leaks, [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in leaks]
