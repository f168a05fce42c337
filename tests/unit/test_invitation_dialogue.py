"""Invitation rules as dialogue tables, on fakes: what an agent may create, what the customer's one click
books, and what a taken, expired or withdrawn invitation answers.

The real bus and handlers over ``InvitationEngine`` (FakeEngine plus ``uow.invitations``), with a clock
that stands still on Monday 23 November 2026, 09:00 in Berlin. Alice and Bob work Monday to Friday
09:00–17:00 Berlin (the default settings); rooms have no hours of their own.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.commands import CreateAgent
from bot.errors import DomainError
from bot.invitations.commands import (
    BookInvitation,
    CancelByInvitation,
    CreateInvitation,
    InvitationDraft,
    RescheduleByInvitation,
    WithdrawInvitation,
)
from bot.invitations.handlers import count_slots
from bot.invitations.model import Room
from bot.meetings.commands import BookMeeting
from bot.model import Actor, Guest
from scheduling.calendar import Interval
from tests.support.fake_invitations import InvitationEngine

ALICE = Actor("agent", "alice", "Alice")
TUESDAY = date(2026, 11, 24)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


TUE_0900, TUE_0930, TUE_1000, TUE_1030, TUE_1100 = (
    z(f"2026-11-24T{h}:00Z") for h in ("08:00", "08:30", "09:00", "09:30", "10:00")
)
ROOMS = {
    "oslo": Room("Oslo", "oslo@rooms.example.com", 8, id="oslo"),
    "rome": Room("Rome", "rome@rooms.example.com", 4, pool="small", id="rome"),
    "nice": Room("Nice", "nice@rooms.example.com", 4, pool="small", id="nice"),
    "bern": Room("Bern", "bern@rooms.example.com", 4, pool="small", id="bern"),
}


@pytest.fixture
async def engine() -> InvitationEngine:
    engine = InvitationEngine()
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com"))
    await engine.handle(CreateAgent("bob", "Bob", "bob@example.com"))
    engine.state.__dict__.setdefault("rooms", {}).update(ROOMS)
    # a returning customer who proved her address earlier (bot/identity): an agent naming it finds her
    engine.state.guests["ann"] = Guest(
        "Ann", "ann@example.org", id="ann", email_proven_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    return engine


def draft(**changes: Any) -> InvitationDraft:
    """Tuesday 09:00–12:00 Berlin, one hour, Alice and Bob: starts 09:00, 09:30 … 11:00."""
    base = InvitationDraft(
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        duration=60,
        members=("alice", "bob"),
        start_date=TUESDAY,
        end_date=TUESDAY,
        day_start="09:00",
        day_end="12:00",
    )
    return replace(base, **changes)


async def invite(engine: InvitationEngine, **changes: Any) -> Any:
    return await engine.handle(CreateInvitation(draft(**changes), ALICE))


async def refused(work: Any) -> DomainError:
    with pytest.raises(DomainError) as error:
        await work
    return error.value


async def bob_busy(engine: InvitationEngine, start: datetime) -> None:
    await engine.handle(
        BookMeeting(start=start, by=Actor("system", "system", "x"), agent="bob", guest_id="ann", duration=30)
    )


COUNTS = [
    # (what is already booked, what the agent asks) → how many slots the dialog shows
    ([], {}, 5),
    ([TUE_1000], {}, 3),  # Bob 10:00–10:30 blocks the 09:30 and 10:00 starts
    ([TUE_1000], {"members": ("alice",)}, 5),  # Alice alone does not care about Bob
    ([], {"duration": 180}, 1),
    ([], {"duration": 30}, 6),
    ([], {"rooms": ("oslo",)}, 5),
    ([], {"pools": ("small",)}, 5),
    (
        [],
        {"start_date": TUESDAY + timedelta(days=4), "end_date": TUESDAY + timedelta(days=5)},
        0,
    ),  # a weekend
]


@pytest.mark.parametrize("booked, changes, expected", COUNTS)
async def test_the_dialog_counts_the_slots_when_every_member_and_room_is_free(
    engine: InvitationEngine, booked: list[datetime], changes: dict[str, Any], expected: int
) -> None:
    for start in booked:
        await bob_busy(engine, start)
    found = await count_slots(draft(**changes), ALICE, engine, engine.clock)
    assert found["count"] == expected


async def test_an_invitation_without_a_free_slot_is_refused_and_says_who_is_busy(
    engine: InvitationEngine,
) -> None:
    saturday = TUESDAY + timedelta(days=4)
    before = len(engine.state.messages)
    error = await refused(invite(engine, start_date=saturday, end_date=saturday))
    assert (error.code, error.status) == ("no_free_slots", 409)
    assert error.details["busy"] == ["Alice", "Bob"]
    assert engine.state.invitations == {} and len(engine.state.messages) == before


async def test_a_room_booked_all_day_is_named_when_no_slot_is_left(engine: InvitationEngine) -> None:
    first = await invite(engine, members=("alice",), rooms=("oslo",), day_start="09:00", day_end="10:00")
    await engine.handle(BookInvitation(first.token, TUE_0900))
    error = await refused(
        invite(engine, members=("bob",), rooms=("oslo",), day_start="09:00", day_end="10:00")
    )
    assert (error.code, error.details["busy"]) == ("no_free_slots", ["Oslo"])


async def test_one_click_books_a_meeting_for_every_member_and_room(engine: InvitationEngine) -> None:
    invitation = await invite(engine, rooms=("oslo",), promoted=(TUE_1000, TUE_1100))
    meeting = await engine.handle(BookInvitation(invitation.token, TUE_1000))
    assert (meeting.agent, meeting.start, meeting.end) == ("alice", TUE_1000, TUE_1000 + timedelta(hours=1))
    stored = engine.state.invitations[invitation.id]
    assert (stored.status, stored.meeting_id) == ("booked", meeting.id)
    assert sorted(r["key"] for r in engine.state.attendees) == ["agent:alice", "agent:bob", "room:oslo"]
    texts = [m.text for m in engine.state.messages if m.conversation_id == invitation.conversation_id]
    assert "Alice invited Carl to schedule 'Pricing call'" in texts
    assert any(t.startswith("Carl booked 'Pricing call' for Tue 24 Nov 2026 10:00–11:00") for t in texts)
    assert "MeetingBooked" in engine.event_types()
    assert [j["kind"] for j in engine.state.jobs].count("calendar_write") == 1
    # The same link again: already booked, nothing more written.
    again = await refused(engine.handle(BookInvitation(invitation.token, TUE_1100)))
    assert (again.code, again.details["meeting_id"]) == ("invitation_booked", meeting.id)
    assert len(engine.state.meetings) == 1


async def test_the_invitation_lives_in_the_customers_conversation_with_the_organiser(
    engine: InvitationEngine,
) -> None:
    first = await invite(engine, guest_email="ann@example.org", guest_name="Ann")
    second = await invite(engine, guest_email="ANN@example.org", guest_name="Ann")
    assert first.conversation_id == second.conversation_id
    assert first.guest_id == "ann"
    members = {m.id for m in engine.state.members[first.conversation_id]}
    assert {"alice", "bob", "ann"} <= members


async def test_a_promoted_slot_taken_meanwhile_offers_the_next_free_times(engine: InvitationEngine) -> None:
    first = await invite(engine, promoted=(TUE_0900,))
    second = await invite(engine, members=("bob",), promoted=(TUE_0900,))
    await engine.handle(BookInvitation(first.token, TUE_0900))
    error = await refused(engine.handle(BookInvitation(second.token, TUE_0900)))
    assert error.code == "slot_taken"
    assert error.details["alternatives"] == [
        "2026-11-24T09:00:00Z",
        "2026-11-24T09:30:00Z",
        "2026-11-24T10:00:00Z",
    ]
    assert engine.state.invitations[second.id].status == "open"


async def test_a_room_is_never_double_booked_by_two_invitations(engine: InvitationEngine) -> None:
    first = await invite(engine, members=("alice",), rooms=("oslo",))
    second = await invite(engine, members=("bob",), rooms=("oslo",))
    await engine.handle(BookInvitation(first.token, TUE_0900))
    assert (await refused(engine.handle(BookInvitation(second.token, TUE_0900)))).code == "slot_taken"
    await engine.handle(BookInvitation(second.token, TUE_1000))


async def test_a_member_of_an_invitation_meeting_is_busy_for_other_invitations(
    engine: InvitationEngine,
) -> None:
    first = await invite(engine)  # Alice leads, Bob attends
    await engine.handle(BookInvitation(first.token, TUE_0900))
    found = await count_slots(draft(members=("bob",)), ALICE, engine, engine.clock)
    assert TUE_0900 not in found["slots"] and TUE_0930 not in found["slots"]


async def test_an_invitation_expires_at_the_end_of_its_time_frame(engine: InvitationEngine) -> None:
    invitation = await invite(engine)
    engine.clock.set(z("2026-11-24T10:59:00Z"))  # 11:59 Berlin: still open (no slot left, though)
    assert (await refused(engine.handle(BookInvitation(invitation.token, TUE_1100)))).code == "slot_taken"
    engine.clock.set(z("2026-11-24T11:00:00Z"))  # 12:00 Berlin: the frame is over
    assert (
        await refused(engine.handle(BookInvitation(invitation.token, TUE_1100)))
    ).code == "invitation_expired"


async def test_a_withdrawn_invitation_books_nothing(engine: InvitationEngine) -> None:
    invitation = await invite(engine)
    await engine.handle(WithdrawInvitation(invitation.id, ALICE))
    error = await refused(engine.handle(BookInvitation(invitation.token, TUE_0900)))
    assert (error.code, error.status) == ("invitation_withdrawn", 410)
    assert engine.state.meetings == {}
    texts = [m.text for m in engine.state.messages if m.conversation_id == invitation.conversation_id]
    assert "Alice withdrew the invitation to schedule 'Pricing call'" in texts
    again = await refused(engine.handle(WithdrawInvitation(invitation.id, ALICE)))
    assert again.code == "invitation_not_open"


async def test_a_pool_spreads_bookings_fairly_and_takes_only_a_free_room(engine: InvitationEngine) -> None:
    rooms = []
    for start in (TUE_0900, TUE_1000, TUE_1100):
        invitation = await invite(engine, members=("alice",), pools=("small",), day_end="13:00")
        meeting = await engine.handle(BookInvitation(invitation.token, start))
        rooms += [
            r["key"]
            for r in engine.state.attendees
            if r["meeting_id"] == meeting.id and r["key"] != "agent:alice"
        ]
    assert rooms == ["room:bern", "room:nice", "room:rome"]  # never booked: by key; then the least used
    # At 09:00 Bern is taken: the next booking at that time takes another free room of the pool.
    other = await invite(engine, members=("bob",), pools=("small",))
    meeting = await engine.handle(BookInvitation(other.token, TUE_0900))
    taken = [r["key"] for r in engine.state.attendees if r["meeting_id"] == meeting.id]
    assert taken == ["agent:bob", "room:nice"]


BAD_INPUT = [
    ({"members": ("alice", "zoe")}, "unknown_member", "members"),
    ({"rooms": ("atlantis",)}, "unknown_room", "rooms"),
    ({"pools": ("huge",)}, "unknown_pool", "pools"),
    ({"members": ()}, "empty_team", "members"),
    ({"duration": 10}, "invalid_duration", "duration"),
    ({"duration": 361}, "invalid_duration", "duration"),
    ({"start_date": date(2026, 11, 20), "end_date": date(2026, 11, 21)}, "time_frame_in_past", "end_date"),
    ({"start_date": TUESDAY, "end_date": TUESDAY - timedelta(days=1)}, "invalid_time_frame", "end_date"),
    ({"end_date": date(2026, 11, 23) + timedelta(days=91)}, "time_frame_too_far", "end_date"),
    (
        {"promoted": tuple(TUE_0900 + timedelta(minutes=30 * i) for i in range(11))},
        "too_many_promoted",
        "promoted",
    ),
    ({"promoted": (z("2026-11-24T12:00:00Z"),)}, "promoted_slot_not_free", "promoted"),
    ({"guest_email": "carl-at-example"}, "invalid_email", "guest_email"),
    ({"subject": "  "}, "empty_subject", "subject"),
    ({"timezone": "Mars/Olympus"}, "invalid_timezone", "timezone"),
    ({"meeting_type": "carrier pigeon"}, "invalid_meeting_type", "meeting_type"),
    ({"day_start": "9am"}, "invalid_hours", "day_start"),
]


@pytest.mark.parametrize("changes, code, field", BAD_INPUT)
async def test_bad_input_is_refused_with_a_code_and_a_field_and_nothing_is_written(
    engine: InvitationEngine, changes: dict[str, Any], code: str, field: str
) -> None:
    before = (len(engine.state.messages), len(engine.state.guests), len(engine.state.conversations))
    error = await refused(invite(engine, **changes))
    assert (error.code, error.details.get("field"), error.status) == (code, field, 400)
    assert engine.state.__dict__.get("invitations", {}) == {}
    assert (len(engine.state.messages), len(engine.state.guests), len(engine.state.conversations)) == before


async def test_tokens_are_unguessable_and_open_only_their_own_invitation(engine: InvitationEngine) -> None:
    first, second = await invite(engine, members=("alice",)), await invite(engine, members=("bob",))
    for token in (first.token, second.token):
        assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
    assert first.token != second.token
    await engine.handle(BookInvitation(second.token, TUE_0900))
    assert engine.state.invitations[first.id].status == "open"
    assert (
        await refused(
            engine.handle(BookInvitation(("y" if first.token[0] == "x" else "x") + first.token[1:], TUE_0900))
        )
    ).code == "unknown_invitation"


async def test_an_invitation_reaches_ninety_days_ahead_beyond_the_personal_links_month(
    engine: InvitationEngine,
) -> None:
    far = date(2026, 11, 23) + timedelta(days=85)  # a Tuesday in February
    found = await count_slots(draft(start_date=far, end_date=far), ALICE, engine, engine.clock)
    assert found["count"] == 5


async def test_the_customer_moves_the_booked_meeting_within_the_frame_for_every_member_and_room(
    engine: InvitationEngine,
) -> None:
    invitation = await invite(engine, rooms=("oslo",))
    meeting = await engine.handle(BookInvitation(invitation.token, TUE_0900))
    other = await invite(engine, members=("bob",), guest_email="dora@customer.example")
    await engine.handle(BookInvitation(other.token, TUE_1100))  # Bob 11:00–12:00
    # Its own time never blocks a move: 09:30 overlaps the meeting's present 09:00–10:00.
    moved = await engine.handle(RescheduleByInvitation(invitation.token, TUE_0930))
    assert (moved.id, moved.start, moved.sequence) == (meeting.id, TUE_0930, 1)
    async with engine.uow(read_only=True) as uow:
        keys = ["agent:alice", "agent:bob", "room:oslo"]
        held = await uow.invitations.attendee_busy(keys, TUE_0900, TUE_1100 + timedelta(hours=2))
    hour = timedelta(hours=1)
    assert held == {
        "agent:alice": [Interval(TUE_0930, TUE_0930 + hour)],
        "agent:bob": [Interval(TUE_0930, TUE_0930 + hour), Interval(TUE_1100, TUE_1100 + hour)],
        "room:oslo": [Interval(TUE_0930, TUE_0930 + hour)],
    }
    kinds = [
        (j["kind"], j["payload"].get("attendee"))
        for j in engine.state.jobs
        if j["payload"].get("meeting_id") == meeting.id
    ]
    assert (
        kinds.count(("attendee_calendar_write", "agent:bob")) == 2
        and kinds.count(("calendar_write", None)) == 2
    )
    error = await refused(engine.handle(RescheduleByInvitation(invitation.token, TUE_1030)))  # Bob is busy
    assert error.code == "slot_taken" and error.details["alternatives"] == []
    saturday = TUE_0900 + timedelta(days=4)
    assert (
        await refused(engine.handle(RescheduleByInvitation(invitation.token, saturday)))
    ).code == "slot_taken"


async def test_the_customer_cancels_from_the_link_and_every_calendar_follows(
    engine: InvitationEngine,
) -> None:
    invitation = await invite(engine, rooms=("oslo",))
    meeting = await engine.handle(BookInvitation(invitation.token, TUE_0900))
    cancelled = await engine.handle(CancelByInvitation(invitation.token, "Something came up"))
    assert (cancelled.status, cancelled.id) == ("cancelled", meeting.id)
    writes = [
        j["payload"].get("attendee") for j in engine.state.jobs if j["kind"] == "attendee_calendar_write"
    ]
    assert sorted(writes) == ["agent:bob", "agent:bob", "room:oslo", "room:oslo"]
    found = await count_slots(draft(members=("bob",), rooms=("oslo",)), ALICE, engine, engine.clock)
    assert TUE_0900 in found["slots"]  # the room and Bob are free again
    again = await refused(engine.handle(CancelByInvitation(invitation.token)))
    assert again.code == "meeting_cancelled"
    fresh = await invite(engine, guest_email="erin@customer.example")
    assert (await refused(engine.handle(CancelByInvitation(fresh.token)))).code == "invitation_not_booked"
