"""A notice whose delivery fails for good stops after five attempts and waits as a dead letter (logged
once, counted in /metrics, listed and retried from the CLI); a network error is retried without end.
Both databases; the clock is driven, nothing sleeps."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from adapters.web.app import make_app
from bot.cli import main
from bot.commands import CreateAgent, IssueAgentToken, PostMessage, RegisterGuest, StartConversation
from bot.delivery_failures import PermanentDeliveryError, is_permanent
from bot.model import Actor, Binding
from bot.outbox import OutboxDispatcher


class Mailbox:
    """The ``email`` channel port, answering as the test says."""

    name = "email"

    def __init__(self, failure: Exception | None) -> None:
        self.failure = failure
        self.calls = 0
        self.delivered: list[str] = []

    async def deliver(self, event: Any, binding: Any) -> None:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        self.delivered.append(event.email)


async def one_login_mail(runtime: Any) -> int:
    await runtime.bus.handle(CreateAgent("alice", "Alice", "alice@example.com"))
    await runtime.bus.handle(IssueAgentToken("alice@example.com", kind="login"))
    async with runtime.storage.session() as s:
        return int((await s.execute(text("SELECT id FROM outbox"))).scalar_one())


async def row(runtime: Any, item_id: int) -> Any:
    async with runtime.storage.session() as s:
        return (
            await s.execute(
                text("SELECT attempts, failed_at, dispatched_at, last_error FROM outbox WHERE id = :id"),
                {"id": item_id},
            )
        ).one()


def cli(runtime: Any, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    """``convene …`` as an operator runs it: settings from the environment, its own event loop."""
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


async def test_a_permanently_failing_delivery_is_a_dead_letter_after_five_attempts_and_can_be_retried(
    runtime: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: Any
) -> None:
    item_id = await one_login_mail(runtime)
    refusing = Mailbox(PermanentDeliveryError("550 no such mailbox"))
    dispatcher = OutboxDispatcher(runtime.storage.outbox, runtime.uow, {"email": refusing}, runtime.clock)
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        for attempt in range(1, 5):
            assert await dispatcher.dispatch_once() == 1
            assert await dispatcher.dispatch_once() == 0  # backing off, as for any failure
            runtime.clock.advance(hours=1)
            assert (await row(runtime, item_id)).failed_at is None, attempt
        assert await dispatcher.dispatch_once() == 1  # the fifth attempt
        runtime.clock.advance(days=2)
        assert await dispatcher.dispatch_once() == 0  # given up: never claimed again
    attempts, failed_at, dispatched_at, last_error = await row(runtime, item_id)
    assert (attempts, refusing.calls, dispatched_at) == (5, 5, None) and failed_at is not None
    assert last_error == "email: PermanentDeliveryError: 550 no such mailbox"
    dead_lines = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(dead_lines) == 1 and "550 no such mailbox" in dead_lines[0]
    assert await runtime.storage.outbox.pending() == 0

    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        scrape = await (await client.get("/metrics")).text()
    assert "convene_outbox_dead_letters 1.0" in scrape
    assert 'convene_outbox_dead_lettered_total{event="LoginLinkIssued"}' in scrape

    capsys.readouterr()
    assert await asyncio.to_thread(cli, runtime, monkeypatch, "outbox", "failed") == 0
    listed = capsys.readouterr().out
    assert f"{item_id}\tLoginLinkIssued\t5 attempts" in listed and "550 no such mailbox" in listed
    assert await asyncio.to_thread(cli, runtime, monkeypatch, "outbox", "retry", str(item_id + 1)) == 1
    assert await asyncio.to_thread(cli, runtime, monkeypatch, "outbox", "retry", str(item_id)) == 0
    assert f"event {item_id} is queued again" in capsys.readouterr().out

    fixed = Mailbox(None)
    dispatcher.channels = {"email": fixed}
    assert await dispatcher.dispatch_once() == 1
    assert fixed.delivered == ["alice@example.com"]
    attempts, failed_at, dispatched_at, _ = await row(runtime, item_id)
    assert (attempts, failed_at) == (1, None) and dispatched_at is not None
    assert await asyncio.to_thread(cli, runtime, monkeypatch, "outbox", "failed") == 0
    assert capsys.readouterr().out.strip() == "no dead letters"


async def test_a_network_error_keeps_retrying_with_backoff_past_five_attempts(runtime: Any) -> None:
    item_id = await one_login_mail(runtime)
    down = Mailbox(ConnectionError("smtp.example.org: connection refused"))
    dispatcher = OutboxDispatcher(runtime.storage.outbox, runtime.uow, {"email": down}, runtime.clock)
    for _ in range(8):
        assert await dispatcher.dispatch_once() == 1
        assert await dispatcher.dispatch_once() == 0  # backoff: not at once
        runtime.clock.advance(hours=1)
    attempts, failed_at, dispatched_at, _ = await row(runtime, item_id)
    assert (attempts, failed_at, dispatched_at) == (8, None, None)
    assert await runtime.storage.outbox.pending() == 1
    down.failure = None
    assert await dispatcher.dispatch_once() == 1
    assert down.delivered == ["alice@example.com"]


class Thread:
    """A Slack-like ``slack`` channel port: ordered, not replay safe; it refuses one message for good."""

    name = "slack"

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def deliver(self, event: Any, binding: Any) -> None:
        text = getattr(event, "text", "")
        if text == "poison":
            raise PermanentDeliveryError("message rejected: invalid blocks")
        if event.type == "MessagePosted":
            self.texts.append(text)


async def test_a_dead_letter_no_longer_holds_back_the_later_notices_of_its_thread(runtime: Any) -> None:
    from bot.cli import demo

    await demo(runtime)
    ann = (await runtime.bus.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    started = await runtime.bus.handle(StartConversation(ann.id, "hello", agent="alice"))
    conversation_id = started.conversation.id
    async with runtime.uow() as uow:
        await uow.bindings.add(Binding(conversation_id, "slack", {"channel": "C1"}))
        await uow.commit()
    alice = Actor("agent", "alice", "Alice")
    await runtime.bus.handle(PostMessage(conversation_id, alice, "poison"))
    await runtime.bus.handle(PostMessage(conversation_id, alice, "after"))
    slack = Thread()
    dispatcher = OutboxDispatcher(runtime.storage.outbox, runtime.uow, {"slack": slack}, runtime.clock)
    for _ in range(6):
        await dispatcher.dispatch_once()
        runtime.clock.advance(hours=1)
    # "after" waited its turn behind "poison" until that was given up, then went out
    assert slack.texts == ["Ann started a conversation with Alice.", "hello", "after"]
    assert await runtime.storage.outbox.dead_count() == 1
    assert await runtime.storage.outbox.pending() == 0


@pytest.mark.parametrize(
    "error, permanent",
    [
        (PermanentDeliveryError("550 unknown user"), True),
        (ValueError("Header values may not contain linefeed or carriage return characters"), True),
        (KeyError("email"), True),
        (ConnectionError("refused"), False),
        (TimeoutError(), False),
        (OSError("network is unreachable"), False),
        (json.JSONDecodeError("Expecting value", "<html>502</html>", 0), False),
        (RuntimeError("platform answered 503"), False),
    ],
)
def test_only_failures_no_retry_can_mend_count_as_permanent(error: Exception, permanent: bool) -> None:
    assert is_permanent(error) is permanent
