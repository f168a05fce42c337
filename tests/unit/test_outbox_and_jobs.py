"""Delivery is at least once and never doubled; timed jobs run once, even when workers race or die."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from bot.bus import MessageBus
from bot.commands import CreateService, RegisterGuest, StartConversation
from bot.events import LoginLinkIssued
from bot.handlers import HANDLERS
from bot.handlers.posting import PostingHooks
from bot.jobs import JobRunner
from bot.model import Binding
from bot.outbox import OutboxDispatcher
from bot.ports import OutboxItem
from tests.conftest import DrivenClock
from tests.fakes import FakeJobStore, FakeOutboxStore, FakeUnitOfWorkFactory


class RecordingChannel:
    def __init__(self, name: str, failures: int = 0) -> None:
        self.name = name
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    async def deliver(self, event: Any, binding: Binding) -> dict[str, Any] | None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("platform down")
        self.sent.append((event.type, getattr(event, "text", "")))
        return None


@pytest.fixture
async def world() -> tuple[MessageBus, FakeUnitOfWorkFactory, DrivenClock]:
    clock = DrivenClock()
    uows = FakeUnitOfWorkFactory()
    bus = MessageBus(uows, HANDLERS, {"clock": clock, "posting": PostingHooks()})
    await bus.handle(CreateService("sales", "Sales"))
    uows.state.service_channels[("sales", "slack")] = {"channel": "C1"}
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    await bus.handle(StartConversation(ann.id, "hello", service="sales"))
    return bus, uows, clock


@pytest.mark.parametrize("replay_safe", [False, True], ids=["recorded at once", "recorded with the batch"])
async def test_every_binding_gets_each_event_once_even_when_one_channel_fails(
    world, replay_safe: bool
) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    web = LiveChannel("web") if replay_safe else RecordingChannel("web")
    slack = RecordingChannel("slack", failures=2)
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"web": web, "slack": slack}, clock)
    await dispatcher.dispatch_once()
    assert len(web.sent) == 3 and slack.sent == []
    web_binding = next(b.id for b in uows.state.bindings if b.channel == "web")
    assert len([k for k in uows.state.deliveries if k.endswith(":" + web_binding)]) == 3
    for _ in range(5):  # retries come after a backoff; time moves, web is not sent again
        clock.advance(hours=1)
        await dispatcher.dispatch_once()
    assert [t for t, _ in slack.sent] == ["ConversationStarted", "MessagePosted", "MessagePosted"]
    assert len(web.sent) == 3
    assert all(row["done"] for row in uows.state.outbox)


async def test_a_retry_waits_for_its_backoff(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    slack = RecordingChannel("slack", failures=1)
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"slack": slack}, clock)
    await dispatcher.dispatch_once()
    assert await dispatcher.dispatch_once() == 0  # nothing is due again immediately
    clock.advance(seconds=3)
    await dispatcher.dispatch_once()
    assert len(slack.sent) == 3


async def test_a_job_runs_once_when_two_workers_race(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    runs: list[str] = []

    async def handler(job: Any, uow: Any, clock: Any) -> None:
        runs.append(job.payload["what"])

    stores = FakeJobStore(uows.state)
    one = JobRunner(stores, uows, clock, worker_id="one")
    two = JobRunner(stores, uows, clock, worker_id="two")
    for runner in (one, two):
        runner.register("remind", handler)
    async with uows() as uow:
        await uow.jobs.schedule("remind", clock.now() + timedelta(minutes=10), {"what": "x"}, key="r1")
        await uow.commit()
    assert await one.run_due() == 0  # not due yet
    clock.advance(minutes=10)
    assert await one.run_due() + await two.run_due() == 1
    assert runs == ["x"]


async def test_a_job_whose_worker_died_is_taken_over_once(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    runs: list[str] = []

    async def handler(job: Any, uow: Any, clock: Any) -> None:
        runs.append(job.kind)

    stores = FakeJobStore(uows.state)
    async with uows() as uow:
        await uow.jobs.schedule("remind", clock.now(), {}, key="r1")
        await uow.commit()
    dead = await stores.claim(
        clock.now(), "dead-worker", 10, lease_seconds=60
    )  # claimed, then the process died
    assert len(dead) == 1
    survivor = JobRunner(stores, uows, clock, worker_id="survivor", lease_seconds=60)
    survivor.register("remind", handler)
    assert await survivor.run_due() == 0  # the lease still holds
    clock.advance(seconds=61)
    assert await survivor.run_due() == 1
    clock.advance(hours=1)
    assert await survivor.run_due() == 0
    assert runs == ["remind"]


async def test_rescheduling_a_keyed_job_moves_it(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    async with uows() as uow:
        await uow.jobs.schedule("remind", clock.now() + timedelta(minutes=5), {}, key="k")
        await uow.jobs.schedule("remind", clock.now() + timedelta(minutes=50), {}, key="k")
        await uow.commit()
    assert [j["run_at"] - clock.now() for j in uows.state.jobs] == [timedelta(minutes=50)]


async def test_a_failing_channel_keeps_its_order_and_never_holds_back_the_others(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    web, slack = RecordingChannel("web"), RecordingChannel("slack", failures=1)
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"web": web, "slack": slack}, clock)
    await dispatcher.dispatch_once()
    conversation_id = next(iter(uows.state.conversations))
    guest = next(iter(uows.state.guests.values()))
    from bot.commands import PostMessage

    await bus.handle(PostMessage(conversation_id, guest.actor, "while slack was down"))
    await dispatcher.dispatch_once()  # the new message is due now; its Slack thread root is not posted yet
    assert web.sent[-1] == ("MessagePosted", "while slack was down")
    assert slack.sent == []
    clock.advance(hours=1)
    await dispatcher.dispatch_once()
    assert [text for _, text in slack.sent] == [
        "",
        "Ann started a conversation with Sales.",
        "hello",
        "while slack was down",
    ]


async def test_an_address_learned_by_one_delivery_is_used_by_the_next_in_the_batch(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world

    class Threads:
        name = "slack"

        def __init__(self) -> None:
            self.replies_to: list[str | None] = []

        async def deliver(self, event: Any, binding: Binding) -> dict[str, Any] | None:
            if event.type == "ConversationStarted":
                return {**binding.address, "ts": "111.1", "thread_key": "C1:111.1"}
            self.replies_to.append(binding.address.get("ts"))
            return None

    threads = Threads()
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"slack": threads}, clock)
    await dispatcher.dispatch_once()  # root card and both messages in one batch
    assert threads.replies_to == ["111.1", "111.1"]
    assert [b.thread_key for b in uows.state.bindings if b.channel == "slack"] == ["C1:111.1"]


def _counted(channel: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("convene_deliveries_total", {"channel": channel, "outcome": outcome})
    return value or 0.0


async def test_deliveries_are_counted_per_channel_and_outcome(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    web, slack = RecordingChannel("web"), RecordingChannel("slack", failures=1)
    before = {k: _counted(*k) for k in [("web", "ok"), ("slack", "ok"), ("slack", "error")]}
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"web": web, "slack": slack}, clock)
    await dispatcher.dispatch_once()  # Slack fails the root card; the rest waits its turn
    assert _counted("web", "ok") - before[("web", "ok")] == 3
    assert _counted("slack", "error") - before[("slack", "error")] == 1
    clock.advance(hours=1)
    await dispatcher.dispatch_once()
    assert _counted("slack", "ok") - before[("slack", "ok")] == 3 == len(slack.sent)


@pytest.mark.parametrize("handed", [False, True], ids=["claimed", "handed over in memory"])
async def test_a_delivered_secret_is_erased_with_its_batch_and_only_its_own(world, handed: bool) -> None:  # type: ignore[no-untyped-def]
    """The dispatcher names the finished events that carried a live secret; the store erases those."""
    bus, uows, clock = world
    email = RecordingChannel("email")
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"email": email}, clock)
    dispatcher.settle_seconds = 0
    link = LoginLinkIssued("", "alice@example.com", "Alice", "a-token")
    row = len(uows.state.outbox) + 1
    uows.state.outbox.append({"id": row, "event": link, "done": False, "attempts": 0, "next": datetime.min})
    if handed:
        dispatcher.hand_off([OutboxItem(row, link, 1)])
        await dispatcher.handed_delivered()
    else:
        await dispatcher.dispatch_once()  # with the conversation's events, which hold no secret
    assert email.sent == [("LoginLinkIssued", "")] and uows.state.erased == {row}


class StuckChannel(RecordingChannel):
    """A platform whose API stops answering until released."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.release = asyncio.Event()
        self.calls = 0

    async def deliver(self, event: Any, binding: Binding) -> dict[str, Any] | None:
        self.calls += 1
        await self.release.wait()
        return await super().deliver(event, binding)


class LiveChannel(RecordingChannel):
    replay_safe = True

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.arrived = asyncio.Condition()

    async def deliver(self, event: Any, binding: Binding) -> dict[str, Any] | None:
        async with self.arrived:
            await super().deliver(event, binding)
            self.arrived.notify_all()
        return None


async def test_a_hanging_delivery_is_abandoned_in_time_and_retried(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    slack = StuckChannel("slack")
    dispatcher = OutboxDispatcher(FakeOutboxStore(uows.state), uows, {"slack": slack}, clock)
    dispatcher.delivery_deadline = 0.05
    await dispatcher.dispatch_once()  # gives up on the root card; later notices wait their turn
    assert slack.sent == [] and not any(row["done"] for row in uows.state.outbox)
    slack.release.set()
    clock.advance(hours=1)
    await dispatcher.dispatch_once()
    assert [t for t, _ in slack.sent] == ["ConversationStarted", "MessagePosted", "MessagePosted"]


async def test_a_batch_stuck_on_a_slow_platform_never_delays_newer_live_updates(world) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = world
    slack, web = StuckChannel("slack"), LiveChannel("web")  # the guest's web binding exists already
    dispatcher = OutboxDispatcher(
        FakeOutboxStore(uows.state), uows, {"slack": slack, "web": web}, clock, poll_seconds=0.01
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(dispatcher.run(stop))
    async with web.arrived:
        await asyncio.wait_for(web.arrived.wait_for(lambda: len(web.sent) >= 3), 5)
    assert slack.calls == 1  # the first batch is still waiting on Slack
    conversation_id = next(iter(uows.state.conversations))
    guest = next(iter(uows.state.guests.values()))
    from bot.commands import PostMessage

    await bus.handle(PostMessage(conversation_id, guest.actor, "are you there?"))
    dispatcher.wake()
    async with web.arrived:
        await asyncio.wait_for(web.arrived.wait_for(lambda: len(web.sent) >= 4), 5)
    assert web.sent[-1] == ("MessagePosted", "are you there?")
    slack.release.set()
    stop.set()
    dispatcher.wake()
    await loop
