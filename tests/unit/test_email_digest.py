"""The unread-email timing as a pure rule: 5 minutes, then 4 hours apart, 3 a day; reading resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.email_digest import next_email_at
from bot.model import Actor, Member, Message

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(hours: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


# (oldest unread message not yet emailed, this streak's emails) → next email
DIALOGUE = [
    (None, [], None),  # nothing unread: no email
    (at(0), [], at(0, 5)),  # the first email: 5 minutes after the first unread message
    (at(3), [], at(3, 5)),
    (at(0, 10), [at(0, 5)], at(4, 5)),  # then 4 hours after the last one
    (at(6), [at(0, 5)], at(6, 5)),  # a message long after: still 5 minutes to batch a burst
    (at(4, 30), [at(0, 5), at(4, 5)], at(8, 5)),  # the third
    (at(8, 30), [at(0, 5), at(4, 5), at(8, 5)], at(24, 5)),  # three a day: the next day
    (at(30), [at(0, 5), at(4, 5), at(8, 5)], at(30, 5)),
    (at(24, 10), [at(4, 5), at(8, 5), at(24, 5)], at(28, 5)),  # day two: the same hours again
    (at(28, 10), [at(8, 5), at(24, 5), at(28, 5)], at(32, 5)),
    (at(32, 10), [at(24, 5), at(28, 5), at(32, 5)], at(48, 5)),
    (None, [at(0, 5), at(4, 5), at(8, 5)], None),
]


@pytest.mark.parametrize("pending_since, sends, expected", DIALOGUE)
def test_next_email(pending_since: datetime | None, sends: list[datetime], expected: datetime | None) -> None:
    assert next_email_at(pending_since, sends) == expected


def simulate(messages: list[datetime], reads: list[datetime], until: datetime) -> list[datetime]:
    """Drives the rule minute by minute, the way the job table does: returns when emails went out."""
    sends: list[datetime] = []
    streak: list[datetime] = []
    emailed_upto = read_upto = T0 - timedelta(days=1)
    now = T0
    while now <= until:
        if now in reads:
            read_upto, streak = now, []
        pending = [m for m in messages if max(emailed_upto, read_upto) < m <= now]
        due = next_email_at(pending[0] if pending else None, streak)
        if due is not None and due <= now:
            sends.append(now)
            streak = [*streak, now][-3:]
            emailed_upto = pending[-1]
        now += timedelta(minutes=5)
    return sends


def test_two_days_of_unread_messages() -> None:
    every_half_hour = [at(minutes=30 * i) for i in range(0, 2 * 48)]
    sends = simulate(every_half_hour, [], at(48, 5))
    assert sends == [at(0, 5), at(4, 5), at(8, 5), at(24, 5), at(28, 5), at(32, 5), at(48, 5)]


def test_reading_everything_resets_the_timer() -> None:
    messages = [at(0), at(1), at(2), at(5), at(9), at(9, 30), at(10)]
    sends = simulate(messages, [at(9, 20)], at(20))
    # 08:05, 12:05 (4 h); 3rd would be 16:05, but the member read at 17:20: the next unread message
    # gets its email 5 minutes after it, and a 4th email that day is fine.
    assert sends == [at(0, 5), at(4, 5), at(8, 5), at(9, 35), at(13, 35)]


def _message(author: Actor, *, internal: bool = False) -> Message:
    return Message("c", 1, author, "x", T0, internal=internal)


ANN = Member("guest", "ann", "Ann", "ann@example.org")
ALICE = Member("agent", "alice", "Alice", "alice@example.com")


@pytest.mark.parametrize(
    "member, author, internal, wanted",
    [
        (ANN, Actor("agent", "alice", "Alice"), False, True),
        (ANN, Actor("guest", "ann", "Ann"), False, False),  # not for one's own message
        (ANN, Actor("agent", "alice", "Alice"), True, False),  # guests never get internal notes
        (ALICE, Actor("agent", "bob", "Bob"), True, True),  # agents do
        (ALICE, Actor("system", "system", "Convene"), False, False),  # not for the system's notices
    ],
)
def test_which_messages_count_for_a_person(
    member: Member, author: Actor, internal: bool, wanted: bool
) -> None:
    from bot.email_digest import counts_for

    assert counts_for(member.kind, member.id, _message(author, internal=internal)) is wanted
