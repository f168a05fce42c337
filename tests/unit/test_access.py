"""Access from each viewer's side: who sees, writes, reacts, sees members and manages a conversation."""

from __future__ import annotations

import pytest

from bot import access
from bot.model import Actor, Conversation, Member

SERVICES = {"alice": ["sales"], "bob": ["sales"], "carol": ["support"], "dave": ["support"], "erin": []}
# Ann started it (with Sales); Bob was assigned; Dave (support) was added; Ben was invited by email;
# Eve joined by link.
MEMBERS = [
    Member("guest", "ann", "Ann", "ann@example.org"),
    Member("agent", "bob", "Bob", "bob@example.com"),
    Member("agent", "dave", "Dave", "dave@example.com"),
    Member("guest", "ben", "Ben", "ben@example.org"),
    Member("guest", "eve", "Eve", "eve@example.org", external=True),
]


def _actor(spec: str) -> Actor:
    kind, _, who = spec.partition(":")
    return Actor(kind, who, who.capitalize())  # type: ignore[arg-type]


def _check(viewer: str, read_only: bool) -> tuple[str, str]:
    conversation = Conversation(guest_id="ann", service="sales", assignee="bob", read_only_external=read_only)
    actor = _actor(viewer)
    services = SERVICES.get(actor.id, []) if actor.kind == "agent" else []
    answers = {
        "see": access.can_see(conversation, actor, services, MEMBERS),
        "write": access.can_write(conversation, actor, services, MEMBERS),
        "react": access.can_react(conversation, actor, services, MEMBERS),
        "members": access.can_see_members(conversation, actor, services, MEMBERS),
        "manage": access.can_manage(conversation, actor, services, MEMBERS),
    }
    return access.role_of(conversation, actor, services, MEMBERS), " ".join(
        k for k, v in answers.items() if v
    )


ALL = "see write react members manage"
GUEST = "see write react members"
# (viewer, read-only for externals?) → (role, what they may do)
DIALOGUE = [
    ("agent:alice", False, "agent", ALL),  # in the service
    ("agent:bob", False, "agent", ALL),  # the assignee
    ("agent:dave", False, "agent", ALL),  # another service, but a member
    ("agent:carol", False, "none", ""),  # another service, not a member
    ("agent:erin", False, "none", ""),
    ("guest:ann", False, "owner", GUEST),
    ("guest:ben", False, "guest", GUEST),
    ("guest:eve", False, "external", GUEST),
    ("guest:mallory", False, "none", ""),
    ("agent:alice", True, "agent", ALL),
    ("guest:ann", True, "owner", GUEST),
    ("guest:ben", True, "guest", GUEST),  # invited by an agent: not external
    ("guest:eve", True, "external", "see react"),  # reads and reacts; no writing, no member list
    ("guest:mallory", True, "none", ""),
]


@pytest.mark.parametrize("viewer, read_only, role, allowed", DIALOGUE)
def test_access_from_each_side(viewer: str, read_only: bool, role: str, allowed: str) -> None:
    assert _check(viewer, read_only) == (role, allowed)


def test_an_agent_conversation_is_visible_to_its_agent_only() -> None:
    conversation = Conversation(guest_id="ann", agent="alice", assignee="alice")
    members = [Member("guest", "ann", "Ann", None), Member("agent", "alice", "Alice", "alice@example.com")]
    assert access.can_see(conversation, _actor("agent:alice"), [], members)
    assert not access.can_see(conversation, _actor("agent:bob"), ["sales"], members)


@pytest.mark.parametrize(
    "kind, member_id, sender, accepted",
    [
        ("guest", "ben", "ben@example.org", True),
        ("guest", "ben", "BEN@Example.org ", True),  # addresses compare without case
        ("guest", "ben", "ann@example.org", False),  # another member's address is not Ben's
        ("guest", "ben", "mallory@example.org", False),
        ("guest", "ben", "", False),
        ("agent", "bob", "bob@example.com", True),
        ("agent", "carol", "carol@example.com", False),  # not a member
    ],
)
def test_a_reply_by_mail_counts_only_from_that_members_address(
    kind: str, member_id: str, sender: str, accepted: bool
) -> None:
    assert (access.reply_author(MEMBERS, kind, member_id, sender) is not None) is accepted
