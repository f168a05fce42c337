"""Notices to agents, decided by the engine on fakes: who an internal note mentions (``@slug``), which
notices become Slack or Teams direct messages by each agent's preferences (``AgentNotified``), and that
an agent who turned unread-message emails off gets none. The wire side (Slack's Web API) is in
tests/integration/slack/test_direct_notices.py."""

from __future__ import annotations

import pytest

from bot.commands import AssignConversation, CreateAgent, CreateService, PostMessage, StartConversation
from bot.events import MessagePosted
from bot.model import Actor, Guest
from bot.notices import AgentNotified, find_mentions
from bot.preferences import change
from tests.fakes import FakeEngine
from tests.unit.test_unread_email_dialogue import World

SLUGS = ["alice", "bob", "carol-ann"]
ALICE, BOB = Actor("agent", "alice", "Alice"), Actor("agent", "bob", "Bob")


@pytest.mark.parametrize(
    "text, mentioned",
    [
        ("@alice please look", ("alice",)),
        ("cc @bob and @alice, then @bob again", ("bob", "alice")),
        ("@Alice: yours", ("alice",)),  # slugs without case
        ("@carol-ann knows", ("carol-ann",)),
        ("write to bob@example.com", ()),  # an address mentions nobody
        ("@dave is no agent", ()),
        ("email@alice", ()),
        ("(@alice)", ("alice",)),
        ("no at sign", ()),
    ],
)
def test_a_note_mentions_the_agents_it_names_with_an_at_sign(text: str, mentioned: tuple[str, ...]) -> None:
    assert find_mentions(text, SLUGS) == mentioned


async def engine() -> tuple[FakeEngine, str]:
    from bot import notices

    e = FakeEngine()
    e.posting.after_append.append(notices.on_message)  # as bot.notices.register does at bootstrap
    await e.handle(CreateService("sales", "Sales"))
    await e.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    await e.handle(CreateAgent("bob", "Bob", "bob@example.com", services=("sales",)))
    e.state.guests["ann"] = Guest("Ann", "ann@example.org", id="ann")
    started = await e.handle(StartConversation("ann", "hello", service="sales"))
    return e, started.conversation.id


async def prefer(e: FakeEngine, slug: str, data: dict[str, object]) -> None:
    async with e.uow() as uow:
        await change(uow, slug, data, e.clock.now())
        await uow.commit()


def notified(e: FakeEngine) -> list[tuple[str, str, str]]:
    return [
        (row["event"].agent, row["event"].channel, row["event"].notice)
        for row in e.state.outbox
        if isinstance(row["event"], AgentNotified)
    ]


async def test_the_note_event_names_whom_it_mentions_and_only_a_note_does() -> None:
    e, cid = await engine()
    await e.handle(PostMessage(cid, BOB, "@alice can you?", internal=True))
    await e.handle(PostMessage(cid, BOB, "@alice says hi"))  # to the guest: not a mention
    posted = [row["event"] for row in e.state.outbox if isinstance(row["event"], MessagePosted)]
    assert [(p.text, p.mentions) for p in posted[-2:]] == [
        ("@alice can you?", ("alice",)),
        ("@alice says hi", ()),
    ]


@pytest.mark.parametrize(
    "preferences, expected",
    [
        ({}, []),  # direct messages are opt-in
        ({"slack": {"mention": True}}, [("alice", "slack", "mention")]),
        (
            {"slack": {"mention": True}, "teams": {"mention": True}},
            [("alice", "slack", "mention"), ("alice", "teams", "mention")],
        ),
        ({"teams": {"guest_message": True}}, []),  # another notice
    ],
)
async def test_a_mention_becomes_a_direct_message_only_where_the_agent_asked(
    preferences: dict[str, object], expected: list[tuple[str, str, str]]
) -> None:
    e, cid = await engine()
    await prefer(e, "alice", preferences)
    await e.handle(PostMessage(cid, BOB, "@alice can you?", internal=True))
    assert notified(e) == expected


async def test_nobody_is_told_of_mentioning_themselves() -> None:
    e, cid = await engine()
    await prefer(e, "alice", {"slack": {"mention": True}})
    await e.handle(PostMessage(cid, ALICE, "note to @alice: call back", internal=True))
    assert notified(e) == []


async def test_a_guest_message_reaches_the_assignee_who_asked_and_nobody_before_assignment() -> None:
    e, cid = await engine()
    await prefer(e, "alice", {"teams": {"guest_message": True}})
    await prefer(e, "bob", {"teams": {"guest_message": True}})
    await e.handle(PostMessage(cid, Actor("guest", "ann", "Ann"), "anyone?"))
    assert notified(e) == []  # assigned to Sales as a whole: no one's own conversation
    await e.handle(AssignConversation(cid, "sales", "alice", BOB))
    await e.handle(PostMessage(cid, Actor("guest", "ann", "Ann"), "still there?"))
    assert notified(e) == [("alice", "teams", "guest_message")]
    [event] = [row["event"] for row in e.state.outbox if isinstance(row["event"], AgentNotified)]
    assert (event.headline, event.text, event.about) == ("New message from Ann", "still there?", cid)
    assert event.direct_destinations() == [("teams", {"agent": "alice", "email": "alice@example.com"})]
    assert event.conversation_id == ""  # never a thread's notice


async def test_a_new_conversation_reaches_the_service_members_who_asked() -> None:
    e, _ = await engine()
    await prefer(e, "bob", {"slack": {"new_conversation": True}})
    e.state.guests["ben"] = Guest("Ben", None, id="ben")
    await e.handle(StartConversation("ben", "hi", service="sales"))
    assert notified(e) == [("bob", "slack", "new_conversation")]


async def test_an_agent_who_turned_unread_emails_off_gets_none_and_the_others_still_do() -> None:
    world = World()
    await world.setup({"Ann": "alice"})
    async with world.engine.uow() as uow:
        await change(uow, "alice", {"unread_email": False}, world.engine.clock.now())
        await uow.commit()
    world.engine.state.guests["cleo"] = Guest("Cleo", "cleo@example.org", id="cleo")
    await world.engine.handle(StartConversation("cleo", "hello", service="sales"))
    await world.run([(0, "Ann writes")], until=10)
    assert world.emails("alice@example.com") == []
    assert world.emails("bob@example.com") == [(5, "Cleo 1")]
