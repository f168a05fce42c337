"""Meeting mails speak to their reader: who cancelled or changed the meeting is "You" when the reader
did it, the other side's name otherwise, and the time is in the reader's zone first. A table over
(who acted, who reads), including the case that produced "Nora cancelled Nora A with Nora.": an agent
and a guest with the same name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.email.meeting_mail import render_meeting_mail
from bot.meetings.events import MeetingCancelled, MeetingDurationChanged
from bot.model import Actor

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, 04:00 in New York


def event(kind: type, by: Actor, agent_name: str = "Alice", guest_name: str = "Ann") -> MeetingCancelled:
    return kind(  # type: ignore[no-any-return]
        conversation_id="c1",
        meeting_id="m1",
        agent="alice",
        agent_name=agent_name,
        agent_email="alice@example.com",
        guest_id="g1",
        guest_name=guest_name,
        guest_email="ann@example.org",
        subject="Demo",
        start=START,
        end=START + timedelta(minutes=30),
        sequence=1,
        by=by,
        agent_timezone="Europe/Berlin",
        guest_timezone="America/New_York",
    )


AGENT, GUEST, COLLEAGUE = (
    Actor("agent", "alice", "Alice"),
    Actor("guest", "g1", "Ann"),
    Actor("agent", "bob", "Bob"),
)
AGENT_READS, GUEST_READS = ("alice@example.com", "Alice"), ("ann@example.org", "Ann")


@pytest.mark.parametrize(
    "actor, reader, lead",
    [
        (AGENT, AGENT_READS, "You cancelled Demo with Ann."),
        (GUEST, AGENT_READS, "Ann cancelled Demo with you."),
        (COLLEAGUE, AGENT_READS, "Bob cancelled Demo with Ann."),
        (AGENT, GUEST_READS, "Alice cancelled Demo with you."),
        (GUEST, GUEST_READS, "You cancelled Demo with Alice."),
        (COLLEAGUE, GUEST_READS, "Bob cancelled Demo with Alice."),
    ],
)
def test_a_cancellation_mail_says_who_cancelled_from_the_reader_s_point_of_view(
    actor: Actor, reader: tuple[str, str], lead: str
) -> None:
    mail = render_meeting_mail(event(MeetingCancelled, actor), *reader, "http://convene.test")
    assert lead in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    "actor, reader, lead",
    [
        (Actor("agent", "alice", "Nora"), ("alice@example.com", "Nora"), "You cancelled Demo with Nora."),
        (Actor("agent", "alice", "Nora"), ("ann@example.org", "Nora"), "Nora cancelled Demo with you."),
        (Actor("guest", "g1", "Nora"), ("alice@example.com", "Nora"), "Nora cancelled Demo with you."),
    ],
)
def test_the_same_name_on_both_sides_still_reads_right(
    actor: Actor, reader: tuple[str, str], lead: str
) -> None:
    mail = render_meeting_mail(
        event(MeetingCancelled, actor, agent_name="Nora", guest_name="Nora"), *reader, "http://convene.test"
    )
    body = mail.get_body(("plain",)).get_content()
    assert lead in body and "Nora cancelled Demo with Nora" not in body


@pytest.mark.parametrize(
    "actor, reader, lead, when",
    [
        (
            AGENT,
            AGENT_READS,
            "You changed Demo with Ann.",
            "When: Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin",
        ),
        (
            AGENT,
            GUEST_READS,
            "Alice changed Demo with you.",
            "When: Tue 24 Nov 2026 04:00–04:30 (America/New_York",
        ),
    ],
)
def test_a_change_mail_speaks_to_its_reader_in_the_reader_s_zone_first(
    actor: Actor, reader: tuple[str, str], lead: str, when: str
) -> None:
    mail = render_meeting_mail(event(MeetingDurationChanged, actor), *reader, "http://convene.test")
    body = mail.get_body(("plain",)).get_content()
    assert lead in body and when in body
