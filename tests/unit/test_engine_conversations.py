"""The engine with fakes: who writes where, what the conversation becomes, which events are recorded."""

from __future__ import annotations

import pytest

from bot.bus import MessageBus
from bot.commands import (
    AssignConversation,
    CreateAgent,
    CreateService,
    PostMessage,
    RegisterGuest,
    StartConversation,
)
from bot.errors import DomainError
from bot.handlers import HANDLERS
from bot.handlers.posting import PostingHooks
from bot.model import Actor
from tests.conftest import DrivenClock
from tests.fakes import FakeUnitOfWorkFactory

ALICE = Actor("agent", "alice", "Alice")
CAROL = Actor("agent", "carol", "Carol")


@pytest.fixture
async def engine() -> tuple[MessageBus, FakeUnitOfWorkFactory]:
    uows = FakeUnitOfWorkFactory()
    bus = MessageBus(uows, HANDLERS, {"clock": DrivenClock(), "posting": PostingHooks()})
    for slug, name in [("sales", "Sales"), ("support", "Support")]:
        await bus.handle(CreateService(slug, name))
    for slug, service in [("alice", "sales"), ("bob", "sales"), ("carol", "support")]:
        await bus.handle(CreateAgent(slug, slug.capitalize(), f"{slug}@example.com", services=(service,)))
    await bus.handle(CreateAgent("erin", "Erin", "erin@example.com"))  # in no service
    uows.state.outbox.clear()
    return bus, uows


async def test_a_new_conversation_posts_a_notice_and_the_message(engine) -> None:  # type: ignore[no-untyped-def]
    bus, uows = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    posted = await bus.handle(StartConversation(ann.id, "Hello", service="sales", client_id="1"))
    assert posted.created
    assert [(e.type, getattr(e, "text", None)) for e in uows.events()] == [
        ("ConversationStarted", ""),
        ("MessagePosted", "Ann started a conversation with Sales."),
        ("MessagePosted", "Hello"),
    ]
    channels = sorted(b.channel for b in uows.state.bindings)
    assert channels == ["web"]


@pytest.mark.parametrize(
    "first, second, same",
    [
        ({"service": "sales"}, {"service": "sales"}, True),
        ({"service": "sales"}, {"service": "support"}, False),
        ({"agent": "alice"}, {"agent": "alice"}, True),
        ({"agent": "alice"}, {"agent": "bob"}, False),
        ({"service": "sales"}, {"agent": "alice"}, False),
    ],
)
async def test_writing_again_continues_the_same_conversation(engine, first, second, same) -> None:  # type: ignore[no-untyped-def]
    bus, _ = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    a = await bus.handle(StartConversation(ann.id, "one", **first))
    b = await bus.handle(StartConversation(ann.id, "two", **second))
    assert (a.conversation.id == b.conversation.id) is same
    assert b.created is not same


async def test_after_assignment_the_agent_conversation_is_the_same_one(engine) -> None:  # type: ignore[no-untyped-def]
    bus, _ = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    first = await bus.handle(StartConversation(ann.id, "one", service="sales"))
    await bus.handle(AssignConversation(first.conversation.id, "sales", "alice", by=ALICE))
    again = await bus.handle(StartConversation(ann.id, "to alice", agent="alice"))
    assert again.conversation.id == first.conversation.id


async def test_a_resent_message_is_stored_once(engine) -> None:  # type: ignore[no-untyped-def]
    bus, uows = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    first = await bus.handle(StartConversation(ann.id, "x", service="sales", client_id="c1"))
    for _ in range(3):
        again = await bus.handle(PostMessage(first.conversation.id, ann.actor, "x", client_id="c1"))
        assert again.message.id == first.message.id and not again.created
    assert sum(1 for m in uows.state.messages if m.text == "x") == 1


ASSIGNMENTS = [
    # (by, service, assignee) → notice or error code
    (ALICE, "sales", "alice", "Alice took this conversation (Sales)."),
    (ALICE, "sales", "bob", "Alice assigned this conversation to Bob (Sales)."),
    (ALICE, "sales", None, "Alice assigned this conversation to Sales."),
    (ALICE, "support", "carol", "Alice assigned this conversation to Carol (Support)."),
    (ALICE, "sales", "carol", "not_a_member"),
    (ALICE, "nope", None, "unknown_service"),
    (ALICE, "sales", "zed", "unknown_agent"),
    (CAROL, "support", "carol", "unknown_conversation"),  # carol cannot see a sales conversation
    # No service named ("Assign to me", or a person): the engine picks it.
    (ALICE, None, "alice", "Alice took this conversation (Sales)."),  # stays with its service
    (ALICE, None, "carol", "Alice assigned this conversation to Carol (Support)."),  # follows carol
    (ALICE, None, "erin", "no_service"),
    (ALICE, None, None, "service_required"),
]


@pytest.mark.parametrize("by, service, assignee, outcome", ASSIGNMENTS)
async def test_assignment_dialogue(engine, by, service, assignee, outcome) -> None:  # type: ignore[no-untyped-def]
    bus, uows = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    conversation = (await bus.handle(StartConversation(ann.id, "hi", service="sales"))).conversation
    before = len(uows.state.outbox)
    if " " not in outcome:
        with pytest.raises(DomainError) as refused:
            await bus.handle(AssignConversation(conversation.id, service, assignee, by=by))
        assert refused.value.code == outcome
        assert len(uows.state.outbox) == before  # a refusal records nothing
        return
    await bus.handle(AssignConversation(conversation.id, service, assignee, by=by))
    stored = uows.state.conversations[conversation.id]
    picked = service or {"alice": "sales", "carol": "support"}[assignee]
    assert (stored.assigned_service, stored.assignee) == (picked, assignee)
    assert uows.state.messages[-1].text == outcome
    assert [e.type for e in uows.events()[before:]] == ["ConversationAssigned", "MessagePosted"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty_message"),
        ("   \n", "empty_message"),
        ("x" * 10_001, "message_too_long"),
        (None, "empty_message"),
    ],
)
async def test_bad_messages_are_refused_and_change_nothing(engine, text, code) -> None:  # type: ignore[no-untyped-def]
    bus, uows = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    with pytest.raises(DomainError) as refused:
        await bus.handle(StartConversation(ann.id, text, service="sales"))
    assert refused.value.code == code
    assert not uows.state.conversations and not uows.state.outbox


async def test_a_guest_cannot_write_into_another_guests_conversation(engine) -> None:  # type: ignore[no-untyped-def]
    bus, uows = engine
    ann = (await bus.handle(RegisterGuest("Ann"))).guest
    ben = (await bus.handle(RegisterGuest("Ben"))).guest
    conversation = (await bus.handle(StartConversation(ann.id, "hi", service="sales"))).conversation
    with pytest.raises(DomainError) as refused:
        await bus.handle(PostMessage(conversation.id, ben.actor, "let me in"))
    assert refused.value.code == "unknown_conversation" and refused.value.status == 404
    assert all(m.text != "let me in" for m in uows.state.messages)
