"""Two processes on one PostgreSQL database: the one that delivers an event is not the one holding
the guest's socket, yet the guest sees it live (LISTEN/NOTIFY), once, large messages included."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import bootstrap
from bot.cli import demo
from bot.commands import PostMessage, RegisterGuest, StartConversation
from tests.conftest import _reset_postgres, require_postgres


class Socket:
    """Stands in for a browser's WebSocket held by the hub of the *other* process."""

    def __init__(self) -> None:
        self.closed = False
        self.frames: list[dict[str, Any]] = []
        self.arrived = asyncio.Condition()

    async def send_str(self, data: str) -> None:
        async with self.arrived:
            self.frames.append(json.loads(data))
            self.arrived.notify_all()

    async def wait_for(self, count: int) -> None:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.frames) >= count), 10)


@pytest.fixture
async def two_processes(tmp_path: Path, make_settings: Any, clock: Any) -> Any:
    url = await _reset_postgres(require_postgres(), tmp_path)
    one = bootstrap(make_settings(url, run_workers=False), clock=clock)
    two = bootstrap(make_settings(url, run_workers=False), clock=clock)
    await one.start_workers()
    await two.start_workers()
    await demo(one)
    yield one, two
    await one.stop()
    await two.stop()


async def test_a_guest_on_another_process_sees_messages_live(two_processes: Any) -> None:
    one, two = two_processes
    guest = (await one.bus.handle(RegisterGuest("Ann"))).guest
    posted = await one.bus.handle(StartConversation(guest.id, "hi", service="sales"))
    await one.dispatcher.dispatch_once()
    guest_socket, alice_socket = Socket(), Socket()
    two.channels["web"].hub.guests[guest.id].add(guest_socket)
    two.channels["web"].hub.agents["alice"].add(alice_socket)
    reply = "x" * 10_000  # longer than one NOTIFY can carry
    await one.bus.handle(PostMessage(posted.conversation.id, guest.actor, reply, client_id="big"))
    assert await one.dispatcher.dispatch_once() == 1  # process one delivers; process two holds the sockets
    await guest_socket.wait_for(1)
    await alice_socket.wait_for(1)
    assert [f["message"]["text"] for f in guest_socket.frames] == [reply]
    assert [f["message"]["text"] for f in alice_socket.frames] == [reply]
    assert not one.channels["web"].hub.guests.get(guest.id)  # nothing was held in process one
