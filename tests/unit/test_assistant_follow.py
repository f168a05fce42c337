"""The engine rule for the organiser's calendar as a second source (bot/assistant/follow.py), on fakes:
a move or deletion reported by the calendar sync is the same change as the invitation's, applied once
whichever comes first, with or without a SEQUENCE from the calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.assistant.commands import CancelCalendarEvent
from bot.assistant.follow import follow_calendar
from bot.assistant.handlers import cancel_calendar_event
from scheduling.calendar import EventChange
from tests.conftest import DrivenClock
from tests.support.fake_assistant import AssistantUnitOfWorkFactory
from tests.unit.test_assistant_engine import EVENT, SETTINGS, accept

NINE, TEN = datetime(2027, 3, 29, 9, tzinfo=UTC), datetime(2027, 3, 29, 10, tzinfo=UTC)
MOVED_EVENT = replace(EVENT, sequence=1, start=NINE, end=TEN)


@pytest.fixture
def world() -> tuple[AssistantUnitOfWorkFactory, DrivenClock]:
    from bot.model import Agent

    factory = AssistantUnitOfWorkFactory()
    factory.state.agents["alice"] = Agent("alice", "Alice", "alice@example.com")
    return factory, DrivenClock()


def moved(sequence: int | None = None, **changes: Any) -> EventChange:
    values: dict[str, Any] = dict(
        meeting_id="", external_event_id="evt-1", deleted=False, start=NINE, end=TEN, ical_uid="uid-1"
    )
    return EventChange(**{**values, "sequence": sequence, **changes})


async def sync(
    world: Any, change: EventChange, known: dict[str, str] | None = None, organizer: str = "alice"
) -> tuple[int, dict[str, str]]:
    factory, clock = world
    uow = factory()
    async with uow:
        result = await follow_calendar(uow, clock, SETTINGS, organizer, [change], known or {})
        await uow.commit()
    return result


def changes(factory: AssistantUnitOfWorkFactory) -> list[str]:
    """The member mails of changes, in order (Ann is the one member who is told)."""
    return [e.change for e in factory.events() if e.type == "CalendarMeetingChanged"]  # type: ignore[attr-defined]


def notices(factory: AssistantUnitOfWorkFactory) -> list[str]:
    return [m.text for m in factory.state.messages if "moved" in m.text or "cancelled" in m.text]


@pytest.mark.parametrize("sequence", [None, 1], ids=["graph without a sequence", "google with one"])
async def test_a_calendar_move_then_the_invitation_of_it_is_one_change(
    world: Any, sequence: int | None
) -> None:
    factory = world[0]
    await accept(world)
    assert await sync(world, moved(sequence)) == (1, {"evt-1": "uid-1"})
    (meeting,) = factory.state.calendar_meetings.values()
    assert (meeting.start, meeting.end) == (NINE, TEN) and meeting.sequence == (sequence or 0)
    assert changes(factory) == ["moved"] and len(notices(factory)) == 1

    outcome = await accept(world, MOVED_EVENT)
    (meeting,) = factory.state.calendar_meetings.values()
    assert outcome.result == "unchanged" and meeting.sequence == 1
    assert changes(factory) == ["moved"] and len(notices(factory)) == 1
    # Without a SEQUENCE the update is news to us (taken over quietly, answered); with one, a repeat.
    replies = [e.type for e in factory.events()].count("CalendarReplyDue")
    assert replies == (2 if sequence is None else 1)


async def test_the_invitation_then_the_calendar_showing_it_is_one_change(world: Any) -> None:
    factory = world[0]
    await accept(world)
    await accept(world, MOVED_EVENT)
    assert await sync(world, moved()) == (0, {"evt-1": "uid-1"})
    assert await sync(world, moved(1)) == (0, {"evt-1": "uid-1"})
    assert changes(factory) == ["moved"] and len(notices(factory)) == 1


async def test_a_calendar_sequence_below_the_meetings_is_older_news(world: Any) -> None:
    await accept(world, replace(EVENT, sequence=2))
    assert (await sync(world, moved(1)))[0] == 0
    (meeting,) = world[0].state.calendar_meetings.values()
    assert meeting.start == EVENT.start


async def test_a_deletion_by_bare_id_cancels_once_and_the_cancel_mail_adds_nothing(world: Any) -> None:
    factory, clock = world
    await accept(world)
    bare = EventChange(meeting_id="", external_event_id="evt-1", deleted=True)
    assert await sync(world, bare) == (0, {})  # an id never seen with its UID: nobody's
    assert await sync(world, bare, {"evt-1": "uid-1"}) == (1, {})
    (meeting,) = factory.state.calendar_meetings.values()
    assert meeting.status == "cancelled" and changes(factory) == ["cancelled"]
    cancel = CancelCalendarEvent("alice@example.com", (replace(EVENT, sequence=1),), "")
    assert (await cancel_calendar_event(cancel, factory(), clock, SETTINGS)).result == "unchanged"
    assert changes(factory) == ["cancelled"]


async def test_the_cancel_mail_first_leaves_nothing_for_the_calendar(world: Any) -> None:
    factory, clock = world
    await accept(world)
    cancel = CancelCalendarEvent("alice@example.com", (replace(EVENT, sequence=1),), "")
    await cancel_calendar_event(cancel, factory(), clock, SETTINGS)
    deleted = EventChange(meeting_id="", external_event_id="evt-1", deleted=True, ical_uid="uid-1")
    assert await sync(world, deleted) == (0, {})
    assert await sync(world, moved()) == (0, {})  # a cancelled meeting is not followed
    assert changes(factory) == ["cancelled"]


@pytest.mark.parametrize(
    "case, change, organizer",
    [
        ("another agent's calendar", moved(), "bob"),
        ("one occurrence of a series", moved(occurrence=True), "alice"),
        ("an event nobody invited the assistant to", moved(ical_uid="someone-else"), "alice"),
    ],
)
async def test_what_the_calendar_rule_leaves_alone(
    world: Any, case: str, change: EventChange, organizer: str
) -> None:
    await accept(world)
    assert (await sync(world, change, organizer=organizer))[0] == 0
    assert changes(world[0]) == []


async def test_same_time_updates_by_mail_alone_are_still_announced(world: Any) -> None:
    """The calendar's mark is only ever read at the SEQUENCE it was left at: updates that never came
    through the calendar keep their "updated" notice, however many there are."""
    await accept(world)
    first = await accept(world, replace(EVENT, sequence=1, location="Room 1"))
    second = await accept(world, replace(EVENT, sequence=2, location="Room 2"))
    assert (first.result, second.result) == ("updated", "updated")
    assert changes(world[0]) == ["updated", "updated"]
