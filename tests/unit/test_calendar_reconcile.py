"""What a calendar must do for a meeting: one decision for the local calendar and the remote ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.calendars.reconcile import CalendarState, Create, Decision, Delete, Nothing, Update, reconcile
from bot.meetings.model import BOOKED, CANCELLED, Meeting

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def meeting(status: str = BOOKED, sequence: int = 0) -> Meeting:
    return Meeting(
        "c1", "alice", "g1", "Demo", T0, T0 + timedelta(minutes=30), status=status, sequence=sequence
    )


def calendar(
    written_to: str | None = None, sequence: int | None = None, provider: str = "local"
) -> CalendarState:
    """The agent books into ``provider`` now; ``written_to``: where the meeting's event was written."""
    if written_to is None:
        return CalendarState(provider, booking_calendar="primary")
    return CalendarState(provider, "primary", written_to, "work", "ev1", sequence)


# (the meeting, what its calendar holds) → what to do
DIALOGUE: list[tuple[str, Meeting, CalendarState, Decision]] = [
    ("a new meeting is created in the booking calendar", meeting(), calendar(), Create("primary")),
    ("a moved meeting updates its event", meeting(sequence=2), calendar("local", 1), Update("work", "ev1")),
    (
        "a meeting the calendar shows already costs nothing",
        meeting(sequence=2),
        calendar("local", 2),
        Nothing(),
    ),
    (
        "a calendar that cannot tell its SEQUENCE is updated",
        meeting(sequence=2),
        calendar("google", None, "google"),
        Update("work", "ev1"),
    ),
    (
        "a cancelled meeting with an event deletes it",
        meeting(CANCELLED, 1),
        calendar("local", 0),
        Delete("work", "ev1"),
    ),
    ("a cancelled meeting with no event does nothing", meeting(CANCELLED, 1), calendar(), Nothing()),
    (
        "a meeting whose agent switched calendars is created in the new one",
        meeting(sequence=3),
        calendar("google", 3, "microsoft"),
        Create("primary"),
    ),
    (
        "a cancelled meeting whose event is in the calendar the agent left does nothing",
        meeting(CANCELLED, 1),
        calendar("google", 0, "local"),
        Nothing(),
    ),
]


@pytest.mark.parametrize(
    "meeting, state, expected", [case[1:] for case in DIALOGUE], ids=[case[0] for case in DIALOGUE]
)
def test_reconcile_answers_what_the_calendar_must_do(
    meeting: Meeting, state: CalendarState, expected: Decision
) -> None:
    assert reconcile(meeting, state) == expected


def test_the_calendar_state_of_a_meeting_is_read_from_its_event_fields() -> None:
    booked = meeting()
    booked.calendar_provider, booked.calendar_id, booked.external_event_id = "google", "work", "ev9"
    state = CalendarState.of(booked, "google", "primary", sequence=None)
    assert state.has_event and (state.calendar_id, state.event_id) == ("work", "ev9")
    assert not CalendarState.of(booked, "local", "primary").has_event
