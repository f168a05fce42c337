"""Titles and avatars, from each viewer's side: who looks decides what the conversation is called."""

from __future__ import annotations

import pytest

from bot.commands import CreateAgent, CreateService, StartConversation
from bot.model import Actor, Conversation, Guest, Member
from bot.queries import view_conversation
from bot.titles import avatar, color, heading_for, initials
from tests.fakes import FakeEngine

AGENTS = {"alice": "Alice", "bob": "Bob"}
GUESTS = {"ann": "Ann", "ben": "Ben"}


def _member(spec: str) -> Member:
    kind, _, who = spec.partition(":")
    name = AGENTS.get(who) or GUESTS[who]
    return Member(kind, who, name, f"{who}@example.org")  # type: ignore[arg-type]


def _viewer(spec: str) -> Actor:
    kind, _, who = spec.partition(":")
    return Actor(kind, who, AGENTS.get(who) or GUESTS[who])  # type: ignore[arg-type]


# (viewer, started with, members besides the guest who started it, rename) → title
DIALOGUE = [
    ("agent:alice", "agent:alice", ["agent:alice"], None, "Ann"),
    ("agent:alice", "service", [], None, "Ann"),
    ("agent:bob", "service", ["guest:ben"], None, "Ann, Ben"),
    ("agent:alice", "agent:alice", ["agent:alice", "guest:ben"], None, "Ann, Ben"),
    ("guest:ann", "agent:alice", ["agent:alice"], None, "Alice"),  # a one-on-one
    ("guest:ann", "agent:alice", ["agent:alice", "agent:bob"], None, "Sales"),  # a group
    ("guest:ann", "agent:alice", ["agent:alice", "guest:ben"], None, "Sales"),  # a group
    ("guest:ben", "agent:alice", ["agent:alice", "guest:ben"], None, "Sales"),
    ("guest:ann", "service", [], None, "Sales"),  # from the widget
    ("guest:ann", "service", ["agent:alice"], None, "Sales"),  # assigned, still the service's
    ("guest:ann", "agent:alice", [], None, "Alice"),  # the agent's membership row is not needed
    ("guest:ann", "agent:alice", ["agent:bob"], None, "Bob"),  # whoever is the one agent in it
    ("agent:alice", "service", ["guest:ben"], "Launch", "Launch"),  # a rename shows to everyone
    ("guest:ann", "agent:alice", ["agent:alice"], "Launch", "Launch"),
    ("guest:ben", "service", ["guest:ben"], "Launch", "Launch"),
]


@pytest.mark.parametrize("viewer, started, members, rename, expected", DIALOGUE)
def test_title_depends_on_viewer(
    viewer: str, started: str, members: list[str], rename: str | None, expected: str
) -> None:
    agent = started.partition(":")[2] if started.startswith("agent:") else None
    conversation = Conversation(
        guest_id="ann",
        agent=agent,
        service="sales" if agent is None or len(members) > 1 else None,
        title=rename,
    )
    heading = heading_for(
        _viewer(viewer),
        conversation,
        [_member("guest:ann"), *(_member(m) for m in members)],
        guest_names=["Ann"],
        agent_names=AGENTS,
        service_name="Sales" if conversation.service else None,
        agent_avatars={"alice": "https://pics.example/alice.png"},
    )
    assert heading.title == expected
    assert heading.avatar["initials"] == initials(expected)


# A conversation started from Alice's personal link has no service of its own; the caller passes
# the agent's service (``bot.queries``). (viewer, members besides Ann, Alice's service) → title
PERSONAL_LINK = [
    ("guest:ann", ["agent:alice"], "Sales", "Alice"),  # a one-on-one: the agent's name
    ("guest:ann", ["agent:alice", "guest:ben"], "Sales", "Sales"),  # a group: the service's
    ("guest:ann", ["agent:alice", "agent:bob"], "Sales", "Sales"),
    ("guest:ben", ["agent:alice", "guest:ben"], "Sales", "Sales"),
    ("guest:ann", ["agent:alice", "agent:bob"], None, "Alice, Bob"),  # Alice is in no service at all
    ("agent:alice", ["agent:alice", "guest:ben"], "Sales", "Ann, Ben"),  # agents see the guests
]


@pytest.mark.parametrize("viewer, members, service_name, expected", PERSONAL_LINK)
def test_a_guest_in_a_group_from_a_personal_link_sees_the_service(
    viewer: str, members: list[str], service_name: str | None, expected: str
) -> None:
    conversation = Conversation(guest_id="ann", agent="alice", service=None)
    heading = heading_for(
        _viewer(viewer),
        conversation,
        [_member("guest:ann"), *(_member(m) for m in members)],
        guest_names=["Ann"],
        agent_names=AGENTS,
        service_name=service_name,
    )
    assert heading.title == expected


def test_the_avatar_follows_the_displayed_name() -> None:
    conversation = Conversation(guest_id="ann", agent="alice")
    kwargs = dict(
        guest_names=["Ann"],
        agent_names={"alice": "Alice"},
        service_name=None,
        agent_avatars={"alice": "https://pics.example/alice.png"},
    )
    one_on_one = [_member("guest:ann"), _member("agent:alice")]
    seen_by_ann = heading_for(_viewer("guest:ann"), conversation, one_on_one, **kwargs)  # type: ignore[arg-type]
    assert seen_by_ann.avatar == {
        "initials": "A",
        "color": color("Alice"),
        "url": "https://pics.example/alice.png",
    }
    seen_by_alice = heading_for(_viewer("agent:alice"), conversation, one_on_one, **kwargs)  # type: ignore[arg-type]
    assert seen_by_alice.avatar["url"] is None and seen_by_alice.avatar["color"] == color("Ann")
    # Ben joins: agents now see "Ann, Ben"; the avatar changes with the name.
    group = [*one_on_one, _member("guest:ben")]
    after = heading_for(_viewer("agent:alice"), conversation, group, **kwargs)  # type: ignore[arg-type]
    assert (after.title, after.avatar["initials"]) == ("Ann, Ben", "AB")
    assert after.avatar["color"] == color("Ann, Ben")


@pytest.mark.parametrize(
    "name, expected",
    [("Ann", "A"), ("Ann Smith", "AS"), ("Ann, Ben", "AB"), ("ann, ben, carl", "AB"), ("", "?"), ("  ", "?")],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_colors_are_stable_and_spread() -> None:
    assert color("Ann") == color("Ann") == avatar("ann")["color"]
    assert len({color(n) for n in ["Ann", "Ben", "Carl", "Dora", "Emil", "Fay", "Gus", "Hal"]}) > 3


# On the engine's fakes: Ann starts from Alice's personal link (Alice is in Sales, Dave in no service).
# (agent of the link, who else joins) → what Ann sees
ENGINE_TITLES = [
    ("alice", [], "Alice"),
    ("alice", ["guest:ben"], "Sales"),
    ("alice", ["agent:bob"], "Sales"),
    ("dave", ["agent:bob"], "Dave, Bob"),  # no service to name: the agents
]


@pytest.mark.parametrize("link_agent, joining, expected", ENGINE_TITLES)
async def test_a_guest_sees_the_service_in_a_group_from_a_personal_link(
    link_agent: str, joining: list[str], expected: str
) -> None:
    engine = FakeEngine()
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    await engine.handle(CreateAgent("bob", "Bob", "bob@example.com", services=("sales",)))
    await engine.handle(CreateAgent("dave", "Dave", "dave@example.com"))
    for guest in ("ann", "ben"):
        engine.state.guests[guest] = Guest(GUESTS[guest], f"{guest}@example.org", id=guest)
    started = await engine.handle(StartConversation("ann", "Hello", agent=link_agent))
    cid = started.conversation.id
    async with engine.uow() as uow:
        for spec in joining:
            kind, _, who = spec.partition(":")
            name = {**AGENTS, **GUESTS}[who]
            await uow.conversations.add_member(cid, Member(kind, who, name, f"{who}@example.org"))  # type: ignore[arg-type]
        await uow.commit()
    async with engine.uow(read_only=True) as uow:
        view = await view_conversation(uow, Actor("guest", "ann", "Ann"), cid)
    assert view.title == expected
