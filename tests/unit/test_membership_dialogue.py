"""Membership rules as dialogue tables, on fakes: who may add and remove members, joining by link,
read-only for externals, at most 1,000 members, and an email address for every member.

Ann (a guest) started a conversation with Sales (Alice and Bob); Carol is in Support and cannot see
it. Dan is a guest an agent added; Eve joined by the conversation's link (an external member).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.commands import (
    AddMember,
    CreateAgent,
    CreateService,
    JoinByLink,
    PostMessage,
    React,
    RemoveMember,
    SetReadOnly,
    StartConversation,
)
from bot.errors import DomainError
from bot.model import MAX_MEMBERS, Actor, Agent, Guest, Member
from tests.fakes import FakeEngine

ALICE = Actor("agent", "alice", "Alice")
BOB = Actor("agent", "bob", "Bob")
CAROL = Actor("agent", "carol", "Carol")
ANN = Actor("guest", "ann", "Ann")
DAN = Actor("guest", "dan", "Dan")
EVE = Actor("guest", "eve", "Eve")
FAY = Actor("guest", "fay", "Fay")  # not in the conversation
NOEMAIL = Actor("guest", "noemail", "Nora")  # a guest who never gave an address
PEOPLE = {a.id: a for a in (ALICE, BOB, CAROL, ANN, DAN, EVE, FAY, NOEMAIL)}


@pytest.fixture
async def world() -> tuple[FakeEngine, str]:
    engine = FakeEngine()
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateService("support", "Support"))
    for slug, service in [("alice", "sales"), ("bob", "sales"), ("carol", "support")]:
        await engine.handle(CreateAgent(slug, slug.title(), f"{slug}@example.com", services=(service,)))
    engine.state.agents["mute"] = Agent("mute", "Mute", "")  # an agent without an address
    for guest in (ANN, DAN, EVE, FAY):  # each proved their address with a one-time link (bot/identity)
        engine.state.guests[guest.id] = Guest(
            guest.name,
            f"{guest.id}@example.org",
            id=guest.id,
            email_proven_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    engine.state.guests[NOEMAIL.id] = Guest(NOEMAIL.name, None, id=NOEMAIL.id)
    conversation = (await engine.handle(StartConversation(ANN.id, "hello", service="sales"))).conversation
    await engine.handle(AddMember(conversation.id, ALICE, email="dan@example.org"))
    await engine.handle(JoinByLink(EVE.id, conversation.link_token or ""))
    return engine, conversation.id


def members(engine: FakeEngine, conversation_id: str) -> list[str]:
    return [m.key for m in engine.state.members[conversation_id]]


async def refused(engine: FakeEngine, command: Any) -> str:
    before = len(engine.state.outbox)
    with pytest.raises(DomainError) as error:
        await engine.handle(command)
    assert len(engine.state.outbox) == before  # a refusal records nothing
    return error.value.code


def test_the_world_starts_with_an_owner_an_added_guest_and_an_external(world: Any) -> None:
    engine, cid = world
    assert members(engine, cid) == ["guest:ann", "guest:dan", "guest:eve"]
    assert [m.external for m in engine.state.members[cid]] == [False, False, True]


ADDITIONS = [
    # (who adds, whom) → the notice, or the refusal's code
    ("alice", {"agent": "carol"}, "Alice added Carol."),
    ("bob", {"agent": "alice"}, "Bob added Alice."),
    ("alice", {"email": "gus@example.org"}, "Alice added gus."),  # a new guest, named by the address
    ("alice", {"email": "gus@example.org", "name": "Gus"}, "Alice added Gus."),
    ("alice", {"email": "fay@example.org"}, "Alice added Fay."),  # a known guest, by address
    ("alice", {"email": "FAY@example.org"}, "Alice added Fay."),  # addresses ignore case
    ("alice", {"email": "dan@example.org"}, "already"),  # a member already: nothing changes
    ("alice", {"email": "ann@example.org"}, "already"),  # the owner
    ("alice", {"agent": "carol", "email": "gus@example.org"}, "agent_or_email"),
    ("alice", {}, "agent_or_email"),
    ("alice", {"email": "   "}, "email_required"),
    ("alice", {"email": "not-an-address"}, "invalid_email"),
    ("alice", {"agent": "mute"}, "email_required"),  # every member needs an email address
    ("alice", {"agent": "zed"}, "unknown_agent"),
    ("carol", {"agent": "carol"}, "unknown_conversation"),  # cannot see it: learns nothing
    ("ann", {"email": "gus@example.org"}, "agents_only"),  # the owner reads and writes, not manages
    ("dan", {"email": "gus@example.org"}, "agents_only"),
    ("eve", {"email": "gus@example.org"}, "agents_only"),
    ("fay", {"email": "gus@example.org"}, "unknown_conversation"),
]


@pytest.mark.parametrize("by, whom, outcome", ADDITIONS)
async def test_adding_a_member_dialogue(world: Any, by: str, whom: dict[str, Any], outcome: str) -> None:
    engine, cid = world
    before, count = len(engine.state.outbox), len(engine.state.members[cid])
    command = AddMember(cid, PEOPLE[by], **whom)
    if outcome == "already":
        joined = await engine.handle(command)
        assert not joined.created and len(engine.state.members[cid]) == count
        assert len(engine.state.outbox) == before
    elif not outcome.endswith("."):
        assert await refused(engine, command) == outcome
        assert len(engine.state.members[cid]) == count
    else:
        joined = await engine.handle(command)
        assert joined.created and members(engine, cid)[-1] == joined.member.key
        assert joined.member.email and not joined.member.external
        assert engine.state.messages[-1].text == outcome
        # An address nobody proved yet becomes a new guest, invited by a one-time link to it.
        invited = "email" in whom and not whom["email"].lower().startswith("fay@")
        assert engine.event_types(before) == ["MemberAdded", "MessagePosted"] + (
            ["EmailProofIssued"] if invited else []
        )


REMOVALS = [
    # (who removes, whom) → the notice, or the refusal's code
    ("alice", "guest:dan", "Alice removed Dan."),
    ("alice", "guest:eve", "Alice removed Eve."),
    ("bob", "guest:dan", "Bob removed Dan."),
    ("alice", "guest:ann", "cannot_remove_owner"),  # the guest who started it stays
    ("alice", "guest:fay", "unknown_member"),
    ("alice", "agent:carol", "unknown_member"),
    ("carol", "guest:dan", "unknown_conversation"),
    ("ann", "guest:dan", "agents_only"),
    ("dan", "guest:eve", "agents_only"),
    ("eve", "guest:dan", "agents_only"),
]


@pytest.mark.parametrize("by, whom, outcome", REMOVALS)
async def test_removing_a_member_dialogue(world: Any, by: str, whom: str, outcome: str) -> None:
    engine, cid = world
    before, keys = len(engine.state.outbox), members(engine, cid)
    kind, member_id = whom.split(":")
    command = RemoveMember(cid, PEOPLE[by], kind, member_id)
    if not outcome.endswith("."):
        assert await refused(engine, command) == outcome
        assert members(engine, cid) == keys
        return
    await engine.handle(command)
    assert members(engine, cid) == [k for k in keys if k != whom]
    assert engine.state.messages[-1].text == outcome
    assert engine.event_types(before) == ["MemberRemoved", "MessagePosted"]
    # Their widget gets no more notices.
    assert not [
        b
        for b in engine.state.bindings
        if b.conversation_id == cid and b.address.get("guest_id") == member_id
    ]


async def test_an_agent_who_leaves_says_so(world: Any) -> None:
    engine, cid = world
    await engine.handle(AddMember(cid, ALICE, agent="bob"))
    await engine.handle(RemoveMember(cid, BOB, "agent", "bob"))
    assert engine.state.messages[-1].text == "Bob left the conversation."


WRITING = [
    # (read-only for externals?, who writes) → written, or the refusal's code
    (True, "eve", "read_only"),  # the external member reads but does not write
    (True, "ann", "written"),
    (True, "dan", "written"),  # added by an agent: not external
    (True, "alice", "written"),
    (False, "eve", "written"),
    (False, "fay", "unknown_conversation"),
]


@pytest.mark.parametrize("read_only, by, outcome", WRITING)
async def test_read_only_for_externals_dialogue(world: Any, read_only: bool, by: str, outcome: str) -> None:
    engine, cid = world
    await engine.handle(SetReadOnly(cid, ALICE, read_only))
    assert engine.state.conversations[cid].read_only_external is read_only
    command = PostMessage(cid, PEOPLE[by], "a word")
    if outcome != "written":
        assert await refused(engine, command) == outcome
        return
    posted = await engine.handle(command)
    assert posted.message.text == "a word"


async def test_read_only_externals_still_react(world: Any) -> None:
    engine, cid = world
    await engine.handle(SetReadOnly(cid, ALICE, True))
    message = next(m for m in engine.state.messages if m.text == "hello")
    assert await engine.handle(React(cid, message.id, EVE, "👍")) == 1
    assert engine.event_types()[-1] == "ReactionAdded"


@pytest.mark.parametrize(
    "by, outcome",
    [("alice", "Alice made this conversation read-only for external members."), ("ann", "agents_only")],
)
async def test_only_agents_switch_read_only(world: Any, by: str, outcome: str) -> None:
    engine, cid = world
    if outcome == "agents_only":
        assert await refused(engine, SetReadOnly(cid, PEOPLE[by], True)) == outcome
        assert not engine.state.conversations[cid].read_only_external
        return
    await engine.handle(SetReadOnly(cid, PEOPLE[by], True))
    assert engine.state.messages[-1].text == outcome


JOINING = [
    # (who follows the link, which link) → joined as external, or the refusal's code
    ("fay", "right", "joined"),
    ("eve", "right", "already"),
    ("ann", "right", "already"),  # the owner
    ("fay", "wrong", "invalid_link"),
    ("fay", "", "invalid_link"),
    ("noemail", "right", "email_required"),  # every member needs an email address
    ("nobody", "right", "unknown_guest"),
]


@pytest.mark.parametrize("who, link, outcome", JOINING)
async def test_joining_by_link_dialogue(world: Any, who: str, link: str, outcome: str) -> None:
    engine, cid = world
    token = {"right": engine.state.conversations[cid].link_token, "wrong": "nope", "": ""}[link]
    count = len(engine.state.members[cid])
    command = JoinByLink(who, token)
    if outcome in ("joined", "already"):
        joined = await engine.handle(command)
        assert joined.created is (outcome == "joined")
        assert len(engine.state.members[cid]) == count + joined.created
        if joined.created:
            assert joined.member.external and engine.state.messages[-1].text == "Fay joined by link."
        return
    assert await refused(engine, command) == outcome
    assert len(engine.state.members[cid]) == count


def fill(engine: FakeEngine, cid: str, total: int) -> None:
    """Seeds the fake database with guests up to ``total`` members."""
    rows = engine.state.members[cid]
    rows.extend(Member("guest", f"g{i}", f"G{i}", f"g{i}@example.org") for i in range(total - len(rows)))


@pytest.mark.parametrize(
    "already, command, outcome",
    [
        (MAX_MEMBERS - 1, "add", "joined"),  # the 1,000th member is welcome
        (MAX_MEMBERS, "add", "too_many_members"),
        (MAX_MEMBERS - 1, "link", "joined"),
        (MAX_MEMBERS, "link", "too_many_members"),
    ],
)
async def test_a_conversation_has_at_most_1000_members(
    world: Any, already: int, command: str, outcome: str
) -> None:
    engine, cid = world
    fill(engine, cid, already)
    if command == "add":
        order: Any = AddMember(cid, ALICE, agent="carol")
    else:
        order = JoinByLink(FAY.id, engine.state.conversations[cid].link_token or "")
    if outcome == "joined":
        assert (await engine.handle(order)).created
        assert len(engine.state.members[cid]) == MAX_MEMBERS
        return
    assert await refused(engine, order) == outcome
    assert len(engine.state.members[cid]) == MAX_MEMBERS
