"""Unread-message emails end to end on fakes: messages arm a job through ``uow.digests``, the job
runner sends (or does not) at the product's times, reading everything resets. A driven clock, no sleeps.

Ann (a guest with an address) wrote to Sales; Alice answers. Each step below moves the clock, then runs
whatever jobs are due; the table says which emails Ann has had by then (how many messages each listed).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands import CreateAgent, CreateService, MarkRead, PostMessage, StartConversation
from bot.email_digest import JOB_KIND, send_digest
from bot.jobs import JobRunner
from bot.model import Actor, Guest
from tests.fakes import FakeEngine, FakeJobStore

ALICE = Actor("agent", "alice", "Alice")
ANN = Actor("guest", "ann", "Ann")


@pytest.fixture
async def world() -> tuple[FakeEngine, JobRunner, str]:
    engine = FakeEngine()
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    engine.state.guests[ANN.id] = Guest("Ann", "ann@example.org", id=ANN.id)
    conversation = (await engine.handle(StartConversation(ANN.id, "hello", service="sales"))).conversation
    runner = JobRunner(FakeJobStore(engine.state), engine.uows, engine.clock)
    runner.register(JOB_KIND, send_digest)
    return engine, runner, conversation.id


def emails(engine: FakeEngine) -> list[int]:
    """Ann's emails so far, as the number of messages each one lists."""
    found = [row["event"] for row in engine.state.outbox if row["event"].type == "UnreadDigestReady"]
    assert all(e.email == "ann@example.org" for e in found)
    return [len(e.messages) for e in found]


async def step(engine: FakeEngine, runner: JobRunner, cid: str, minutes: float, action: str) -> None:
    engine.clock.advance(minutes=minutes)
    if action == "alice writes":
        await engine.handle(PostMessage(cid, ALICE, "news"))
    elif action == "ann reads all":
        await engine.handle(MarkRead(cid, ANN, engine.state.conversations[cid].last_seq))
    await runner.run_due()


# Emails at minute 5, 245 and 485, Alice writing again a minute after each; minute 1444 is 23:59
# after the first email.
DAY_OF_UNREAD = [
    (0, "alice writes"),
    (5, "-"),
    (1, "alice writes"),
    (239, "-"),
    (1, "alice writes"),
    (239, "-"),
    (1, "alice writes"),
    (958, "-"),
]

TIMELINES = [
    # [(minutes later, what happens)] → Ann's emails by the end (messages listed in each)
    ([(0, "alice writes"), (4, "-")], []),  # not yet: 5 minutes batch a burst
    ([(0, "alice writes"), (5, "-")], [1]),
    ([(0, "alice writes"), (2, "alice writes"), (3, "-")], [2]),  # one email for the burst
    ([(0, "alice writes"), (4, "ann reads all"), (60, "-")], []),  # read in time: no email
    ([(0, "alice writes"), (5, "-"), (5, "alice writes"), (60, "-")], [1]),  # 4 hours apart…
    ([(0, "alice writes"), (5, "-"), (5, "alice writes"), (235, "-")], [1, 1]),  # …from the first
    # Reading everything resets the timer: the next message is mailed within 5 minutes again.
    ([(0, "alice writes"), (5, "-"), (1, "ann reads all"), (1, "alice writes"), (5, "-")], [1, 1]),
    # Never reading: 3 a day, 4 hours apart; the fourth no earlier than 24 hours after the first.
    (DAY_OF_UNREAD, [1, 1, 1]),
    ([*DAY_OF_UNREAD, (1, "-")], [1, 1, 1, 1]),
]


@pytest.mark.parametrize("timeline, expected", TIMELINES)
async def test_unread_email_timeline(
    world: Any, timeline: list[tuple[float, str]], expected: list[int]
) -> None:
    engine, runner, cid = world
    for minutes, action in timeline:
        await step(engine, runner, cid, minutes, action)
    assert emails(engine) == expected


async def test_a_removed_member_gets_no_email_and_loses_the_state(world: Any) -> None:
    engine, runner, cid = world
    await step(engine, runner, cid, 0, "alice writes")
    engine.state.members[cid] = [m for m in engine.state.members[cid] if m.id != ANN.id]
    await step(engine, runner, cid, 5, "-")
    assert emails(engine) == [] and engine.state.digests == {}
