"""Who sees each event: the engine records an audience with every event, and ``bot.access`` answers from it.

A dialogue with fakes: a guest writes, agents reply, write an internal note, react to both, read, rename,
assign and add and remove members. Each recorded event is then asked who sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import access
from bot.bus import MessageBus
from bot.calendars.connections import CalendarConnectionBroken
from bot.commands import (
    AddMember,
    AssignConversation,
    CreateAgent,
    CreateService,
    MarkRead,
    PostMessage,
    React,
    RegisterGuest,
    RemoveMember,
    RenameConversation,
    StartConversation,
    Unreact,
)
from bot.events import Audience, Event, LoginLinkIssued, MessagePosted, UnreadDigestReady, from_json, to_json
from bot.handlers import HANDLERS
from bot.handlers.posting import PostingHooks
from bot.meetings.events import (
    MeetingBooked,
    MeetingCancelled,
    MeetingDurationChanged,
    MeetingRescheduled,
    ReminderDue,
)
from bot.model import Actor
from tests.conftest import DrivenClock
from tests.fakes import FakeUnitOfWorkFactory

ALICE = Actor("agent", "alice", "Alice")
EVERYONE, AGENTS = Audience.EVERYONE, Audience.AGENTS


async def dialogue() -> list[tuple[str, Event]]:
    """Every step of the dialogue, named, with the events it recorded."""
    uows = FakeUnitOfWorkFactory()
    bus = MessageBus(uows, HANDLERS, {"clock": DrivenClock(), "posting": PostingHooks()})
    await bus.handle(CreateService("sales", "Sales"))
    for slug in ("alice", "bob"):
        await bus.handle(CreateAgent(slug, slug.capitalize(), f"{slug}@example.com", services=("sales",)))
    uows.state.outbox.clear()
    steps: list[tuple[str, Event]] = []

    async def step(name: str, command: object) -> object:
        before = len(uows.state.outbox)
        result = await bus.handle(command)
        steps.extend((name, row["event"]) for row in uows.state.outbox[before:])
        return result

    ann = (await bus.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    cid = (await step("Ann writes", StartConversation(ann.id, "Hello", service="sales"))).conversation.id
    public = (await step("Alice replies", PostMessage(cid, ALICE, "Hi Ann"))).message.id
    note = (await step("Alice writes a note", PostMessage(cid, ALICE, "VIP", internal=True))).message.id
    await step("Alice reacts to the reply", React(cid, public, ALICE, "👍"))
    await step("Alice reacts to the note", React(cid, note, ALICE, "👀"))
    await step("Alice takes back her reaction to the note", Unreact(cid, note, ALICE, "👀"))
    await step("Alice takes back her reaction to the reply", Unreact(cid, public, ALICE, "👍"))
    await step("Ann reacts to the reply", React(cid, public, ann.actor, "🎉"))
    await step("Ann reads", MarkRead(cid, ann.actor, 3))
    await step("Bob reads up to the note", MarkRead(cid, Actor("agent", "bob", "Bob"), 4))
    await step("Alice renames it", RenameConversation(cid, ALICE, "Ann's order"))
    await step("Alice takes it", AssignConversation(cid, "sales", "alice", by=ALICE))
    await step("Alice adds Ben", AddMember(cid, ALICE, email="ben@example.org", name="Ben"))
    ben = next(m for m in uows.state.members[cid] if m.name == "Ben")
    await step("Alice removes Ben", RemoveMember(cid, ALICE, "guest", ben.id))
    return steps


DIALOGUE = [
    # (step, event, about, who sees it)
    ("Ann writes", "ConversationStarted", "", AGENTS),
    ("Ann writes", "MessagePosted", "Ann started a conversation with Sales.", EVERYONE),
    ("Ann writes", "MessagePosted", "Hello", EVERYONE),
    ("Alice replies", "MessagePosted", "Hi Ann", EVERYONE),
    ("Alice writes a note", "MessagePosted", "VIP", AGENTS),
    ("Alice reacts to the reply", "ReactionAdded", "👍", EVERYONE),
    ("Alice reacts to the note", "ReactionAdded", "👀", AGENTS),
    ("Alice takes back her reaction to the note", "ReactionRemoved", "👀", AGENTS),
    ("Alice takes back her reaction to the reply", "ReactionRemoved", "👍", EVERYONE),
    ("Ann reacts to the reply", "ReactionAdded", "🎉", EVERYONE),
    ("Ann reads", "MessagesRead", "", AGENTS),
    ("Bob reads up to the note", "MessagesRead", "", AGENTS),
    # The guest's "Seen": how far an agent read, in the guest's numbering (the note is not counted).
    ("Bob reads up to the note", "ConversationSeen", "", EVERYONE),
    ("Alice renames it", "ConversationRenamed", "Ann's order", EVERYONE),
    ("Alice renames it", "MessagePosted", "Alice renamed the conversation to “Ann's order”.", EVERYONE),
    ("Alice takes it", "ConversationAssigned", "", AGENTS),
    ("Alice takes it", "MessagePosted", "Alice took this conversation (Sales).", EVERYONE),
    ("Alice adds Ben", "MemberAdded", "", AGENTS),
    ("Alice adds Ben", "MessagePosted", "Alice added Ben.", EVERYONE),
    # A new address gets a one-time invitation link in its own mailbox only (no thread has it).
    ("Alice adds Ben", "EmailProofIssued", "", EVERYONE),
    ("Alice removes Ben", "MemberRemoved", "", AGENTS),
    ("Alice removes Ben", "MessagePosted", "Alice removed Ben.", EVERYONE),
]


def about(event: Event) -> str:
    return str(getattr(event, "text", None) or getattr(event, "emoji", None) or getattr(event, "title", ""))


async def test_the_dialogue_records_exactly_these_events() -> None:
    steps = await dialogue()
    assert [(name, e.type, about(e)) for name, e in steps] == [(s, t, a) for s, t, a, _ in DIALOGUE]


@pytest.mark.parametrize("step, kind, what, audience", DIALOGUE, ids=[f"{s}: {t}" for s, t, _, _ in DIALOGUE])
async def test_who_sees_each_event_of_the_dialogue(
    step: str, kind: str, what: str, audience: Audience
) -> None:
    event = next(e for name, e in await dialogue() if name == step and e.type == kind and about(e) == what)
    assert access.who_sees(event) is audience
    assert access.reaches(event, "guest") is (audience is EVERYONE)
    assert access.reaches(event, "agent")
    # The outbox keeps it: the audience survives the JSON round trip.
    assert access.who_sees(from_json(event.type, to_json(event))) is audience


WHEN = datetime(2026, 3, 2, 9, tzinfo=UTC)
MEETING = {
    "conversation_id": "c1",
    "meeting_id": "m1",
    "agent": "alice",
    "agent_name": "Alice",
    "agent_email": "alice@example.com",
    "guest_id": "g1",
    "guest_name": "Ann",
    "guest_email": "ann@example.org",
    "subject": "Demo",
    "start": WHEN,
    "end": WHEN,
    "sequence": 0,
    "by": ALICE,
}
ELSEWHERE = [
    # Events recorded outside the dialogue: meetings go to both sides; mail to one addressee.
    (MeetingBooked(**MEETING), EVERYONE),
    (MeetingRescheduled(**MEETING, previous_start=WHEN, previous_end=WHEN), EVERYONE),
    (MeetingDurationChanged(**MEETING), EVERYONE),
    (MeetingCancelled(**MEETING), EVERYONE),
    (ReminderDue(**MEETING), EVERYONE),
    (LoginLinkIssued("", "alice@example.com", "Alice", "t"), AGENTS),
    (UnreadDigestReady("", "guest", "g1", "Ann", "ann@example.org", ()), EVERYONE),
    (
        CalendarConnectionBroken(
            agent="alice",
            agent_name="Alice",
            agent_email="a@x",
            provider="google",
            reason="",
            reconnect_url="",
        ),
        AGENTS,  # declares no audience: agents only, so a new kind of event never leaks by omission
    ),
]


@pytest.mark.parametrize("event, audience", ELSEWHERE, ids=[e.type for e, _ in ELSEWHERE])
def test_who_sees_events_recorded_elsewhere(event: Event, audience: Audience) -> None:
    assert access.who_sees(event) is audience
    assert access.who_sees(from_json(event.type, to_json(event))) is audience


def test_a_meeting_notice_for_guests_leaves_out_the_addresses() -> None:
    assert access.hidden_from_guests(MeetingBooked(**MEETING)) == {"agent_email", "guest_email", "members"}


def test_an_internal_note_is_for_agents_even_from_an_old_outbox_row() -> None:
    row = to_json(MessagePosted("c1", "m1", 3, ALICE, "VIP", WHEN, internal=True))
    del row["audience"]  # recorded before events carried their audience
    assert access.who_sees(from_json("MessagePosted", row)) is AGENTS
