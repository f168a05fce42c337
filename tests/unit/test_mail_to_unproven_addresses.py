"""The engine's rule for mail to a guest's address (bot.identity.may_mail), as a dialogue on fakes:
who typed the address, whether it was proven, what the mail is about, and how many went out today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.events import UnreadDigestReady
from bot.identity import EmailProofIssued, may_mail
from bot.meetings.events import MeetingBooked, ReminderDue
from bot.model import Actor, Guest
from tests.fakes import FakeState, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PROVEN = NOW - timedelta(days=3)
ALICE = Actor("agent", "alice", "Alice")
ANN = Actor("guest", "ann", "Ann")


def meeting(kind: type[MeetingBooked] | type[ReminderDue], by: Actor) -> MeetingBooked | ReminderDue:
    return kind(
        conversation_id="c",
        meeting_id="m",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id="ann",
        guest_name="Ann",
        guest_email="ann@example.org",
        subject="Demo",
        start=NOW,
        end=NOW + timedelta(minutes=30),
        sequence=0,
        by=by,
    )


DIGEST = UnreadDigestReady(
    conversation_id="",
    person_kind="guest",
    person_id="ann",
    name="Ann",
    email="ann@example.org",
    conversations=(),
)
PROOF = EmailProofIssued(conversation_id="", guest_id="ann", email="ann@example.org", token="t")
GUEST_BOX = {"email": "ann@example.org", "role": "guest"}

DIALOGUE = [
    # (who wrote the address, proven?, the mail, mails already today) → sent, and quoted?
    ("guest", False, meeting(MeetingBooked, ANN), 0, "quoted"),  # her own booking
    ("guest", False, meeting(MeetingBooked, ANN), 2, "quoted"),
    ("guest", False, meeting(MeetingBooked, ANN), 3, "not sent"),  # at most 3 a day
    ("guest", False, PROOF, 0, "quoted"),
    ("guest", False, meeting(MeetingBooked, ALICE), 0, "not sent"),  # not hers to have asked for
    ("guest", False, meeting(ReminderDue, ANN), 0, "not sent"),  # not a confirmation
    ("guest", False, DIGEST, 0, "not sent"),  # conversation mail waits for proof
    ("guest", True, DIGEST, 9, "sent"),
    ("guest", True, meeting(MeetingBooked, ALICE), 9, "sent"),
    ("agent", False, DIGEST, 9, "sent"),  # an agent wrote the address down: an invitation
]


@pytest.mark.parametrize("origin, proven, event, earlier, outcome", DIALOGUE)
async def test_what_convene_mails_a_guest_address(
    origin: str, proven: bool, event: object, earlier: int, outcome: str
) -> None:
    state = FakeState()
    state.guests["ann"] = Guest(
        "Ann",
        "ann@example.org",
        id="ann",
        email_proven_at=PROVEN if proven else None,
        email_origin=origin,  # type: ignore[arg-type]
    )
    state.unproven_mail = [("ann", NOW - timedelta(hours=1))] * earlier
    async with FakeUnitOfWork(state, lambda: NOW) as uow:
        permit = await may_mail(uow, event, GUEST_BOX, NOW)  # type: ignore[arg-type]
    sent = "not sent" if permit is None else ("quoted" if permit.quoted else "sent")
    assert sent == outcome


async def test_a_mail_for_another_address_than_the_guest_s_is_not_sent() -> None:
    state = FakeState()
    state.guests["ann"] = Guest("Ann", "ann@example.org", id="ann", email_proven_at=PROVEN)
    async with FakeUnitOfWork(state, lambda: NOW) as uow:
        assert await may_mail(uow, DIGEST, {"email": "mallory@example.org"}, NOW) is None
