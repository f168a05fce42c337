"""What each engine event shows in a conversation's Teams thread, one row per event type, from its
typed fields: a reply line, the card drawn again (with the meeting it shows next), or nothing.

Every event type of the engine is either rendered or listed in ``render.NOT_SHOWN``, so a new event
type cannot reach Teams silently; and no Teams handler module imports the channel."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.bootstrap  # noqa: F401 - loads every engine module, so every event type is registered
from adapters.teams import render
from bot.events import ConversationAssigned, ConversationStarted, Event, MessagePosted
from bot.meetings.events import (
    MeetingBooked,
    MeetingCancelled,
    MeetingDurationChanged,
    MeetingRescheduled,
    ReminderDue,
)
from bot.model import SYSTEM, Actor
from bot.status.events import ConversationReopened, ConversationResolved, ConversationSnoozed

CID = "c-1"
ALICE = Actor("agent", "alice", "Alice")
ANN = Actor("guest", "g-1", "Ann")
NINE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
THREAD = {"service_url": "http://connector", "thread_id": "19:general;messageid=1", "card_activity_id": "1"}
SHOWING_M1 = {**THREAD, "meeting_id": "m-1", "meeting_start": NINE.isoformat()}


def message(author: Actor, text: str, **extra: Any) -> MessagePosted:
    return MessagePosted(CID, "msg-1", 3, author, text, NINE, **extra)


def meeting(kind: type[Any], meeting_id: str = "m-1", start: datetime = NINE, **extra: Any) -> Any:
    return kind(
        conversation_id=CID,
        meeting_id=meeting_id,
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id="g-1",
        guest_name="Ann",
        guest_email="ann@example.org",
        subject="Quote",
        start=start,
        end=start + timedelta(minutes=30),
        sequence=1,
        by=ALICE,
        **extra,
    )


M1_AT_TEN = ("m-1", "Tue 24.11.2026 10:00 CET")

# event, the address before → the line posted, the card drawn again, the meeting the card shows next
# (its id, and its "Next meeting" line in Alice's zone)
ROWS = [
    (message(ANN, "Hi, I need a quote"), THREAD, "Ann: Hi, I need a quote", False, None),
    (message(ALICE, "Happy to help"), THREAD, "Alice: Happy to help", False, None),
    (
        message(ALICE, "check the price", internal=True),
        THREAD,
        "Alice (internal note): check the price",
        False,
        None,
    ),
    (
        message(SYSTEM, "Alice took this conversation (Sales).", kind="system"),
        THREAD,
        "Alice took this conversation (Sales).",
        False,
        None,
    ),
    (message(ALICE, "written in Teams", client_id="teams:act-1"), THREAD, None, False, None),
    (ConversationAssigned(CID, "sales", "alice", "Alice", ALICE), THREAD, None, True, None),
    (meeting(MeetingBooked, service="sales"), THREAD, None, True, M1_AT_TEN),
    (
        meeting(
            MeetingRescheduled,
            start=NINE + timedelta(hours=4),
            previous_start=NINE,
            previous_end=NINE + timedelta(minutes=30),
        ),
        SHOWING_M1,
        None,
        True,
        ("m-1", "Tue 24.11.2026 14:00 CET"),
    ),
    (meeting(MeetingDurationChanged), SHOWING_M1, None, True, M1_AT_TEN),
    (meeting(MeetingCancelled), SHOWING_M1, None, True, None),
    (meeting(MeetingCancelled, meeting_id="m-2"), SHOWING_M1, None, True, M1_AT_TEN),
    # The status shows on the card; the engine's notice ("Alice resolved …") comes as a message.
    (ConversationResolved(CID, ALICE, NINE, "alice"), THREAD, None, True, None),
    (ConversationReopened(CID, SYSTEM, "snooze_ended", "alice"), THREAD, None, True, None),
    (ConversationSnoozed(CID, ALICE, NINE, "alice"), THREAD, None, True, None),
    # The engine posts the reminder itself (a system message): the event adds no second line.
    (meeting(ReminderDue, minutes_before=15), SHOWING_M1, None, False, M1_AT_TEN),
]


@pytest.mark.parametrize("event, before, line, redraw, shown", ROWS, ids=[type(r[0]).__name__ for r in ROWS])
def test_each_event_shows_its_own_line_or_card_in_the_thread(
    event: Event, before: dict[str, Any], line: str | None, redraw: bool, shown: tuple[str, str] | None
) -> None:
    update = render.thread_update(event, before)
    assert not update.start_thread
    assert update.line == line
    assert update.redraw_card is redraw
    after = update.address if update.address is not None else before
    assert (after.get("meeting_id"), render.next_meeting(after, "Europe/Berlin")) == (shown or (None, None))
    assert {k: v for k, v in after.items() if not k.startswith("meeting_")} == THREAD  # the thread stays


def test_a_new_conversation_starts_a_thread_with_its_card() -> None:
    started = ConversationStarted(CID, "g-1", "Ann", "ann@example.org", "sales", None, "Hi")
    update = render.thread_update(started, {})
    assert update.start_thread and update.line is None and update.shows_anything


def test_every_line_a_thread_receives_is_non_empty() -> None:
    lines = [render.thread_update(event, before).line for event, before, *_ in ROWS]
    assert all(line is None or line.strip() for line in lines)


def test_every_event_type_of_the_engine_is_rendered_or_deliberately_not_shown() -> None:
    rendered = {kind for kind in render.thread_update.registry if kind not in (object, Event)}
    concrete = {kind for kind in Event.registry.values() if not kind.__subclasses__()}
    assert not rendered & render.NOT_SHOWN
    assert concrete - rendered - render.NOT_SHOWN == set()
    assert {type(event) for event, *_ in ROWS} | {ConversationStarted} == rendered | {ReminderDue}


HANDLERS = Path(__file__).resolve().parents[3] / "adapters" / "teams"


@pytest.mark.parametrize(
    "module", sorted(p.name for p in HANDLERS.glob("*.py") if p.name not in {"channel.py", "plugin.py"})
)
def test_no_teams_handler_module_imports_the_channel(module: str) -> None:
    tree = ast.parse((HANDLERS / module).read_text())
    imported = {
        f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name and name.startswith("adapters.teams.channel")}
