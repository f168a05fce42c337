"""A meeting with a team, changed after booking from the inbox, Slack or Teams (the ordinary meeting
commands): every member and every room is checked, every member's and room's calendar is rewritten, and
every member is mailed and reminded, not only the lead.

On fakes (``InvitationEngine``): Monday 23 November 2026, 09:00 Berlin; Alice leads, Bob attends, the
room Oslo is held; everyone works 09:00–17:00 Berlin.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.commands import CreateAgent
from bot.errors import DomainError
from bot.invitations.commands import BookInvitation, CreateInvitation, InvitationDraft
from bot.invitations.model import Room
from bot.links import inbox_link
from bot.meetings.commands import BookMeeting, CancelMeeting, ChangeMeetingDuration, RescheduleMeeting
from bot.meetings.jobs import send_reminder
from bot.model import Actor, Guest
from bot.ports import JobItem
from tests.support.fake_invitations import InvitationEngine

ALICE, BOB = Actor("agent", "alice", "Alice"), Actor("agent", "bob", "Bob")
SYSTEM = Actor("system", "system", "x")
TUESDAY = date(2026, 11, 24)


def z(hhmm: str, day: int = 24) -> datetime:
    return datetime.fromisoformat(f"2026-11-{day}T{hhmm}:00+00:00").astimezone(UTC)


@pytest.fixture
async def engine() -> InvitationEngine:
    engine = InvitationEngine()
    for slug, name in (("alice", "Alice"), ("bob", "Bob"), ("carol", "Carol")):
        settings = {"durations": [30, 60, 90, 120]}
        await engine.handle(CreateAgent(slug, name, f"{slug}@example.com", settings=settings))
    engine.state.__dict__.setdefault("rooms", {})["oslo"] = Room("Oslo", "oslo@rooms.example.com", id="oslo")
    engine.state.guests["ann"] = Guest("Ann", "ann@example.org", id="ann")
    return engine


async def team_meeting(engine: InvitationEngine, start: datetime, **changes: Any) -> Any:
    """Alice and Bob with the room Oslo, one hour, booked by the customer through the invitation."""
    fields: dict[str, Any] = dict(
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        duration=60,
        members=("alice", "bob"),
        rooms=("oslo",),
        start_date=TUESDAY,
        end_date=TUESDAY + timedelta(days=1),
    )
    fields.update(changes)
    invitation = await engine.handle(CreateInvitation(InvitationDraft(**fields), ALICE))
    return await engine.handle(BookInvitation(invitation.token, start))


async def busy(engine: InvitationEngine, agent: str, start: datetime, minutes: int = 60) -> Any:
    booking = await engine.handle(
        BookMeeting(start=start, by=SYSTEM, agent=agent, guest_id="ann", duration=minutes)
    )
    return booking.meeting


async def refused(work: Any) -> DomainError:
    with pytest.raises(DomainError) as error:
        await work
    return error.value


def attendee_writes(engine: InvitationEngine, meeting_id: str) -> list[str]:
    return sorted(
        j["payload"]["attendee"]
        for j in engine.state.jobs
        if j["kind"] == "attendee_calendar_write" and j["payload"]["meeting_id"] == meeting_id
    )


def last_event(engine: InvitationEngine, kind: str) -> Any:
    return [row["event"] for row in engine.state.outbox if row["event"].type == kind][-1]


# Who moves the team meeting where (UTC; 08:00 is 09:00 Berlin) → what happens
MOVES = [
    (ALICE, "09:00", None, "moved"),  # everyone free
    (BOB, "09:00", None, "moved"),  # a member who is not the lead moves it too
    (ALICE, "10:00", None, "slot_taken"),  # Bob has another meeting 10:00–11:00
    (ALICE, "13:30", None, "slot_taken"),  # Carol holds the room Oslo 13:30–14:30
    (ALICE, "16:30", None, "slot_taken"),  # 17:30 Berlin: outside everyone's hours
    (ALICE, "08:30", 120, "slot_taken"),  # two hours from 08:30 run into Bob's 10:00
]


@pytest.mark.parametrize("by, to, minutes, outcome", MOVES)
async def test_a_team_meeting_moves_only_to_a_time_that_suits_every_member_and_room(
    engine: InvitationEngine, by: Actor, to: str, minutes: int | None, outcome: str
) -> None:
    meeting = await team_meeting(engine, z("08:00"))
    await busy(engine, "bob", z("10:00"))
    other = await team_meeting(engine, z("13:30"), members=("carol",), guest_email="dora@customer.example")
    assert other.agent == "carol"
    before = attendee_writes(engine, meeting.id)
    work = engine.handle(RescheduleMeeting(meeting.id, z(to), by, duration=minutes))
    if outcome == "moved":
        moved = await work
        assert (moved.start, moved.sequence) == (z(to), 1)
        assert attendee_writes(engine, meeting.id) == sorted([*before, "agent:bob", "room:oslo"])
        return
    error = await refused(work)
    assert error.code == outcome
    assert engine.state.meetings[meeting.id].start == z("08:00")  # nothing moved
    assert attendee_writes(engine, meeting.id) == before  # and no calendar was touched
    # The alternatives suit everyone: never in Bob's 10:00 hour, never in the room's 13:30 hour.
    assert error.details["alternatives"]
    for text in error.details["alternatives"]:
        start = datetime.fromisoformat(text.replace("Z", "+00:00"))
        assert not z("09:00") < start < z("11:00") and not z("12:30") < start < z("14:30")


async def test_a_longer_team_meeting_is_checked_for_every_member(engine: InvitationEngine) -> None:
    meeting = await team_meeting(engine, z("10:00"))
    await busy(engine, "bob", z("11:00"), 30)
    error = await refused(engine.handle(ChangeMeetingDuration(meeting.id, 90, ALICE)))
    assert error.code == "slot_taken"
    changed = await engine.handle(ChangeMeetingDuration(meeting.id, 30, ALICE))
    assert changed.end == z("10:30")
    assert attendee_writes(engine, meeting.id).count("agent:bob") == 2  # booked, then changed


async def test_its_own_time_never_blocks_a_team_meetings_move(engine: InvitationEngine) -> None:
    meeting = await team_meeting(engine, z("08:00"))
    moved = await engine.handle(RescheduleMeeting(meeting.id, z("08:30"), ALICE))
    assert moved.start == z("08:30")
    async with engine.uow(read_only=True) as uow:
        held = await uow.invitations.attendee_busy(["agent:bob", "room:oslo"], z("07:00"), z("12:00"))
    assert {k: [(i.start, i.end) for i in v] for k, v in held.items()} == {
        "agent:bob": [(z("08:30"), z("09:30"))],
        "room:oslo": [(z("08:30"), z("09:30"))],
    }


async def test_cancelling_a_team_meeting_clears_every_members_and_rooms_calendar(
    engine: InvitationEngine,
) -> None:
    meeting = await team_meeting(engine, z("08:00"))
    await engine.handle(CancelMeeting(meeting.id, BOB, "Double-booked"))
    assert engine.state.meetings[meeting.id].status == "cancelled"
    assert attendee_writes(engine, meeting.id) == ["agent:bob", "agent:bob", "room:oslo", "room:oslo"]
    cancelled = last_event(engine, "MeetingCancelled")
    mailed = {a["email"]: a["role"] for _, a in cancelled.direct_destinations()}
    assert mailed == {
        "alice@example.com": "agent",
        "carl@customer.example": "guest",
        "bob@example.com": "member",
    }
    # Bob and the room are free again for anyone.
    assert (await busy(engine, "bob", z("08:00"))).start == z("08:00")


async def test_every_member_of_a_team_meeting_is_told_of_a_move(engine: InvitationEngine) -> None:
    meeting = await team_meeting(engine, z("08:00"))
    await engine.handle(RescheduleMeeting(meeting.id, z("10:00"), BOB))
    moved = last_event(engine, "MeetingRescheduled")
    assert moved.members == (("bob", "Bob", "bob@example.com", "Europe/Berlin"),)
    assert [a["email"] for _, a in moved.direct_destinations()] == [
        "alice@example.com",
        "carl@customer.example",
        "bob@example.com",
    ]


async def test_every_member_of_a_team_meeting_gets_the_reminder(engine: InvitationEngine) -> None:
    meeting = await team_meeting(engine, z("08:00"))
    reminder = next(j for j in engine.state.jobs if j["kind"] == "meeting_reminder")
    engine.clock.set(reminder["run_at"])
    async with engine.uow() as uow:
        item = JobItem(1, "meeting_reminder", None, {"meeting_id": meeting.id}, reminder["run_at"], 0)
        await send_reminder(item, uow, engine.clock)
        await uow.commit()
    due = last_event(engine, "ReminderDue")
    assert sorted(a["email"] for _, a in due.direct_destinations()) == [
        "alice@example.com",
        "bob@example.com",
        "carl@customer.example",
    ]


async def test_a_meeting_of_one_agent_moves_as_before(engine: InvitationEngine) -> None:
    alone = await busy(engine, "alice", z("08:00"), 30)
    moved = await engine.handle(RescheduleMeeting(alone.id, z("09:00"), ALICE))
    assert moved.start == z("09:00")
    assert attendee_writes(engine, alone.id) == []
    assert last_event(engine, "MeetingRescheduled").members == ()


async def test_a_team_move_follows_each_members_own_zone_across_daylight_saving_time() -> None:
    """New York moves its clocks on 14 March 2027, Berlin on 28 March: for two weeks a Berlin lead and
    a New York member share one hour more of their working days (13:00–16:00 UTC instead of 14:00–16:00)."""
    engine = InvitationEngine()
    engine.clock.set(datetime(2027, 3, 1, 8, tzinfo=UTC))
    settings = {"durations": [60]}
    await engine.handle(CreateAgent("alice", "Alice", "alice@example.com", settings=settings))
    await engine.handle(
        CreateAgent(
            "bob", "Bob", "bob@example.com", "America/New_York", {**settings, "timezone": "America/New_York"}
        )
    )
    meeting = await team_meeting(
        engine,
        datetime(2027, 3, 16, 14, tzinfo=UTC),
        rooms=(),
        start_date=date(2027, 3, 16),
        end_date=date(2027, 3, 16),
    )
    before = await refused(
        engine.handle(RescheduleMeeting(meeting.id, datetime(2027, 3, 9, 13, tzinfo=UTC), ALICE))
    )
    assert before.code == "slot_taken"  # 08:00 in New York (EST): Bob has not started yet
    moved = await engine.handle(RescheduleMeeting(meeting.id, datetime(2027, 3, 16, 13, tzinfo=UTC), ALICE))
    assert moved.start == datetime(2027, 3, 16, 13, tzinfo=UTC)  # 09:00 in New York (EDT), 14:00 Berlin


def test_a_team_member_reads_the_change_as_the_agent_side_in_their_own_zone() -> None:
    from adapters.email.meeting_mail import render_meeting_mail
    from bot.meetings.events import MeetingRescheduled

    event = MeetingRescheduled(
        conversation_id="c1",
        meeting_id="m1",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id="g1",
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        start=z("13:00"),
        end=z("14:00"),
        sequence=1,
        by=BOB,
        agent_timezone="Europe/Berlin",
        previous_start=z("08:00"),
        previous_end=z("09:00"),
        members=(("bob", "Bob", "bob@example.com", "America/New_York"),),
    )
    mail = render_meeting_mail(
        event, "bob@example.com", "Bob", "http://convene.test", member=("bob", "America/New_York")
    )
    text = mail.get_body(("plain",)).get_content()
    assert "You changed Pricing call with Carl." in text
    assert "Tue 24 Nov 2026 08:00–09:00 (America/New_York)" in text
    assert inbox_link("http://convene.test", "c1") in text  # the inbox, not the guest's page


def test_the_ics_of_a_team_meeting_lists_the_customer_and_every_member_as_attendees() -> None:
    from adapters.email.meeting_mail import render_meeting_mail
    from bot.meetings.events import MeetingBooked

    event = MeetingBooked(
        conversation_id="c1",
        meeting_id="m1",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id="g1",
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        start=z("13:00"),
        end=z("14:00"),
        sequence=0,
        by=BOB,
        agent_timezone="Europe/Berlin",
        members=(
            ("bob", "Bob", "bob@example.com", "America/New_York"),
            ("dora", "Dora", "dora@example.com", "Europe/Berlin"),
        ),
    )
    for reader, name, member in (
        ("bob@example.com", "Bob", ("bob", "America/New_York")),  # a member besides the lead
        ("alice@example.com", "Alice", None),  # the lead
        ("carl@customer.example", "Carl", None),  # the customer
    ):
        mail = render_meeting_mail(event, reader, name, "http://convene.test", member=member)
        [ics] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        text = ics.get_content().replace("\r\n ", "")  # unfolded
        attendees = sorted(
            line.rsplit("mailto:", 1)[1].lower() for line in text.splitlines() if line.startswith("ATTENDEE")
        )
        assert attendees == ["bob@example.com", "carl@customer.example", "dora@example.com"], reader
        assert "ORGANIZER" in text and "mailto:alice@example.com" in text.lower()
