"""Who may set or remove a conversation's picture, and what everyone reads afterwards, as a dialogue
table on fakes (the real bus and handlers over FakeEngine).

Agents who can see the conversation change it and a notice says so; a guest, even a member, is told
that only agents manage it; an agent of another service learns nothing (the conversation does not
exist for her). Setting the same picture again says nothing twice.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands import CreateAgent, CreateService, SetConversationPicture, StartConversation
from bot.errors import DomainError
from bot.model import Actor, Conversation, Guest
from bot.titles import heading_for
from tests.fakes.engine import FakeEngine

ANN = Actor("guest", "g-ann", "Ann")
ALICE = Actor("agent", "alice", "Alice")
BOB = Actor("agent", "bob", "Bob")
CAROL = Actor("agent", "carol", "Carol")
PIC = "https://convene.example/avatars/c-0123456789ab.png"
OTHER = "https://convene.example/avatars/c-ba9876543210.png"


@pytest.fixture
async def engine() -> FakeEngine:
    engine = FakeEngine()
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateService("support", "Support"))
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    await engine.handle(CreateAgent("bob", "Bob", "bob@example.com", services=("sales",)))
    await engine.handle(CreateAgent("carol", "Carol", "carol@example.com", services=("support",)))
    engine.state.guests[ANN.id] = Guest(ANN.name, "ann@example.org", id=ANN.id)
    return engine


# (who, picture before, picture asked for) → (error code or None, notice or None, picture after)
ROWS = [
    (ALICE, None, PIC, None, "Alice changed the picture.", PIC),
    (BOB, PIC, OTHER, None, "Bob changed the picture.", OTHER),
    (ALICE, PIC, None, None, "Alice removed the picture.", None),
    (ALICE, PIC, PIC, None, None, PIC),  # the same picture: nothing to say
    (ANN, None, PIC, "agents_only", None, None),
    (CAROL, None, PIC, "unknown_conversation", None, None),  # another service: leaks nothing
    (CAROL, PIC, None, "unknown_conversation", None, PIC),
]


@pytest.mark.parametrize("by, before, asked, code, notice, after", ROWS)
async def test_who_may_set_or_remove_the_picture_and_what_the_thread_says(
    engine: FakeEngine, by: Actor, before: str | None, asked: str | None, code: Any, notice: Any, after: Any
) -> None:
    started = await engine.handle(StartConversation(ANN.id, "hello", service="sales"))
    cid = started.conversation.id
    if before is not None:
        await engine.handle(SetConversationPicture(cid, before, ALICE))
    async with engine.uow(read_only=True) as uow:
        count = len(await uow.messages.list(cid))
    since = len(engine.state.outbox)
    if code is None:
        await engine.handle(SetConversationPicture(cid, asked, by))
    else:
        with pytest.raises(DomainError) as refused:
            await engine.handle(SetConversationPicture(cid, asked, by))
        assert refused.value.code == code
    async with engine.uow(read_only=True) as uow:
        conversation = await uow.conversations.get(cid)
        added = [m.text for m in (await uow.messages.list(cid))[count:]]
    assert conversation is not None and conversation.picture == after
    assert added == ([notice] if notice else [])
    changed = [t for t in engine.event_types(since) if t == "ConversationPictureChanged"]
    assert changed == (
        ["ConversationPictureChanged"] if notice else []
    )  # viewers ask for their heading again


@pytest.mark.parametrize(
    "viewer, title, shown",
    [
        (ALICE, None, PIC),  # agents always see it (their title is the guests' names)
        (ALICE, "Launch plan", PIC),
        (ANN, None, None),  # Ann's title is "Sales": not the conversation's own, so not its picture
        (ANN, "Launch plan", PIC),  # renamed: the title is the conversation's own
    ],
)
def test_the_picture_goes_with_the_conversations_own_title(viewer: Actor, title: Any, shown: Any) -> None:
    conversation = Conversation(guest_id=ANN.id, service="sales", title=title, picture=PIC)
    heading = heading_for(viewer, conversation, [], guest_names=["Ann"], agent_names={}, service_name="Sales")
    assert heading.avatar["url"] == shown
