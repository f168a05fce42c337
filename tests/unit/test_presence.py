"""What the widget promises a guest: who answers, whether anyone is at work now, when work starts next,
who sees someone typing, and how far an agent has read ("Seen"). The clock is driven, never real."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import CreateAgent, CreateService, MarkRead, PostMessage, RegisterGuest, StartConversation
from bot.errors import NotFound
from bot.model import Actor, Agent
from bot.presence import presence_of, team_presence
from bot.queries import view_conversation
from bot.typing import typing_audience
from scheduling.opening import at_work, next_opening
from tests.conftest import DrivenClock
from tests.fakes import FakeEngine

WEEKDAYS_9_TO_5 = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
BERLIN = {"timezone": "Europe/Berlin", "working_hours": WEEKDAYS_9_TO_5}
ALICE = Actor("agent", "alice", "Alice")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def agent(slug: str, settings: dict[str, object]) -> Agent:
    return Agent(slug, slug.capitalize(), f"{slug}@example.com", settings=dict(settings))


# (now, at work in Berlin 9–17 Mon–Fri, next opening)
BERLIN_WEEK = [
    (utc(2026, 11, 23, 9, 30), True, None),  # Monday 10:30 CET
    (utc(2026, 11, 23, 8, 0), True, None),  # Monday 09:00 CET: the start counts
    (utc(2026, 11, 23, 16, 0), False, utc(2026, 11, 24, 8, 0)),  # Monday 17:00 CET: the end does not
    (utc(2026, 11, 23, 7, 59), False, utc(2026, 11, 23, 8, 0)),  # before work: today
    (utc(2026, 11, 27, 18, 0), False, utc(2026, 11, 30, 8, 0)),  # Friday evening: Monday
    (utc(2026, 11, 28, 12, 0), False, utc(2026, 11, 30, 8, 0)),  # Saturday
]


@pytest.mark.parametrize("now, working, opening", BERLIN_WEEK)
def test_working_hours_decide_who_is_at_work_and_when_work_starts(
    now: datetime, working: bool, opening: datetime | None
) -> None:
    assert at_work(WEEKDAYS_9_TO_5, "Europe/Berlin", now) is working
    if opening is not None:
        assert next_opening(WEEKDAYS_9_TO_5, "Europe/Berlin", now) == opening


def test_the_next_opening_across_the_spring_clock_change_is_nine_in_summer_time() -> None:
    # Berlin moves to CEST on Sunday 2026-03-29: Friday 09:00 was 08:00Z, Monday 09:00 is 07:00Z.
    friday_evening = utc(2026, 3, 27, 18, 0)
    assert next_opening(WEEKDAYS_9_TO_5, "Europe/Berlin", friday_evening) == utc(2026, 3, 30, 7, 0)
    assert not at_work(WEEKDAYS_9_TO_5, "Europe/Berlin", utc(2026, 3, 30, 6, 30))  # 08:30 CEST
    assert at_work(WEEKDAYS_9_TO_5, "Europe/Berlin", utc(2026, 3, 30, 7, 0))  # 09:00 CEST


def test_the_next_opening_across_the_autumn_clock_change_is_nine_in_winter_time() -> None:
    # New York falls back on Sunday 2026-11-01: Monday 09:00 EST is 14:00Z (13:00Z the week before).
    hours = {"mon": [("09:00", "17:00")]}
    assert next_opening(hours, "America/New_York", utc(2026, 10, 27, 0, 0)) == utc(2026, 11, 2, 14, 0)
    assert next_opening(hours, "America/New_York", utc(2026, 10, 20, 0, 0)) == utc(2026, 10, 26, 13, 0)


def test_a_night_shift_that_started_yesterday_is_still_at_work() -> None:
    hours = {"mon": [("22:00", "24:00")], "tue": [("00:00", "06:00")]}
    assert at_work(hours, "UTC", utc(2026, 11, 24, 3, 0))  # Tuesday 03:00


def test_a_team_is_open_while_anyone_is_at_work_else_the_earliest_opening_counts() -> None:
    tokyo = agent("kenji", {"timezone": "Asia/Tokyo", "working_hours": WEEKDAYS_9_TO_5})
    berlin = agent("alice", BERLIN)
    # Monday 2026-11-23 12:00Z: 13:00 in Berlin (at work), 21:00 in Tokyo (away).
    noon = presence_of([tokyo, berlin], utc(2026, 11, 23, 12, 0))
    assert noon.open and noon.next_opening is None
    assert [(m.slug, m.available) for m in noon.members] == [("kenji", False), ("alice", True)]
    # 20:00Z: both away; Tokyo opens first (Tuesday 09:00 JST = Tuesday 00:00Z).
    night = presence_of([tokyo, berlin], utc(2026, 11, 23, 20, 0))
    assert not night.open and night.next_opening == utc(2026, 11, 24, 0, 0)


def test_a_member_with_settings_the_rules_refuse_counts_as_away() -> None:
    broken = agent("bob", {"timezone": "Europe/Berlin", "working_hours": {"mon": [["17:00", "09:00"]]}})
    found = presence_of([broken], utc(2026, 11, 23, 9, 30))
    assert not found.open and found.next_opening is None
    assert found.members[0].name == "Bob" and found.members[0].avatar["initials"] == "B"


async def test_the_team_of_a_service_or_of_one_agent_follows_the_driven_clock() -> None:
    clock = DrivenClock(utc(2026, 11, 23, 9, 30))  # Monday 10:30 in Berlin
    engine = FakeEngine(clock)
    await engine.handle(CreateService("sales", "Sales"))
    for slug in ("alice", "bob"):
        await engine.handle(
            CreateAgent(slug, slug.capitalize(), f"{slug}@example.com", settings=BERLIN, services=("sales",))
        )
    async with engine.uow() as uow:
        team = await team_presence(uow, clock, service="sales")
        assert team.open and [m.name for m in team.members] == ["Alice", "Bob"]
        clock.advance(hours=8)  # 18:30
        alone = await team_presence(uow, clock, agent="bob")
        assert not alone.open and alone.next_opening == utc(2026, 11, 24, 8, 0)
        with pytest.raises(NotFound):
            await team_presence(uow, clock, service="nobody")


async def started() -> tuple[FakeEngine, str, Actor]:
    engine = FakeEngine(DrivenClock(utc(2026, 11, 23, 9, 30)))
    await engine.handle(CreateService("sales", "Sales"))
    for slug in ("alice", "bob"):
        await engine.handle(CreateAgent(slug, slug.capitalize(), f"{slug}@example.com", services=("sales",)))
    await engine.handle(CreateService("support", "Support"))
    await engine.handle(CreateAgent("carol", "Carol", "carol@example.com", services=("support",)))
    ann = (await engine.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    cid = (await engine.handle(StartConversation(ann.id, "Hello", service="sales"))).conversation.id
    return engine, cid, ann.actor


async def test_typing_reaches_the_other_side_but_an_internal_note_never_reaches_the_guest() -> None:
    engine, cid, ann = await started()
    async with engine.uow() as uow:
        guest_types = await typing_audience(uow, ann, cid)
        assert guest_types.agents == {"alice", "bob"} and guest_types.guests == set()
        alice_types = await typing_audience(uow, ALICE, cid)
        assert alice_types.guests == {ann.id} and alice_types.agents == {"bob"}
        note = await typing_audience(uow, ALICE, cid, internal=True)
        assert note.guests == set() and note.agents == {"bob"}
        with pytest.raises(NotFound):  # Carol cannot write there: she learns nothing
            await typing_audience(uow, Actor("agent", "carol", "Carol"), cid)


async def test_seen_counts_in_the_guests_numbering_and_only_agents_reads() -> None:
    engine, cid, ann = await started()
    await engine.handle(PostMessage(cid, ALICE, "Note for Bob", internal=True))  # seq 3, unseen by Ann
    await engine.handle(PostMessage(cid, ann, "Anyone there?"))  # seq 4, Ann's 3rd
    since = len(engine.state.outbox)
    await engine.handle(MarkRead(cid, ann, 3))
    assert "ConversationSeen" not in engine.event_types(since)  # a guest's own read is no "Seen"
    await engine.handle(MarkRead(cid, Actor("agent", "bob", "Bob"), 4))
    seen = [row["event"] for row in engine.state.outbox[since:] if row["event"].type == "ConversationSeen"]
    assert [(e.conversation_id, e.seq) for e in seen] == [(cid, 3)]
    async with engine.uow() as uow:
        assert (await view_conversation(uow, ann, cid)).seen_seq == 3  # still there after a reload
