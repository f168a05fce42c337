"""Conversation status on fakes: the snooze presets in the agent's zone (daylight saving included), and
the dialogue of resolving, snoozing and a guest writing again, told by the events it records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.bus import MessageBus
from bot.commands import CreateAgent, CreateService, PostMessage, RegisterGuest, StartConversation
from bot.errors import DomainError
from bot.handlers import HANDLERS
from bot.handlers.posting import PostingHooks
from bot.model import Actor
from bot.status import handlers as status
from bot.status.commands import ReopenConversation, ResolveConversation, SnoozeConversation
from bot.status.presets import preset_until, snooze_until
from tests.conftest import DrivenClock
from tests.fakes import FakeUnitOfWorkFactory

ALICE = Actor("agent", "alice", "Alice")
CAROL = Actor("agent", "carol", "Carol")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "now, preset, zone, expected",
    [
        ("2026-11-23 08:00", "hour", "Europe/Berlin", "2026-11-23 09:00"),
        ("2026-11-23 08:00", "tomorrow", "Europe/Berlin", "2026-11-24 08:00"),  # 9:00 CET
        ("2026-07-01 08:00", "tomorrow", "Europe/Berlin", "2026-07-02 07:00"),  # 9:00 CEST
        # Saturday evening before the clocks go back (25 October 2026): 9:00 CET, not CEST
        ("2026-10-24 20:00", "tomorrow", "Europe/Berlin", "2026-10-25 08:00"),
        # and before they go forward (29 March 2026): 9:00 CEST
        ("2026-03-28 20:00", "tomorrow", "Europe/Berlin", "2026-03-29 07:00"),
        ("2026-03-07 20:00", "tomorrow", "America/New_York", "2026-03-08 13:00"),  # EDT from that day
        ("2026-11-23 08:00", "next_week", "Europe/Berlin", "2026-11-30 08:00"),  # Monday → next Monday
        ("2026-11-29 23:30", "next_week", "Europe/Berlin", "2026-12-07 08:00"),  # already Monday there
        ("2026-10-21 08:00", "next_week", "Europe/Berlin", "2026-10-26 08:00"),  # across the change
    ],
)
def test_snooze_presets_wake_at_the_agents_wall_clock(
    now: str, preset: str, zone: str, expected: str
) -> None:
    assert preset_until(preset, utc(now), zone) == utc(expected)


@pytest.mark.parametrize(
    "until, code",
    [
        ("2026-11-23T08:00:00Z", "snooze_in_past"),
        ("soon", "invalid_time"),
        ("2028-01-01T00:00Z", "snooze_too_long"),
    ],
)
def test_a_snooze_end_that_is_not_ahead_is_refused(until: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        snooze_until(until, None, utc("2026-11-23 08:00"), "Europe/Berlin")
    assert refused.value.code == code and refused.value.details["field"] == "until"


@pytest.fixture
async def engine() -> tuple[MessageBus, FakeUnitOfWorkFactory, DrivenClock]:
    uows, clock = FakeUnitOfWorkFactory(), DrivenClock()
    posting = PostingHooks(after_append=[status.reopen_when_guests_write])
    bus = MessageBus(uows, HANDLERS, {"clock": clock, "posting": posting})
    bus.register(ResolveConversation, status.resolve_conversation)
    bus.register(ReopenConversation, status.reopen_conversation)
    bus.register(SnoozeConversation, status.snooze_conversation)
    await bus.handle(CreateService("sales", "Sales"))
    await bus.handle(CreateService("support", "Support"))
    await bus.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    await bus.handle(CreateAgent("carol", "Carol", "carol@example.com", services=("support",)))
    return bus, uows, clock


def said(uows: FakeUnitOfWorkFactory, since: int) -> list[tuple[str, str]]:
    return [
        (e.type, getattr(e, "text", "") or getattr(e, "reason", ""))
        for e in uows.events()[since:]
        if e.type != "MessagePosted" or getattr(e, "kind", "") == "system"
    ]


async def test_resolve_then_a_guest_writes_again(engine) -> None:  # type: ignore[no-untyped-def]
    bus, uows, _ = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    conversation = (await bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation
    start = len(uows.events())
    await bus.handle(ResolveConversation(conversation.id, ALICE))
    await bus.handle(PostMessage(conversation.id, ann.actor, "One more thing"))
    assert said(uows, start) == [
        ("ConversationResolved", ""),
        ("MessagePosted", "Alice resolved the conversation."),
        ("ConversationReopened", "guest_wrote"),
        ("MessagePosted", "Ann wrote again: the conversation is open."),
    ]
    assert uows.state.conversations[conversation.id].status == "open"


async def test_an_agent_writing_leaves_a_resolved_conversation_resolved(engine) -> None:  # type: ignore[no-untyped-def]
    bus, uows, _ = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    conversation = (await bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation
    await bus.handle(ResolveConversation(conversation.id, ALICE))
    await bus.handle(PostMessage(conversation.id, ALICE, "You're welcome!"))
    assert uows.state.conversations[conversation.id].status == "resolved"


async def test_snoozing_arms_the_job_and_an_outsider_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    bus, uows, clock = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    conversation = (await bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation
    with pytest.raises(DomainError) as refused:
        await bus.handle(SnoozeConversation(conversation.id, CAROL, preset="hour"))
    assert refused.value.code == "unknown_conversation"
    await bus.handle(SnoozeConversation(conversation.id, ALICE, preset="tomorrow"))
    [job] = [j for j in uows.state.jobs if j["kind"] == status.SNOOZE_JOB]
    assert job["run_at"] == utc("2026-11-24 08:00") == uows.state.conversations[conversation.id].snoozed_until
    async with uows() as uow:
        counts = await uow.conversation_filters.counts("alice", ["sales"])
    assert counts == {"mine": 0, "unassigned": 0, "services": 0, "snoozed": 1, "resolved": 0}


@pytest.mark.parametrize(
    "assign, preferences, told",
    [
        (True, {}, [("alice", "slack"), ("alice", "teams")]),  # on by default: a snooze asks to be told
        (True, {"slack": {"snooze_ended": False}}, [("alice", "teams")]),
        (True, {"slack": {"snooze_ended": False}, "teams": {"snooze_ended": False}}, []),
        (False, {}, []),  # assigned to no one: the thread's notice and the inbox tell the service
    ],
)
async def test_the_end_of_a_snooze_tells_the_assignee_where_they_want_it(  # type: ignore[no-untyped-def]
    engine, assign: bool, preferences: dict[str, object], told: list[tuple[str, str]]
) -> None:
    from bot.commands import AssignConversation
    from bot.notices import AgentNotified
    from bot.ports import JobItem
    from bot.preferences import change

    bus, uows, clock = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    conversation = (await bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation
    if assign:
        await bus.handle(AssignConversation(conversation.id, "sales", "alice", ALICE))
    async with uows() as uow:
        await change(uow, "alice", preferences, clock.now())
        await uow.commit()
    await bus.handle(SnoozeConversation(conversation.id, ALICE, preset="hour"))
    [job] = [j for j in uows.state.jobs if j["kind"] == status.SNOOZE_JOB]
    clock.advance(minutes=60)
    start = len(uows.events())
    async with uows() as uow:
        await status.end_snooze(
            JobItem(1, job["kind"], job["key"], job["payload"], job["run_at"], 0), uow, clock
        )
        await uow.commit()
    events = uows.events()[start:]
    assert uows.state.conversations[conversation.id].status == "open"
    notices = [e for e in events if isinstance(e, AgentNotified)]
    assert [(n.agent, n.channel) for n in notices] == told
    [woke] = [
        e for e in events if getattr(e, "text", "") == "The snooze ended: the conversation is open again."
    ]
    for n in notices:
        assert (n.notice, n.about, n.message_id) == ("snooze_ended", conversation.id, woke.message_id)
        assert n.headline == "The snooze ended: your conversation with Ann is open again."
