"""The database's own guarantee: PostgreSQL refuses overlapping booked meetings of one agent even
when the application's lock is bypassed, and the refusal reads as slot_taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.commands import RegisterGuest, StartConversation
from bot.errors import SlotTaken
from bot.meetings.model import Meeting

START = datetime(2026, 11, 24, 9, tzinfo=UTC)


def meeting(conversation_id: str, guest_id: str, minutes_later: int, status: str = "booked") -> Meeting:
    start = START + timedelta(minutes=minutes_later)
    return Meeting(
        conversation_id,
        "alice",
        guest_id,
        "Demo",
        start,
        start + timedelta(minutes=30),
        status=status,
        created_at=START,
        updated_at=START,
    )


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite serialises writes instead
@pytest.mark.parametrize(
    "second, refused",
    [
        (15, True),  # overlaps
        (30, False),  # touches: fine
        (0, False),  # same time, but the first one was cancelled
    ],
)
async def test_overlapping_booked_meetings_are_refused_by_postgres(
    seeded: Any, second: int, refused: bool
) -> None:
    assert seeded.storage.is_postgres
    session = await seeded.bus.handle(RegisterGuest("Ann"))
    posted = await seeded.bus.handle(StartConversation(session.guest.id, "Hi", agent="alice"))
    first_status = "cancelled" if second == 0 else "booked"
    async with seeded.uow() as uow:
        await uow.meetings.add(meeting(posted.conversation.id, session.guest.id, 0, first_status))
        await uow.commit()
    async with seeded.uow() as uow:
        if refused:
            with pytest.raises(SlotTaken):
                await uow.meetings.add(meeting(posted.conversation.id, session.guest.id, second))
        else:
            await uow.meetings.add(meeting(posted.conversation.id, session.guest.id, second))
            await uow.commit()
