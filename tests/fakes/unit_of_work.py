"""The fake unit of work: a deep copy of the shared state per transaction, swapped in on commit.

It provides every repository the SQLAlchemy unit of work does (``bot.ports.UnitOfWork``), so engine
handlers run on it unchanged; ``tests/unit/test_ports.py`` keeps the two lists equal.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime

from bot.events import Event
from bot.ports import Clock
from tests.fakes.attachments import FakeAttachments
from tests.fakes.inbox import FakeContacts, FakePreferences, FakeSavedReplies, FakeSearch
from tests.fakes.meetings import FakeCalendarConnections, FakeMeetings
from tests.fakes.membership import FakeDigests, FakeMembership
from tests.fakes.repositories import (
    FakeAgents,
    FakeBindings,
    FakeConversations,
    FakeGuests,
    FakeInbound,
    FakeJobs,
    FakeMessages,
    FakeServices,
    FakeState,
    FakeTokens,
    _Repos,
)
from tests.fakes.status import FakeConversationFilters

REPOSITORIES: dict[str, type[_Repos]] = {
    "agents": FakeAgents,
    "services": FakeServices,
    "guests": FakeGuests,
    "conversations": FakeConversations,
    "messages": FakeMessages,
    "bindings": FakeBindings,
    "tokens": FakeTokens,
    "jobs": FakeJobs,
    "inbound": FakeInbound,
    "membership": FakeMembership,
    "digests": FakeDigests,
    "meetings": FakeMeetings,
    "calendar_connections": FakeCalendarConnections,
    "search": FakeSearch,
    "saved_replies": FakeSavedReplies,
    "contacts": FakeContacts,
    "conversation_filters": FakeConversationFilters,
    "attachments": FakeAttachments,
    "preferences": FakePreferences,
}


class FakeUnitOfWork:
    """Commits by swapping in the working copy; rolls back by throwing it away."""

    agents: FakeAgents
    services: FakeServices
    guests: FakeGuests
    conversations: FakeConversations
    messages: FakeMessages
    bindings: FakeBindings
    tokens: FakeTokens
    jobs: FakeJobs
    inbound: FakeInbound
    membership: FakeMembership
    digests: FakeDigests
    meetings: FakeMeetings
    calendar_connections: FakeCalendarConnections
    search: FakeSearch
    saved_replies: FakeSavedReplies
    contacts: FakeContacts
    conversation_filters: FakeConversationFilters
    attachments: FakeAttachments
    preferences: FakePreferences

    def __init__(self, state: FakeState, now: Callable[[], datetime] | None = None) -> None:
        self.committed_state = state
        self.events: list[Event] = []
        self.commits = 0
        self._now = now or (lambda: datetime.now(UTC))

    async def __aenter__(self) -> FakeUnitOfWork:
        self.state = copy.deepcopy(self.committed_state)
        for name, cls in REPOSITORIES.items():
            setattr(self, name, cls(self.state, self._now))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.events.clear()

    def record(self, event: Event) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        for event in self.events:
            self.state.outbox.append(
                {
                    "id": len(self.state.outbox) + 1,
                    "event": event,
                    "done": False,
                    "attempts": 0,
                    "next": datetime.min,
                }
            )
        self.events.clear()
        self.committed_state.__dict__.update(self.state.__dict__)
        self.commits += 1

    async def rollback(self) -> None:
        self.events.clear()


class FakeUnitOfWorkFactory:
    """``clock``: what ``uow.meetings.upcoming`` calls now, like the SQL store's clock."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.state = FakeState()
        self.clock = clock

    def __call__(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.state, self.clock.now if self.clock else None)

    def events(self) -> list[Event]:
        return [row["event"] for row in self.state.outbox]
