"""Unread-message emails end to end on fakes: per person, across all their conversations. Messages arm
one job per person through ``uow.digests``, the job runner sends (or does not) at the product's times,
and only reading every conversation resets the timer. A driven clock, no sleeps.

The long table follows Alice (an agent of Sales) through three simulated days and three conversations:
Ann's and Ben's are assigned to her, Cleo's to Sales as a whole. The short tables follow Ann, a guest
with an address, in her one conversation.
"""

from __future__ import annotations

import pytest

from bot.commands import (
    AssignConversation,
    CreateAgent,
    CreateService,
    MarkRead,
    PostMessage,
    StartConversation,
)
from bot.email_digest import JOB_KIND, StopUnreadEmails, send_digest
from bot.events import UnreadDigestReady
from bot.jobs import JobRunner
from bot.model import Actor, Guest
from tests.fakes import FakeEngine, FakeJobStore

ALICE = Actor("agent", "alice", "Alice")
BOB = Actor("agent", "bob", "Bob")
GUESTS = {name: Actor("guest", name.lower(), name) for name in ("Ann", "Ben", "Cleo")}


class World:
    def __init__(self) -> None:
        self.engine = FakeEngine()
        self.runner = JobRunner(FakeJobStore(self.engine.state), self.engine.uows, self.engine.clock)
        self.runner.register(JOB_KIND, send_digest)
        self.start = self.engine.clock.now()
        self.conversations: dict[str, str] = {}  # guest name → conversation id

    async def setup(self, assigned: dict[str, str | None]) -> None:
        """One conversation per guest in ``assigned`` (guest name → assignee, None for all of Sales)."""
        await self.engine.handle(CreateService("sales", "Sales"))
        await self.engine.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
        await self.engine.handle(CreateAgent("bob", "Bob", "bob@example.com", services=("sales",)))
        for name, assignee in assigned.items():
            guest = GUESTS[name]
            self.engine.state.guests[guest.id] = Guest(name, f"{guest.id}@example.org", id=guest.id)
            started = await self.engine.handle(StartConversation(guest.id, "hello", service="sales"))
            self.conversations[name] = started.conversation.id
            if assignee:
                await self.engine.handle(AssignConversation(started.conversation.id, "sales", assignee, BOB))
        await self.read_all(ALICE)
        await self.read_all(BOB)

    async def read_all(self, reader: Actor) -> None:
        for cid in self.conversations.values():
            conversation = self.engine.state.conversations[cid]
            last = conversation.guest_seq if reader.kind == "guest" else conversation.last_seq
            if reader.kind == "agent" or cid == self.conversations.get(reader.name):
                await self.engine.handle(MarkRead(cid, reader, last))

    async def act(self, action: str) -> None:
        who, verb, *rest = action.split()
        if verb == "writes":
            await self.engine.handle(PostMessage(self.conversations[who], GUESTS[who], "news"))
        elif verb == "answers":  # Alice answers the guest named after the verb
            await self.engine.handle(PostMessage(self.conversations[rest[0]], ALICE, "answer"))
        elif verb == "reads" and rest == ["all"]:
            await self.read_all(ALICE if who == "Alice" else GUESTS[who])
        elif verb == "reads":
            cid = self.conversations[rest[0]]
            await self.engine.handle(MarkRead(cid, ALICE, self.engine.state.conversations[cid].last_seq))

    async def run(self, timeline: list[tuple[int, str]], until: int) -> None:
        """Minute by minute from the start: each action at its minute, then whatever jobs are due."""
        actions: dict[int, list[str]] = {}
        for minute, action in timeline:
            actions.setdefault(minute, []).append(action)
        for minute in range(until + 1):
            self.engine.clock.set(self.start)
            self.engine.clock.advance(minutes=minute)
            for action in actions.get(minute, []):
                await self.act(action)
            await self.runner.run_due()

    def emails(self, email: str) -> list[tuple[int, str]]:
        """The emails to one address: (minute sent, "Title count, …" for each conversation listed)."""
        found = [
            row["event"] for row in self.engine.state.outbox if isinstance(row["event"], UnreadDigestReady)
        ]
        return [
            (
                int((self.engine.clock.now().fromisoformat(e.sent_at) - self.start).total_seconds() // 60),
                ", ".join(f"{c['title']} {len(c['messages'])}" for c in e.conversations),
            )
            for e in found
            if e.email == email
        ]


# (minute from the start, what happens); day 2 starts at minute 1440, day 3 at 2880.
THREE_DAYS = [
    (0, "Ann writes"),
    (2, "Ben writes"),  # the same burst: one email at minute 5 lists both conversations
    (30, "Cleo writes"),  # Cleo's conversation is Sales's as a whole: Alice is one of its readers
    (60, "Alice reads Ann"),  # Ben's and Cleo's stay unread: no reset
    (61, "Ann writes"),
    (300, "Ben writes"),
    (600, "Ann writes"),  # three emails already this day: the fourth waits for 24 hours after the first
    (1500, "Alice reads all"),  # the middle of day 2: everything read, the timer resets
    (1510, "Cleo writes"),  # mailed within 5 minutes again, a fifth email within 24 hours
    (1520, "Cleo writes"),
    (1760, "Ben writes"),
    (2000, "Ann writes"),  # three in this streak: waits for 24 hours after minute 1515
    (3000, "Alice reads Ann"),  # one of three: no reset
    (3001, "Ann writes"),
    (3100, "Alice answers Ben"),  # her own message is nobody's unread message for her
]

ALICE_GETS = [
    (5, "Ann 1, Ben 1"),
    (245, "Cleo 1, Ann 1"),  # 4 hours after the first, oldest first; Ben's message was mailed already
    (485, "Ben 1"),
    (1445, "Ann 1"),  # a rolling day after the first
    (1515, "Cleo 1"),  # the reset: within 5 minutes, though four went out in the last 24 hours
    (1755, "Cleo 1"),
    (1995, "Ben 1"),
    (2955, "Ann 1"),
    (3195, "Ann 1"),  # reading one conversation of three kept the count: 24 hours after minute 1755
]


async def test_alice_gets_at_most_three_batched_emails_a_day_over_three_days_and_three_conversations() -> (
    None
):
    world = World()
    await world.setup({"Ann": "alice", "Ben": "alice", "Cleo": None})
    await world.run(THREE_DAYS, until=3 * 1440)
    assert world.emails("alice@example.com") == ALICE_GETS


async def test_bob_gets_only_the_conversation_of_sales_as_a_whole() -> None:
    world = World()
    await world.setup({"Ann": "alice", "Ben": "alice", "Cleo": None})
    await world.run(THREE_DAYS[:6], until=600)
    assert world.emails("bob@example.com") == [(35, "Cleo 1")]


async def test_a_new_widget_conversation_to_a_service_emails_every_member_of_the_service() -> None:
    world = World()
    await world.setup({})
    world.engine.state.guests["ann"] = Guest("Ann", "ann@example.org", id="ann")
    await world.engine.handle(StartConversation("ann", "hello", service="sales"))
    await world.run([], until=5)
    assert world.emails("alice@example.com") == [(5, "Ann 1")]
    assert world.emails("bob@example.com") == [(5, "Ann 1")]


# Ann, a guest, in her one conversation: (minute, what happens) → her emails.
ANN_TIMELINES = [
    ([(0, "Alice answers Ann")], 4, []),  # not yet: 5 minutes batch a burst
    ([(0, "Alice answers Ann")], 5, [(5, "Sales 1")]),
    ([(0, "Alice answers Ann"), (2, "Alice answers Ann")], 5, [(5, "Sales 2")]),  # one email for the burst
    ([(0, "Alice answers Ann"), (4, "Ann reads all")], 60, []),  # read in time: no email
    ([(0, "Alice answers Ann"), (10, "Alice answers Ann")], 60, [(5, "Sales 1")]),  # 4 hours apart…
    ([(0, "Alice answers Ann"), (10, "Alice answers Ann")], 245, [(5, "Sales 1"), (245, "Sales 1")]),
    # Reading everything resets the timer: the next message is mailed within 5 minutes again.
    (
        [(0, "Alice answers Ann"), (6, "Ann reads all"), (7, "Alice answers Ann")],
        12,
        [(5, "Sales 1"), (12, "Sales 1")],
    ),
]


@pytest.mark.parametrize("timeline, until, expected", ANN_TIMELINES)
async def test_a_guest_gets_unread_emails_for_her_own_conversation(
    timeline: list[tuple[int, str]], until: int, expected: list[tuple[int, str]]
) -> None:
    world = World()
    await world.setup({"Ann": "alice"})
    await world.read_all(GUESTS["Ann"])
    await world.run(timeline, until=until)
    assert world.emails("ann@example.org") == expected


async def test_a_guest_reads_in_her_own_numbering_and_never_sees_internal_notes() -> None:
    world = World()
    await world.setup({"Ann": "alice"})
    cid = world.conversations["Ann"]
    await world.engine.handle(PostMessage(cid, ALICE, "note", internal=True))
    await world.engine.handle(PostMessage(cid, ALICE, "visible"))
    await world.run([], until=5)
    sent = [row["event"] for row in world.engine.state.outbox if isinstance(row["event"], UnreadDigestReady)]
    ann = next(e for e in sent if e.email == "ann@example.org")
    [listed] = ann.conversations
    conversation = world.engine.state.conversations[cid]
    assert [m["text"] for m in listed["messages"]] == ["visible"]
    assert [m["seq"] for m in listed["messages"]] == [conversation.guest_seq]
    assert conversation.guest_seq < conversation.last_seq


async def test_one_job_per_person_however_many_conversations() -> None:
    world = World()
    await world.setup({"Ann": "alice", "Ben": "alice", "Cleo": "alice"})
    for name in ("Ann", "Ben", "Cleo"):
        await world.act(f"{name} writes")
    pending = [j for j in world.engine.state.jobs if j["kind"] == JOB_KIND and j["status"] == "pending"]
    assert [j["key"] for j in pending] == ["digest:agent:alice"]


async def test_a_person_who_unsubscribed_gets_no_more_emails() -> None:
    world = World()
    await world.setup({"Ann": "alice"})
    await world.run([(0, "Ann writes")], until=5)
    await world.engine.handle(StopUnreadEmails("agent", "alice"))
    world.start = world.engine.clock.now()
    await world.run([(0, "Ann writes"), (300, "Ann writes")], until=600)
    assert len(world.emails("alice@example.com")) == 1  # the one before she unsubscribed


async def test_a_removed_member_gets_no_email_and_loses_the_state() -> None:
    world = World()
    await world.setup({"Ann": "alice"})
    await world.read_all(GUESTS["Ann"])
    cid = world.conversations["Ann"]
    await world.act("Alice answers Ann")
    world.engine.state.members[cid] = [m for m in world.engine.state.members[cid] if m.id != "ann"]
    await world.run([], until=5)
    assert world.emails("ann@example.org") == [] and ("guest", "ann") not in world.engine.state.digests


async def test_each_unread_email_carries_its_reader_s_time_zone_for_the_times_it_lists() -> None:
    world = World()
    await world.setup({"Ann": "alice"})
    world.engine.state.guests["ann"].timezone = "America/New_York"
    await world.read_all(GUESTS["Ann"])
    await world.run([(0, "Ann writes"), (10, "Alice answers Ann")], until=16)
    sent = [row["event"] for row in world.engine.state.outbox if isinstance(row["event"], UnreadDigestReady)]
    zones = {e.email: e.timezone for e in sent}
    assert zones == {"alice@example.com": "Europe/Berlin", "ann@example.org": "America/New_York"}
