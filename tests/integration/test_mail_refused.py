"""An SMTP server that refuses the recipient for good (5xx) ends the mail as a dead letter after five
attempts; a temporary refusal (4xx, greylisting) is retried like a network error."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from adapters.email.channel import EmailChannel
from bot.bootstrap import bootstrap
from bot.commands import CreateAgent, IssueAgentToken
from bot.outbox import OutboxDispatcher


class Refusing:
    """Accepts nobody: 550 for unknown users, 450 for a greylisted one."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        return "450 4.2.0 Greylisted, try again later"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def runtime(sqlite_url: str, make_settings: Any, clock: Any) -> AsyncIterator[Any]:
    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = make_settings(sqlite_url, run_workers=False, smtp_host="127.0.0.1", smtp_tls="none")
    rt = bootstrap(settings, clock=clock, channels={})
    rt.dispatcher.channels["email"] = EmailChannel({**rt.config, "smtp_port": controller.port})
    try:
        yield rt
    finally:
        await rt.storage.dispose()
        controller.stop()


async def sign_in_mail_to(runtime: Any, address: str) -> int:
    await runtime.bus.handle(CreateAgent("alice", "Alice", address))
    await runtime.bus.handle(IssueAgentToken(address, kind="login"))
    async with runtime.storage.session() as s:
        return int((await s.execute(text("SELECT max(id) FROM outbox"))).scalar_one())


async def attempts_until_quiet(runtime: Any, dispatcher: OutboxDispatcher, rounds: int) -> None:
    for _ in range(rounds):
        await dispatcher.dispatch_once()
        runtime.clock.advance(hours=1)


@pytest.mark.parametrize(
    "address, dead, error",
    [
        ("nobody@example.org", 1, "PermanentDeliveryError: SMTP refused every recipient"),
        ("later@example.org", 0, "SMTPRecipientsRefused"),
    ],
)
async def test_a_recipient_refused_for_good_is_a_dead_letter_and_a_greylisted_one_is_retried(
    runtime: Any, address: str, dead: int, error: str
) -> None:
    item_id = await sign_in_mail_to(runtime, address)
    await attempts_until_quiet(runtime, runtime.dispatcher, 7)
    assert await runtime.storage.outbox.dead_count() == dead
    async with runtime.storage.session() as s:
        attempts, last_error = (
            await s.execute(text("SELECT attempts, last_error FROM outbox WHERE id = :id"), {"id": item_id})
        ).one()
    assert attempts == (5 if dead else 7)
    assert error in last_error
