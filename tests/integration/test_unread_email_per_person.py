"""Unread-message emails per person, across conversations, over the HTTP API on SQLite and PostgreSQL,
read back from the ``.eml`` files Convene writes: one batch lists every conversation with its link,
reading one conversation of three keeps the count, reading all resets it, and the signed
``List-Unsubscribe`` link turns the emails off. A driven clock, no sleeps.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.bootstrap import Runtime
from bot.commands import IssueAgentToken
from tests.integration.test_email import tick


@pytest.fixture
async def client(seeded: Runtime) -> AsyncIterator[Any]:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


def unread_mails(runtime: Runtime, address: str) -> list[EmailMessage]:
    folder = Path(runtime.settings.data_dir) / "outbox"
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("digest-*.eml"))
    ]
    return [m for m in mails if address in str(m["To"])]  # type: ignore[misc]


async def guest(client: Any, name: str) -> dict[str, str]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": f"{name.lower()}@example.org"})
    assert r.status == 201
    return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def run_until(client: Any, minute: int) -> None:
    """Jumps the clock from one due job to the next, up to ``minute`` after the start, as workers would."""
    runtime, clock = client.runtime, client.runtime.clock
    end = client.start + timedelta(minutes=minute)
    while True:
        due = await runtime.storage.jobs.next_due()
        clock.set(min(due, end) if due is not None and due > clock.now() else end)
        await tick(runtime)
        if clock.now() >= end:
            return


async def test_one_person_gets_one_batch_for_all_conversations_and_can_turn_it_off(client: Any) -> None:
    runtime = client.runtime
    client.start = runtime.clock.now()
    alice = {"Authorization": f"Bearer {await runtime.bus.handle(IssueAgentToken('alice@example.com'))}"}
    guests = {name: await guest(client, name) for name in ("Ann", "Ben", "Cleo")}
    ids: dict[str, str] = {}

    async def write(name: str, to: dict[str, str]) -> None:
        r = await client.post(
            "/api/guest/conversations", json={**to, "text": f"from {name}"}, headers=guests[name]
        )
        assert r.status in (200, 201)
        ids[name] = (await r.json())["conversation"]["id"]

    async def read(name: str) -> None:
        r = await client.post(
            f"/api/agent/conversations/{ids[name]}/read", json={"seq": 10_000}, headers=alice
        )
        assert r.status == 200

    await write("Ann", {"agent": "alice"})
    await write("Ben", {"agent": "alice"})
    runtime.clock.advance(minutes=1)
    await write("Cleo", {"service": "sales"})  # Sales as a whole: Alice and Bob
    await run_until(client, 6)
    (first,) = unread_mails(runtime, "alice@example.com")
    plain = first.get_body(("plain",)).get_content()
    assert first["Subject"] == "3 new messages in 3 conversations"
    for name in ("Ann", "Ben", "Cleo"):
        assert f"== {name} ==" in plain and f"http://convene.test/inbox/c/{ids[name]}" in plain
        assert f"from {name}" in plain
    (to_bob,) = unread_mails(runtime, "bob@example.com")
    assert "from Cleo" in to_bob.get_body(("plain",)).get_content() and "Ann" not in str(to_bob["Subject"])

    await run_until(client, 60)
    await read("Ann")  # Ben's and Cleo's stay unread: no reset
    runtime.clock.advance(minutes=1)
    await write("Ann", {"agent": "alice"})
    await run_until(client, 240)
    assert len(unread_mails(runtime, "alice@example.com")) == 1  # 4 hours after the first, not before
    await run_until(client, 245)
    assert len(unread_mails(runtime, "alice@example.com")) == 2
    for name in ("Ann", "Ben", "Cleo"):
        await read(name)  # everything read: the timer resets
    await run_until(client, 300)
    await write("Cleo", {"service": "sales"})
    await run_until(client, 305)
    mails = unread_mails(runtime, "alice@example.com")
    assert len(mails) == 3 and mails[-1]["Subject"] == "1 new message in Cleo"

    link = str(mails[-1]["List-Unsubscribe"]).strip("<>")
    assert mails[-1]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = urlsplit(link).path + "?" + urlsplit(link).query
    assert (await client.get(path)).status == 200  # a page that asks first
    forged = (await client.post(path.replace("sig=", "sig=0"))).status
    assert forged == 400
    assert (await client.post(path, data={"List-Unsubscribe": "One-Click"})).status == 200
    await write("Ben", {"agent": "alice"})
    await run_until(client, 3 * 1440)
    assert len(unread_mails(runtime, "alice@example.com")) == 3  # turned off, and it stays off
