"""In-memory fakes of the ports the assistant adds (``uow.assistant``, ``uow.membership.guest_by_email``),
on top of ``tests/fakes.py``; kept here so the shared fakes stay untouched until the ports are merged."""

from __future__ import annotations

import copy
from typing import Any

from bot.assistant.model import AssistantConversation, CalendarMeeting
from bot.model import Guest
from tests.fakes import FakeState, FakeUnitOfWork, FakeUnitOfWorkFactory


class FakeAssistant:
    def __init__(self, state: FakeState) -> None:
        self.st: Any = state

    async def conversation_by_token(self, token: str) -> AssistantConversation | None:
        return next((c for c in self.st.assistant_conversations.values() if c.token == token), None)

    async def conversation(self, conversation_id: str) -> AssistantConversation | None:
        return self.st.assistant_conversations.get(conversation_id)  # type: ignore[no-any-return]

    async def add_conversation(self, conversation: AssistantConversation) -> None:
        self.st.assistant_conversations[conversation.conversation_id] = conversation

    async def meeting(self, uid: str, instance: str, *, for_update: bool = False) -> CalendarMeeting | None:
        found = self.st.calendar_meetings.get((uid, instance))
        return copy.deepcopy(found) if found else None

    async def meeting_by_id(self, meeting_id: str, *, for_update: bool = False) -> CalendarMeeting | None:
        found = next((m for m in self.st.calendar_meetings.values() if m.id == meeting_id), None)
        return copy.deepcopy(found) if found else None

    async def followed_uids(self, organizer: str, uids: list[str]) -> set[str]:
        return {
            m.uid
            for (u, instance), m in self.st.calendar_meetings.items()
            if u in uids and instance == "" and m.organizer == organizer and m.active
        }

    async def instances(self, uid: str) -> list[CalendarMeeting]:
        rows = [m for (u, _), m in self.st.calendar_meetings.items() if u == uid]
        return [copy.deepcopy(m) for m in sorted(rows, key=lambda m: m.instance)]

    async def add_meeting(self, meeting: CalendarMeeting) -> None:
        self.st.calendar_meetings[(meeting.uid, meeting.instance)] = copy.deepcopy(meeting)

    async def save_meeting(self, meeting: CalendarMeeting) -> None:
        self.st.calendar_meetings[(meeting.uid, meeting.instance)] = copy.deepcopy(meeting)


class FakeMembership:
    def __init__(self, state: FakeState) -> None:
        self.st = state

    async def guest_by_email(self, email: str) -> Guest | None:
        return next((g for g in self.st.guests.values() if (g.email or "").lower() == email.lower()), None)


class AssistantUnitOfWork(FakeUnitOfWork):
    async def __aenter__(self) -> AssistantUnitOfWork:
        await super().__aenter__()
        self.state.__dict__.setdefault("assistant_conversations", {})
        self.state.__dict__.setdefault("calendar_meetings", {})
        self.assistant = FakeAssistant(self.state)
        self.membership = FakeMembership(self.state)
        return self


class AssistantUnitOfWorkFactory(FakeUnitOfWorkFactory):
    def __call__(self, *, read_only: bool = False) -> AssistantUnitOfWork:
        return AssistantUnitOfWork(self.state)
