"""``convene calendars activate-google`` as an administrator runs it: ``main()`` with the service
account's key file in the environment, against the local fake Google. Agents are matched by primary
email; one whose delegation the admin did not allow is skipped with Google's reason; the command (and
a sync round after it) ends with no HTTP session left open.

``main()`` runs its own event loop (``asyncio.run``), so it runs in a worker thread while the fake
keeps answering on the test's loop.
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

from .fake_google import FakeGoogle
from .workspace_keys import key_json, new_key_pair, trust


@pytest.fixture
def environment(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_google: FakeGoogle
) -> None:
    private, public = new_key_pair()
    trust(fake_google, public, "alice@example.com", "bob@example.com")
    fake_google.delegation_refused.add("bob@example.com")
    key_path = tmp_path / "service-account.json"
    key_path.write_text(key_json(private, fake_google), encoding="utf-8")
    values = {
        "google_api_url": fake_google.base_url,
        "google_token_url": f"{fake_google.base_url}/token",
        "google_service_account_file": str(key_path),
        "calendar_retry_base_seconds": 0.001,
        "database_url": sqlite_url,
        "data_dir": str(tmp_path / "var"),
        "public_url": "http://convene.test",
    }
    monkeypatch.setenv("CONVENE_CONFIG", str(tmp_path / "absent.toml"))
    for name, value in values.items():
        monkeypatch.setenv(f"CONVENE_{name.upper()}", str(value))


async def test_activate_google_connects_the_delegated_agents_and_names_the_skipped_with_the_reason(
    environment: None, fake_google: FakeGoogle, capsys: pytest.CaptureFixture[str], caplog: Any
) -> None:
    fake_google.user_settings["alice@example.com"] = {"timezone": "America/New_York"}
    assert await asyncio.to_thread(main, ["demo"]) == 0
    capsys.readouterr()
    gc.collect()  # what earlier tests left behind is theirs, not this command's
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.ERROR):
        warnings.simplefilter("always", ResourceWarning)
        code = await asyncio.to_thread(
            main, ["calendars", "activate-google", "alice@example.com", "bob@example.com"]
        )
        printed = capsys.readouterr().out
        assert await asyncio.to_thread(main, ["calendars", "sync"]) == 0
        gc.collect()  # a session nobody closed complains when it is collected

    assert code == 1  # not everyone could be activated
    lines = printed.splitlines()
    assert "ok  alice@example.com: connected through domain-wide delegation" in lines
    assert any(line.startswith("NO  bob@example.com:") and "unauthorized_client" in line for line in lines)
    assert [g["sub"] for g in fake_google.jwt_grants][:1] == ["alice@example.com"]
    # the sync round read alice's calendar through delegation, and nobody else's
    reads = [r for r in fake_google.requests if "/calendar/v3/calendars/" in r.path]
    assert reads
    users = {fake_google.delegated_tokens[r.headers["Authorization"].removeprefix("Bearer ")] for r in reads}
    assert users == {"alice@example.com"}
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning) or "Unclosed" in str(w.message)]
    assert not leaks, [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in leaks]
    # the sync round took alice's time zone from Google; her working hours (Google gives none) and
    # bob (not activated) keep what they had
    zones = await asyncio.to_thread(_agents)
    assert zones["alice"][0] == "America/New_York"
    assert zones["alice"][1] == zones["bob"][1]
    assert zones["bob"][0] == "Europe/Berlin"


def _agents() -> dict[str, tuple[str, Any]]:
    from bot.bootstrap import with_runtime

    found: dict[str, tuple[str, Any]] = {}

    async def work(runtime: Any) -> int:
        async with runtime.uow(read_only=True) as read:
            for agent in await read.agents.list():
                found[agent.slug] = (agent.timezone, (agent.settings or {}).get("working_hours"))
        return 0

    asyncio.run(with_runtime(work))
    return found


async def test_activate_google_without_a_key_says_what_to_set(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_google: FakeGoogle,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CONVENE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CONVENE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CONVENE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CONVENE_GOOGLE_CLIENT_ID", fake_google.client_id)
    monkeypatch.setenv("CONVENE_GOOGLE_CLIENT_SECRET", fake_google.client_secret)

    assert await asyncio.to_thread(main, ["calendars", "activate-google"]) == 1

    assert "CONVENE_GOOGLE_SERVICE_ACCOUNT_FILE" in capsys.readouterr().err
