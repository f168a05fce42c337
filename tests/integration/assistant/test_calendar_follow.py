# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""A followed meeting moved or deleted in the organiser's own calendar (the local fake Google and
Microsoft 365 servers) becomes the same notice and member mails as the invitation update, once: the
invitation of the same change, before or after the calendar sync, adds nothing. Invitations arrive
over SMTP, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.calendars.sync import sync_now
from tests.integration.assistant.conftest import ASSISTANT, Mailroom, open_mailroom
from tests.integration.assistant.test_invitations import ALICE, ANN, BOB, state, to
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    connect,
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    provider_settings,
)
from tests.integration.providers.fake_google import FakeGoogle
from tests.integration.providers.fake_microsoft import FakeAuthority, FakeGraph
from tests.support.invitations import Invite, google_mail, outlook_mail

UID = "follow-0400000082-calendar"
MOVED = (
    "“Quarterly planning” moved from Mon 29 Mar 2027, 09:00–09:30 (Europe/Berlin) "
    "to Tue 30 Mar 2027, 14:00–15:00 (Europe/Berlin)."
)
CANCELLED = "“Quarterly planning” (Tue 30 Mar 2027, 14:00–15:00 (Europe/Berlin)) was cancelled."
# Google's invitations carry UTC times only, so the meeting's notices speak UTC.
MOVED_UTC = "“Quarterly planning” moved from Mon 29 Mar 2027, 07:00–07:30 (UTC) to Tue 30 Mar 2027, 12:00–13:00 (UTC)."
CANCELLED_UTC = "“Quarterly planning” (Tue 30 Mar 2027, 12:00–13:00 (UTC)) was cancelled."


@pytest.fixture
async def office(
    database_url: str,
    make_settings: Any,
    clock: Any,
    fake_google: FakeGoogle,
    fake_authority: FakeAuthority,
    fake_graph: FakeGraph,
) -> AsyncIterator[Mailroom]:
    """The mailroom (inbound SMTP, outgoing mail caught) with both calendar providers on."""
    fake_graph.users["alice@example.com"] = "user-alice"
    overrides = provider_settings(fake_google, fake_authority, fake_graph)
    async with open_mailroom(database_url, make_settings, clock, **overrides) as room:
        room.google, room.graph = fake_google, fake_graph  # type: ignore[attr-defined]
        yield room
        await room.runtime.calendars["microsoft"].aclose()


def google_planning(**changes: Any) -> Invite:
    values: dict[str, Any] = dict(
        uid=UID,
        summary="Quarterly planning",
        start="20270329T070000Z",  # 09:00 in Berlin
        end="20270329T073000Z",
        organizer=ALICE,
        attendees=[ANN, BOB, ("", ASSISTANT)],
    )
    return Invite(**{**values, **changes})


def outlook_planning(**changes: Any) -> Invite:
    values: dict[str, Any] = dict(
        uid=UID,
        summary="Quarterly planning",
        start="20270329T090000",  # W. Europe Standard Time
        end="20270329T093000",
        organizer=ALICE,
        attendees=[ANN, BOB, ("Convene assistant", ASSISTANT)],
    )
    return Invite(**{**values, **changes})


def subjects(mails: list[Any], address: str) -> list[str]:
    return [str(m["Subject"]) for m in to(mails, address)]


async def test_a_move_made_in_google_calendar_becomes_the_same_notice_once(office: Mailroom) -> None:
    room, google = office, office.google  # type: ignore[attr-defined]
    await connect(room.runtime, "alice")
    event: dict[str, Any] = {
        "id": "evt-planning",
        "iCalUID": UID,
        "status": "confirmed",
        "sequence": 0,
        "start": {"dateTime": "2027-03-29T09:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2027-03-29T09:30:00", "timeZone": "Europe/Berlin"},
    }
    google.events["primary"] = [event]
    await room.send(google_mail(google_planning(), ASSISTANT))  # the first sync round lists it as is
    _, _, opened, _ = await state(room, UID)
    room.new_mails()

    # Alice drags the event in Google Calendar; the next sync round (the job, clock driven) sees it.
    event.update(
        sequence=1,
        start={"dateTime": "2027-03-30T14:00:00", "timeZone": "Europe/Berlin"},
        end={"dateTime": "2027-03-30T15:00:00", "timeZone": "Europe/Berlin"},
    )
    room.runtime.clock.advance(minutes=5)
    await room.settle()
    _, _, messages, (meeting,) = await state(room, UID)
    assert messages == [*opened, MOVED_UTC]
    assert meeting.start == datetime(2027, 3, 30, 12, tzinfo=UTC) and meeting.sequence == 1
    mails = room.new_mails()
    assert subjects(mails, "ann@example.org") == ["Moved: Quarterly planning"]
    assert subjects(mails, "bob@example.com") == ["Moved: Quarterly planning"]

    # Google mails the same change to the assistant: nothing more. Another sync round: nothing either.
    moved = google_planning(sequence=1, start="20270330T120000Z", end="20270330T130000Z")
    await room.send(google_mail(moved, ASSISTANT))
    room.runtime.clock.advance(minutes=5)
    await room.settle()
    _, _, after, _ = await state(room, UID)
    assert after == messages
    assert [m for m in room.new_mails() if "Moved" in str(m["Subject"])] == []

    # Deleted in the calendar: incremental sync reports only the id and the status.
    google.sync_pages["sync-full"] = ([{"id": "evt-planning", "status": "cancelled"}], "sync-2")
    room.runtime.clock.advance(minutes=5)
    await room.settle()
    _, _, messages, (meeting,) = await state(room, UID)
    assert meeting.status == "cancelled" and messages[-1] == CANCELLED_UTC
    assert subjects(room.new_mails(), "ann@example.org") == ["Cancelled: Quarterly planning"]
    await room.send(google_mail(google_planning(method="CANCEL", sequence=2), ASSISTANT))
    _, _, after, _ = await state(room, UID)
    assert after == messages and to(room.new_mails(), "ann@example.org") == []
    assert event["start"]["dateTime"] == "2027-03-30T14:00:00"  # Convene wrote no time


def graph_event(start: str, end: str) -> dict[str, Any]:
    return {
        "id": "AAMk-planning",
        "iCalUId": UID,
        "type": "singleInstance",
        "start": {"dateTime": f"{start}.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{end}.0000000", "timeZone": "UTC"},
    }


async def test_a_move_made_in_outlook_becomes_the_same_notice_once_without_a_sequence(
    office: Mailroom,
) -> None:
    room, graph = office, office.graph  # type: ignore[attr-defined]
    await connect(room.runtime, "alice", "microsoft", external_user_id="user-alice")
    graph.created["AAMk-planning"] = {"iCalUId": UID, "body": {"contentType": "html", "content": ""}}
    graph.delta_rounds["initial-2"] = [graph_event("2027-03-29T07:00:00", "2027-03-29T07:30:00")]
    await room.send(outlook_mail(outlook_planning(), ASSISTANT))  # the first (full) round: no change
    _, _, opened, _ = await state(room, UID)
    room.new_mails()

    # Moved in Outlook; `convene calendars sync` runs a round now.
    graph.delta_rounds["d1"] = [graph_event("2027-03-30T12:00:00", "2027-03-30T13:00:00")]
    assert await sync_now(room.runtime, ["alice"]) == {"alice": "synced"}
    await room.settle()
    _, _, messages, (meeting,) = await state(room, UID)
    assert messages == [*opened, MOVED] and meeting.sequence == 0
    mails = room.new_mails()
    assert subjects(mails, "ann@example.org") == ["Moved: Quarterly planning"]
    assert subjects(mails, "bob@example.com") == ["Moved: Quarterly planning"]

    # Outlook's update mail for the same move (Graph told no SEQUENCE): taken over quietly.
    moved = outlook_planning(sequence=1, start="20270330T140000", end="20270330T150000")
    await room.send(outlook_mail(moved, ASSISTANT))
    _, _, after, (meeting,) = await state(room, UID)
    assert after == messages and meeting.sequence == 1
    assert [m for m in room.new_mails() if "Moved" in str(m["Subject"])] == []

    # Removed in Outlook: the delta carries only the id.
    graph.delta_rounds["d2"] = [{"id": "AAMk-planning", "@removed": {"reason": "deleted"}}]
    await sync_now(room.runtime, ["alice"])
    await room.settle()
    _, _, messages, (meeting,) = await state(room, UID)
    assert meeting.status == "cancelled" and messages[-1] == CANCELLED
    assert subjects(room.new_mails(), "bob@example.com") == ["Cancelled: Quarterly planning"]
    await room.send(outlook_mail(outlook_planning(method="CANCEL", sequence=2), ASSISTANT))
    _, _, after, _ = await state(room, UID)
    assert after == messages and to(room.new_mails(), "bob@example.com") == []
    patches = graph.seen("PATCH", "/events/")
    assert all("start" not in call.json and "end" not in call.json for call in patches)  # never a time


async def test_an_invitation_first_and_the_calendar_after_is_one_notice(office: Mailroom) -> None:
    room, graph = office, office.graph  # type: ignore[attr-defined]
    await connect(room.runtime, "alice", "microsoft", external_user_id="user-alice")
    graph.delta_rounds["initial-2"] = [graph_event("2027-03-29T07:00:00", "2027-03-29T07:30:00")]
    await room.send(outlook_mail(outlook_planning(), ASSISTANT))
    moved = outlook_planning(sequence=1, start="20270330T140000", end="20270330T150000")
    await room.send(outlook_mail(moved, ASSISTANT))
    _, _, messages, _ = await state(room, UID)
    assert messages[-1] == MOVED
    room.new_mails()

    graph.delta_rounds["d1"] = [graph_event("2027-03-30T12:00:00", "2027-03-30T13:00:00")]
    await sync_now(room.runtime, ["alice"])
    await room.settle()
    _, _, after, (meeting,) = await state(room, UID)
    assert after == messages and meeting.sequence == 1
    assert [m for m in room.new_mails() if "Moved" in str(m["Subject"])] == []
