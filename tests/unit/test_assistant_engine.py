"""The assistant's rules on in-memory fakes: who may schedule, what SEQUENCE does, what each step sends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.assistant.addresses import address_token, conversation_address
from bot.assistant.commands import (
    AcceptCalendarInvitation,
    CancelCalendarEvent,
    ExplainRefusedInvitation,
    RecordAttendeeReply,
)
from bot.assistant.events import ASSISTANT_EVENT_TYPES
from bot.assistant.handlers import (
    accept_calendar_invitation,
    cancel_calendar_event,
    explain_refused_invitation,
    record_attendee_reply,
)
from bot.errors import DomainError
from bot.model import Agent
from bot.settings import Settings
from scheduling.itip import CalendarEvent, Person
from scheduling.recurrence import next_start
from tests.conftest import DrivenClock
from tests.support.fake_assistant import AssistantUnitOfWorkFactory

SETTINGS = Settings(mail_from="Convene <convene@mail.example.com>", secret_key="x")
ASSISTANT = Person("assistant@mail.example.com", "Assistant")
ALICE = Person("alice@example.com", "Alice")
ANN = Person("ann@example.org", "Ann")
EVENT = CalendarEvent(
    uid="uid-1",
    sequence=0,
    summary="Planning",
    start=datetime(2027, 3, 29, 7, tzinfo=UTC),
    end=datetime(2027, 3, 29, 7, 30, tzinfo=UTC),
    timezone="Europe/Berlin",
    organizer=ALICE,
    attendees=(ANN, ASSISTANT),
)


@pytest.fixture
def world() -> tuple[AssistantUnitOfWorkFactory, DrivenClock]:
    factory = AssistantUnitOfWorkFactory()
    factory.state.agents["alice"] = Agent("alice", "Alice", "alice@example.com")
    return factory, DrivenClock()


async def accept(
    world: Any, event: CalendarEvent = EVENT, *, sender: str = "alice@example.com", mid: str = ""
) -> Any:
    factory, clock = world
    command = AcceptCalendarInvitation(sender=sender, events=(event,), message_id=mid)
    return await accept_calendar_invitation(command, factory(), clock, SETTINGS)


def types(factory: AssistantUnitOfWorkFactory) -> list[str]:
    return [e.type for e in factory.events() if e.type in ASSISTANT_EVENT_TYPES]  # the mails


async def test_an_invitation_opens_a_conversation_and_sends_four_mails(world: Any) -> None:
    outcome = await accept(world)
    factory = world[0]
    assert outcome.result == "opened"
    assert types(factory) == [
        "AssistantConversationOpened",
        "CalendarMeetingReady",
        "ConversationInvitationMailed",
        "CalendarReplyDue",
    ]
    (conversation,) = factory.state.conversations.values()
    assert conversation.title == "Planning" and conversation.assignee == "alice"
    assert {m.key.split(":")[0] + ":" + (m.email or "") for m in factory.state.members[conversation.id]} == {
        "agent:alice@example.com",
        "guest:ann@example.org",
    }
    assert [j["kind"] for j in factory.state.jobs] == ["assistant_reminder", "assistant_calendar_link"]
    added = [(e.kind, e.name) for e in factory.events() if e.type == "MemberAdded"]  # type: ignore[attr-defined]
    assert added == [("agent", "Alice"), ("guest", "Ann")]  # live views learn of everyone


@pytest.mark.parametrize(
    "who, change, code",
    [
        ("a stranger organises", {"organizer": Person("eve@example.net")}, "organizer_not_an_agent"),
        ("someone else sends the organiser's event", {}, "sender_not_organizer"),
        ("nobody outside the team is invited", {"attendees": (ASSISTANT,)}, "no_guest"),
        ("no organiser at all", {"organizer": None}, "no_organizer"),
    ],
)
async def test_who_may_schedule_through_the_assistant(
    world: Any, who: str, change: dict[str, Any], code: str
) -> None:
    sender = "mallory@example.net" if who.startswith("someone else") else "alice@example.com"
    with pytest.raises(DomainError) as refused:
        await accept(world, replace(EVENT, **change), sender=sender)
    assert refused.value.code == code
    assert world[0].state.conversations == {} and world[0].events() == []


@pytest.mark.parametrize(
    "sequences, result, start_hour",
    [
        ((0, 0), "unchanged", 7),  # the same invitation again
        ((0, 1), "updated", 9),  # a newer one moves it
        ((2, 1), "unchanged", 7),  # an older one arriving late changes nothing
    ],
)
async def test_only_a_higher_sequence_changes_the_meeting(
    world: Any, sequences: tuple[int, int], result: str, start_hour: int
) -> None:
    first, second = sequences
    await accept(world, replace(EVENT, sequence=first))
    moved = replace(
        EVENT,
        sequence=second,
        start=datetime(2027, 3, 29, 9, tzinfo=UTC),
        end=datetime(2027, 3, 29, 10, tzinfo=UTC),
    )
    outcome = await accept(world, moved)
    (meeting,) = world[0].state.calendar_meetings.values()
    assert outcome.result == result and meeting.start.hour == start_hour


async def test_the_same_message_id_is_acted_on_once(world: Any) -> None:
    await accept(world, mid="<m1@client>")
    before = len(world[0].events())
    assert (await accept(world, mid="<m1@client>")).result == "repeat" and len(world[0].events()) == before


async def test_a_cancellation_needs_the_organiser_and_a_known_event(world: Any) -> None:
    factory, clock = world
    await accept(world)
    with pytest.raises(DomainError) as unknown:
        await cancel_calendar_event(
            CancelCalendarEvent("alice@example.com", (replace(EVENT, uid="other"),), ""),
            factory(),
            clock,
            SETTINGS,
        )
    cancelled = await cancel_calendar_event(
        CancelCalendarEvent("alice@example.com", (replace(EVENT, sequence=1),), ""),
        factory(),
        clock,
        SETTINGS,
    )
    assert unknown.value.code == "unknown_event" and cancelled.result == "cancelled"
    assert (
        factory.events()[-1].type == "CalendarMeetingChanged"
    )  # Ann hears of it; Alice cancelled it herself
    assert factory.events()[-1].email == "ann@example.org"  # type: ignore[attr-defined]


async def test_an_answer_counts_only_from_that_attendee_and_only_when_it_changes(world: Any) -> None:
    factory, clock = world
    await accept(world)
    declined = replace(EVENT, attendees=(replace(ANN, partstat="DECLINED"),))
    with pytest.raises(DomainError) as forged:
        await record_attendee_reply(
            RecordAttendeeReply("alice@example.com", (declined,), ""), factory(), clock
        )
    first = await record_attendee_reply(
        RecordAttendeeReply("ann@example.org", (declined,), ""), factory(), clock
    )
    again = await record_attendee_reply(
        RecordAttendeeReply("ann@example.org", (declined,), ""), factory(), clock
    )
    assert (forged.value.code, first.result, again.result) == ("sender_not_attendee", "replied", "unchanged")
    assert factory.state.messages[-1].text == "Ann declined “Planning”."


async def test_explanations_go_to_people_never_to_the_assistant_itself(world: Any) -> None:
    factory, clock = world
    for to in ["assistant@mail.example.com", ""]:
        await explain_refused_invitation(
            ExplainRefusedInvitation(to, "x", "c", "r"), factory(), clock, SETTINGS
        )
    await explain_refused_invitation(
        ExplainRefusedInvitation("ann@example.org", "x", "missing_uid", "r", "<a@b>"),
        factory(),
        clock,
        SETTINGS,
    )
    await explain_refused_invitation(
        ExplainRefusedInvitation("ann@example.org", "x", "missing_uid", "r", "<a@b>"),
        factory(),
        clock,
        SETTINGS,
    )
    assert types(factory) == ["InvitationRefused"]


@pytest.mark.parametrize(
    "address, token",
    [
        ("assistant@mail.example.com", ""),
        ("Assistant <ASSISTANT@mail.example.com>", ""),
        ("assistant+0123456789abcdef0123456789abcdef@mail.example.com", "0123456789abcdef0123456789abcdef"),
        ("assistant+short@mail.example.com", None),
        ("assistant@elsewhere.example.com", None),
        ("reply+x.a-alice.sig@mail.example.com", None),
    ],
)
def test_which_addresses_are_the_assistants(address: str, token: str | None) -> None:
    assert address_token(address, SETTINGS.assistant) == token
    if token:
        assert conversation_address(SETTINGS.assistant, token) == address.lower()


WINTER_FRIDAY = datetime(2027, 3, 26, 8, tzinfo=UTC)  # 09:00 in Berlin, before spring forward
SUMMER_FRIDAY = datetime(2027, 10, 29, 7, tzinfo=UTC)  # 09:00 in Berlin, before fall back


@pytest.mark.parametrize(
    "start, rule, after, expected",
    [
        (WINTER_FRIDAY, "FREQ=WEEKLY;COUNT=3", WINTER_FRIDAY, datetime(2027, 4, 2, 7, tzinfo=UTC)),
        (SUMMER_FRIDAY, "FREQ=WEEKLY", SUMMER_FRIDAY, datetime(2027, 11, 5, 8, tzinfo=UTC)),
        (WINTER_FRIDAY, "FREQ=WEEKLY;UNTIL=20270402T070000Z", datetime(2027, 4, 2, 7, tzinfo=UTC), None),
        (WINTER_FRIDAY, "", datetime(2027, 1, 1, tzinfo=UTC), WINTER_FRIDAY),
        (WINTER_FRIDAY, "", WINTER_FRIDAY, None),
    ],
)
def test_a_series_keeps_its_wall_clock_time_across_dst(
    start: datetime, rule: str, after: datetime, expected: datetime | None
) -> None:
    assert next_start(start, "Europe/Berlin", rule, after) == expected


def test_moved_or_excluded_occurrences_are_skipped() -> None:
    second = datetime(2027, 4, 2, 7, tzinfo=UTC)
    assert next_start(WINTER_FRIDAY, "Europe/Berlin", "FREQ=WEEKLY", WINTER_FRIDAY, [second]) == datetime(
        2027, 4, 9, 7, tzinfo=UTC
    )
