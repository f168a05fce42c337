"""A Convene with its inbound SMTP server on a free loopback port and its outgoing mail caught by a local
aiosmtpd server, on both databases. Tests mail invitations in with ``aiosmtplib`` as a client would."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller

from bot.bootstrap import Runtime, bootstrap
from bot.cli import demo
from tests.integration.test_email import free_port

ASSISTANT = "assistant@mail.convene.test"


class Collect:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(message)  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class Mailroom:
    runtime: Runtime
    collect: Collect
    seen: int = 0
    sent: list[EmailMessage] = field(default_factory=list)

    async def send(self, message: EmailMessage, *, sender: str | None = None) -> None:
        """Mails ``message`` to Convene's inbound server, then lets the engine and the outbox finish."""
        await aiosmtplib.send(
            message,
            sender=sender,
            hostname="127.0.0.1",
            port=self.runtime.settings.inbound_smtp_port,
            start_tls=False,
            use_tls=False,
        )
        await self.settle()

    async def settle(self) -> None:
        while await self.runtime.jobs.run_due():
            pass
        while await self.runtime.dispatcher.dispatch_once():
            pass

    def new_mails(self) -> list[EmailMessage]:
        """Mail Convene sent since the last call."""
        fresh = self.collect.mails[self.seen :]
        self.seen = len(self.collect.mails)
        return fresh


@asynccontextmanager
async def open_mailroom(
    url: str, make_settings: Any, clock: Any, **overrides: Any
) -> AsyncIterator[Mailroom]:
    collect = Collect()
    controller = Controller(collect, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = make_settings(
        url,
        run_workers=False,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_tls="none",
        mail_from="Convene <convene@mail.convene.test>",
        inbound_smtp_port=free_port(),
        **overrides,
    )
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    await runtime.start_workers()  # starts the channels: the inbound server among them
    room = Mailroom(runtime, collect)
    await room.settle()
    room.new_mails()  # the demo's sign-in links
    try:
        yield room
    finally:
        await runtime.stop()
        controller.stop()


@pytest.fixture
async def mailroom(database_url: str, make_settings: Any, clock: Any) -> AsyncIterator[Mailroom]:
    async with open_mailroom(database_url, make_settings, clock) as room:
        yield room


@pytest.fixture
async def dmarc_mailroom(sqlite_url: str, make_settings: Any, clock: Any) -> AsyncIterator[Mailroom]:
    """Behind a trusted relay: only mail with its ``dmarc=pass`` counts."""
    async with open_mailroom(
        sqlite_url, make_settings, clock, inbound_require_dmarc="mx.convene.test"
    ) as room:
        yield room
