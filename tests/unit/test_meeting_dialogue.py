"""Meeting rules as dialogue tables, on fakes: who books, moves, resizes or cancels, and what follows.

No HTTP and no database: the real bus and handlers over ``FakeEngine`` with a clock that stands still
on Monday 23 November 2026, 09:00 in Berlin. Agents work Monday to Friday 09:00–17:00 Berlin with
lunch 13:00–14:00; the horizon is one month (to 23 December, 09:00 Berlin).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.commands import CreateAgent, CreateService, StartConversation
from bot.errors import DomainError
from bot.meetings import link_window
from bot.meetings.commands import (
    BookMeeting,
    CancelMeeting,
    ChangeMeetingDuration,
    RescheduleMeeting,
    UpdateAgentSettings,
)
from bot.model import Actor, Guest
from tests.fakes import FakeEngine

ALICE = Actor("agent", "alice", "Alice")
BOB = Actor("agent", "bob", "Bob")
CAROL = Actor("agent", "carol", "Carol")
SYSTEM = Actor("system", "system", "Convene")
ANN = Actor("guest", "ann", "Ann")
BEN = Actor("guest", "ben", "Ben")
CLEO = Actor("guest", "cleo", "Cleo")  # started a chat without giving an email


def z(text: str) -> datetime:
    """A UTC time, written as the API writes it."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


TUE_0900 = z("2026-11-24T08:00:00Z")  # 09:00 in Berlin
TUE_1000 = z("2026-11-24T09:00:00Z")
NOV_23, NOV_24, NOV_25, NOV_27, MAR_1 = (
    date(2026, 11, 23),
    date(2026, 11, 24),
    date(2026, 11, 25),
    date(2026, 11, 27),
    date(2027, 3, 1),
)


@pytest.fixture
async def engine() -> FakeEngine:
    engine = FakeEngine()
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateService("support", "Support"))
    lengths = {"durations": [30, 60], "default_duration": 30}
    await engine.handle(
        CreateAgent("alice", "Alice", "alice@example.com", settings=lengths, services=("sales",))
    )
    await engine.handle(CreateAgent("bob", "Bob", "bob@example.com", services=("sales",)))
    await engine.handle(CreateAgent("carol", "Carol", "carol@example.com", services=("support",)))
    for guest in (ANN, BEN):
        engine.state.guests[guest.id] = Guest(guest.name, f"{guest.id}@example.org", id=guest.id)
    engine.state.guests[CLEO.id] = Guest(CLEO.name, None, id=CLEO.id)
    return engine


PEOPLE = {"Ann": ANN, "Ben": BEN, "Cleo": CLEO, "alice": ALICE, "bob": BOB, "carol": CAROL, "system": SYSTEM}


async def book(engine: FakeEngine, by: str = "Ann", start: Any = TUE_0900, **fields: Any) -> Any:
    fields.setdefault("duration", 30)
    fields.setdefault("subject", "Demo")
    if PEOPLE[by].kind == "agent" and "conversation_id" not in fields:
        started = await engine.handle(StartConversation(ANN.id, "hello", service="sales"))
        fields["conversation_id"] = started.conversation.id
    return await engine.handle(BookMeeting(start=start, by=PEOPLE[by], **fields))


async def refused(work: Any) -> str:
    with pytest.raises(DomainError) as error:
        await work
    return error.value.code


BOOKINGS = [
    # (who books, what they ask) → who gets the meeting, or the refusal's code
    ("Ann", {"agent": "alice"}, "alice"),
    ("Ann", {"service": "sales"}, "alice"),  # nobody booked yet: the first by name
    ("Ann", {"service": "sales", "agent": "bob"}, "bob"),
    ("Ann", {"agent": "alice", "duration": 60}, "alice"),
    ("Ann", {"agent": "bob", "duration": 60}, "invalid_duration"),  # bob offers 30 minutes only
    ("Ann", {"agent": "alice", "start": z("2026-11-28T09:00:00Z")}, "slot_taken"),  # a Saturday
    ("Ann", {"agent": "alice", "start": z("2026-11-24T12:00:00Z")}, "slot_taken"),  # lunch
    ("Ann", {"agent": "alice", "start": z("2026-12-22T08:00:00Z")}, "alice"),  # inside the month
    ("Ann", {"agent": "alice", "start": z("2026-12-28T08:00:00Z")}, "beyond_horizon"),  # not taken: too far
    # The guest's email is where the invitation goes: none, no booking; given with it, booked.
    ("Cleo", {"agent": "alice"}, "email_required"),
    ("Cleo", {"agent": "alice", "guest_email": "not an address"}, "invalid_email"),
    ("Cleo", {"agent": "alice", "guest_email": "cleo@example.org"}, "alice"),
    # A personal link's ?start=&end= is a rule (days in the agent's zone), clipped to the horizon.
    ("Ann", {"agent": "alice", "link_start": NOV_25, "link_end": NOV_27}, "outside_link_window"),
    ("Ann", {"agent": "alice", "link_end": NOV_23}, "outside_link_window"),
    ("Ann", {"agent": "alice", "link_start": NOV_24, "link_end": NOV_24}, "alice"),
    ("Ann", {"agent": "alice", "start": z("2026-12-22T08:00:00Z"), "link_end": MAR_1}, "alice"),  # clipped
    ("Ann", {"agent": "alice", "start": z("2026-12-28T08:00:00Z"), "link_end": MAR_1}, "beyond_horizon"),
    # 00:30 on the 24th in Berlin (the 23rd in UTC) is inside a link for the 24th: then just not free.
    ("Ann", {"agent": "alice", "start": z("2026-11-23T23:30:00Z"), "link_start": NOV_24}, "slot_taken"),
    ("Ann", {"agent": "alice", "start": datetime(2026, 11, 24, 9)}, "invalid_start"),  # no zone
    ("Ann", {"agent": "zed"}, "unknown_agent"),
    ("Ann", {"service": "nope"}, "unknown_service"),
    ("Ann", {"service": "sales", "agent": "carol"}, "not_a_member"),
    ("Ann", {}, "service_or_agent"),
    ("Ann", {"agent": "alice", "subject": "  "}, "empty_subject"),
    ("Ann", {"agent": "alice", "guest_timezone": "Mars/Base"}, "invalid_timezone"),
    ("alice", {}, "alice"),  # an agent books for the guest of a conversation, with themself
    ("alice", {"agent": "bob"}, "bob"),
    ("carol", {}, "unknown_conversation"),  # carol cannot see a sales conversation
    ("alice", {"conversation_id": None}, "conversation_required"),
]


@pytest.mark.parametrize("by, ask, outcome", BOOKINGS)
async def test_booking_dialogue(engine: FakeEngine, by: str, ask: dict[str, Any], outcome: str) -> None:
    before = len(engine.state.outbox)
    if outcome not in ("alice", "bob"):
        assert await refused(book(engine, by, **ask)) == outcome
        assert engine.state.meetings == {}
        assert engine.event_types(before)[-1:] != ["MeetingBooked"]  # a refusal books nothing
        return
    booking = await book(engine, by, **ask)
    meeting = engine.state.meetings[booking.meeting.id]
    assert (booking.created, meeting.agent, meeting.status) == (True, outcome, "booked")
    assert engine.event_types(before)[-1] == "MeetingBooked"
    notice = [m for m in engine.state.messages if m.conversation_id == meeting.conversation_id][-1]
    assert notice.text.startswith("Meeting booked: Demo, ") and notice.author.kind == "system"
    jobs = {
        (j["kind"], j["payload"]["meeting_id"]) for j in engine.state.jobs if "meeting_id" in j["payload"]
    }
    assert jobs == {("calendar_write", meeting.id), ("meeting_reminder", meeting.id)}


async def test_a_guest_without_an_email_is_asked_for_it_and_it_is_kept(engine: FakeEngine) -> None:
    with pytest.raises(DomainError) as error:
        await book(engine, "Cleo", agent="alice")
    assert (error.value.code, error.value.details.get("field"), error.value.status) == (
        "email_required",
        "email",
        400,
    )
    assert engine.state.guests["cleo"].email is None  # the refusal changed nothing
    booking = await book(engine, "Cleo", agent="alice", guest_email=" cleo@example.org ")
    assert engine.state.guests["cleo"].email == "cleo@example.org"
    assert engine.state.meetings[booking.meeting.id].guest_id == "cleo"
    # An email already known is never replaced by one typed into a booking form.
    await book(engine, "Cleo", agent="alice", start=TUE_1000, guest_email="other@example.org")
    assert engine.state.guests["cleo"].email == "cleo@example.org"


@pytest.mark.parametrize(
    "link_start, link_end, expected",
    [
        (None, None, (NOV_23, date(2026, 12, 23))),  # no frame: today to the horizon's day
        (NOV_24, NOV_27, (NOV_24, NOV_27)),
        (date(2026, 11, 1), NOV_25, (NOV_23, NOV_25)),  # a start in the past starts today
        (NOV_24, MAR_1, (NOV_24, date(2026, 12, 23))),  # an over-long frame is clipped, not refused
    ],
)
def test_a_link_frame_is_clipped_to_today_and_the_horizon(
    link_start: date | None, link_end: date | None, expected: tuple[date, date]
) -> None:
    assert link_window.clip(link_start, link_end, today=NOV_23, last=date(2026, 12, 23)) == expected


async def test_a_taken_slot_is_refused_with_the_next_free_times(engine: FakeEngine) -> None:
    await book(engine, "Ann", agent="alice")
    with pytest.raises(DomainError) as error:
        await book(engine, "Ben", agent="alice")
    assert error.value.code == "slot_taken"
    assert error.value.details["alternatives"][:3] == [
        "2026-11-24T08:30:00Z",
        "2026-11-24T09:00:00Z",
        "2026-11-24T09:30:00Z",
    ]
    assert len(engine.state.meetings) == 1


async def test_beyond_the_month_is_its_own_refusal_not_a_taken_slot(engine: FakeEngine) -> None:
    with pytest.raises(DomainError) as error:
        await book(engine, "Ann", agent="alice", start=z("2026-12-28T08:00:00Z"))
    assert (error.value.code, error.value.status, error.value.details["field"]) == (
        "beyond_horizon",
        400,
        "start",
    )
    assert "one month ahead" in error.value.message


async def test_a_service_booking_goes_to_a_free_member_when_one_is_taken(engine: FakeEngine) -> None:
    first = await book(engine, "Ann", service="sales")
    second = await book(engine, "Ben", service="sales")
    assert (first.meeting.agent, second.meeting.agent) == ("alice", "bob")
    assert await refused(book(engine, "Ben", service="sales", subject="Third")) == "slot_taken"


async def test_the_same_idempotency_key_books_once(engine: FakeEngine) -> None:
    first = await book(engine, "Ann", agent="alice", idempotency_key="k1")
    again = await book(engine, "Ann", agent="alice", idempotency_key="k1")
    assert (first.created, again.created, again.meeting.id) == (True, False, first.meeting.id)
    assert len(engine.state.meetings) == 1


async def test_booking_again_with_the_same_agent_continues_the_conversation(engine: FakeEngine) -> None:
    first = await book(engine, "Ann", agent="alice")
    second = await book(engine, "Ann", agent="alice", start=TUE_1000)
    assert first.meeting.conversation_id == second.meeting.conversation_id


CHANGES = [
    # (who, what) on Ann's 30-minute meeting with Alice, Tuesday 09:00 Berlin → event, or refusal
    ("Ann", ("move", "2026-11-24T09:00:00Z"), "MeetingRescheduled"),
    ("alice", ("move", "2026-11-24T09:00:00Z"), "MeetingRescheduled"),
    ("bob", ("move", "2026-11-24T09:00:00Z"), "not_found"),  # not his meeting, not his conversation
    ("Ben", ("move", "2026-11-24T09:00:00Z"), "not_found"),  # someone else's meeting looks missing
    ("system", ("move", "2026-11-24T09:00:00Z"), "MeetingRescheduled"),
    ("Ann", ("move", "2026-11-24T12:00:00Z"), "slot_taken"),  # lunch
    ("Ann", ("move", "2026-11-24T10:00:00Z"), "slot_taken"),  # Ben's meeting with Alice
    ("Ann", ("move", "2026-12-28T08:00:00Z"), "slot_taken"),  # beyond the month
    ("Ann", ("move", "2026-11-24T09:00:00"), "invalid_start"),
    ("Ann", ("resize", 60), "MeetingDurationChanged"),
    ("alice", ("resize", 60), "MeetingDurationChanged"),
    ("Ann", ("resize", 45), "invalid_duration"),
    ("carol", ("resize", 60), "not_found"),
    ("Ann", ("cancel", None), "MeetingCancelled"),
    ("alice", ("cancel", "Ill"), "MeetingCancelled"),
    ("Ben", ("cancel", None), "not_found"),
    ("carol", ("cancel", None), "not_found"),
]


def change(meeting_id: str, by: Actor, what: str, value: Any) -> Any:
    if what == "move":
        start = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return RescheduleMeeting(meeting_id, start, by)
    if what == "resize":
        return ChangeMeetingDuration(meeting_id, value, by)
    return CancelMeeting(meeting_id, by, reason=value)


@pytest.mark.parametrize("by, what, outcome", CHANGES)
async def test_meeting_change_dialogue(
    engine: FakeEngine, by: str, what: tuple[str, Any], outcome: str
) -> None:
    mine = (await book(engine, "Ann", agent="alice")).meeting
    await book(engine, "Ben", agent="alice", start=z("2026-11-24T10:00:00Z"))
    before, messages = len(engine.state.outbox), len(engine.state.messages)
    command = change(mine.id, PEOPLE[by], *what)
    if not outcome.startswith("Meeting"):
        assert await refused(engine.handle(command)) == outcome
        assert engine.state.meetings[mine.id] == mine  # unchanged
        assert len(engine.state.outbox) == before
        return
    await engine.handle(command)
    stored = engine.state.meetings[mine.id]
    assert engine.event_types(before) == ["MessagePosted", outcome]
    assert len(engine.state.messages) == messages + 1  # one notice in the conversation
    assert stored.sequence == 1
    kind, value = what
    if kind == "move":
        assert (stored.start, stored.duration) == (z(value), 30)
    elif kind == "resize":
        assert (stored.start, stored.duration) == (mine.start, value)
    else:
        assert stored.status == "cancelled"
        assert not any(
            j["key"] == f"reminder:{mine.id}" and j["status"] == "pending" for j in engine.state.jobs
        )


async def test_a_cancelled_meeting_can_no_longer_change(engine: FakeEngine) -> None:
    meeting = (await book(engine, "Ann", agent="alice")).meeting
    await engine.handle(CancelMeeting(meeting.id, ALICE))
    for command in (
        CancelMeeting(meeting.id, ANN),
        RescheduleMeeting(meeting.id, TUE_1000, ALICE),
        ChangeMeetingDuration(meeting.id, 60, ALICE),
    ):
        assert await refused(engine.handle(command)) == "meeting_cancelled"


async def test_a_meeting_that_has_started_can_no_longer_change(engine: FakeEngine) -> None:
    meeting = (await book(engine, "Ann", agent="alice")).meeting
    engine.clock.set(meeting.start)
    assert await refused(engine.handle(CancelMeeting(meeting.id, ALICE))) == "meeting_in_past"
    assert await refused(engine.handle(RescheduleMeeting(meeting.id, z("2026-11-25T08:00:00Z"), ALICE))) == (
        "meeting_in_past"
    )


async def test_a_cancelled_slot_is_free_again(engine: FakeEngine) -> None:
    first = (await book(engine, "Ann", agent="alice")).meeting
    await engine.handle(CancelMeeting(first.id, ANN))
    again = await book(engine, "Ben", agent="alice")
    assert again.meeting.start == first.start and again.meeting.id != first.id


async def test_a_meeting_cannot_grow_into_the_next_one(engine: FakeEngine) -> None:
    meeting = (await book(engine, "Ann", agent="alice")).meeting
    await book(engine, "Ben", agent="alice", start=z("2026-11-24T08:30:00Z"))
    assert await refused(engine.handle(ChangeMeetingDuration(meeting.id, 60, ANN))) == "slot_taken"
    assert engine.state.meetings[meeting.id].duration == 30


# (settings sent, settings stored before) → the booking calendars kept, or the refused field.
ONE_CALENDAR = [
    ({"booking_calendar": "work"}, None, ["work"]),
    ({"booking_calendar": " work "}, None, ["work"]),
    ({"booking_calendars": ["work"]}, None, ["work"]),
    ({"booking_calendars": ["a", "b"]}, None, "booking_calendars"),  # several: refused
    ({"booking_calendars": ["a", "b"]}, ["a", "b"], ["a", "b"]),  # saved before the rule: sent back as is
    ({"booking_calendar": ""}, None, "booking_calendar"),
    ({"booking_calendar": ["a"]}, None, "booking_calendar"),
]


@pytest.mark.parametrize("sent, stored, expected", ONE_CALENDAR)
async def test_bookings_go_to_one_calendar(
    engine: FakeEngine, sent: dict[str, Any], stored: list[str] | None, expected: Any
) -> None:
    if stored is not None:
        engine.state.agents["alice"].settings = {
            **engine.state.agents["alice"].settings,
            "booking_calendars": stored,
        }
    before = dict(engine.state.agents["alice"].settings)
    work = engine.handle(UpdateAgentSettings("alice", {"durations": [30, 60], **sent}, ALICE))
    if isinstance(expected, str):
        with pytest.raises(DomainError) as error:
            await work
        assert (error.value.code, error.value.details["field"]) == ("invalid_settings", expected)
        assert engine.state.agents["alice"].settings == before
    else:
        saved = await work
        assert saved["booking_calendars"] == expected
