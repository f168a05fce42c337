"""``convene rooms add | list | remove`` as an operator runs it, and the rooms the dialog is offered."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.cli import main
from tests.integration.meetings_support import agent


def cli(runtime: Any, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    settings = runtime.settings
    for name, value in [
        ("DATABASE_URL", settings.database_url),
        ("DATA_DIR", settings.data_dir),
        ("SECRET_KEY", settings.secret_key),
        ("PUBLIC_URL", settings.public_url),
        ("LOG_LEVEL", "WARNING"),
    ]:
        monkeypatch.setenv(f"CONVENE_{name}", value)
    return main(list(argv))


async def test_rooms_are_added_listed_offered_to_the_dialog_and_removed(
    seeded: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = asyncio.to_thread
    assert (
        await run(
            cli,
            seeded,
            monkeypatch,
            "rooms",
            "add",
            "Oslo",
            "--email",
            "oslo@rooms.example.com",
            "--capacity",
            "8",
        )
        == 0
    )
    assert (
        await run(
            cli,
            seeded,
            monkeypatch,
            "rooms",
            "add",
            "Rome",
            "--email",
            "rome@rooms.example.com",
            "--pool",
            "small",
        )
        == 0
    )
    assert (
        await run(cli, seeded, monkeypatch, "rooms", "add", "Oslo", "--email", "other@rooms.example.com") == 1
    )
    assert await run(cli, seeded, monkeypatch, "rooms", "add", "Nice", "--email", "not-an-address") == 1
    capsys.readouterr()
    assert await run(cli, seeded, monkeypatch, "rooms", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "Oslo\toslo@rooms.example.com\t8\t-",
        "Rome\trome@rooms.example.com\t-\tsmall",
    ]
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as client:
        listed = await (await client.get("/api/agent/rooms", headers=await agent(seeded, "alice"))).json()
    assert [r["name"] for r in listed["rooms"]] == ["Oslo", "Rome"] and listed["pools"] == ["small"]
    assert await run(cli, seeded, monkeypatch, "rooms", "remove", "rome@rooms.example.com") == 0
    assert await run(cli, seeded, monkeypatch, "rooms", "remove", "Atlantis") == 1
    capsys.readouterr()
    assert await run(cli, seeded, monkeypatch, "rooms", "list") == 0
    assert capsys.readouterr().out.splitlines() == ["Oslo\toslo@rooms.example.com\t8\t-"]


async def test_a_room_added_with_a_google_resource_calendar_keeps_it(
    seeded: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resource = "c_188oslo@resource.calendar.google.com"
    argv = ["rooms", "add", "Oslo", "--email", "oslo@rooms.example.com", "--provider", "google"]
    assert await asyncio.to_thread(cli, seeded, monkeypatch, *argv, "--calendar-id", resource) == 0
    assert "added Oslo <oslo@rooms.example.com> (google calendar)" in capsys.readouterr().out
    async with seeded.uow(read_only=True) as uow:
        [room] = await uow.invitations.rooms()
    assert (room.provider, room.calendar_id) == ("google", resource)
    bad = ["rooms", "add", "Rome", "--email", "rome@rooms.example.com", "--calendar-id", resource]
    assert await asyncio.to_thread(cli, seeded, monkeypatch, *bad) == 1  # only a Google room names one
    assert "Only a Google room names a resource calendar" in capsys.readouterr().err
