"""In-memory fakes of every port the engine uses through the unit of work, and of its queues.

One module per area; everything is importable from ``tests.fakes`` as before.
"""

from tests.fakes.engine import FakeEngine
from tests.fakes.inbox import FakeContacts, FakeSavedReplies, FakeSearch
from tests.fakes.meetings import FakeCalendarConnections, FakeMeetings
from tests.fakes.membership import FakeDigests, FakeMembership
from tests.fakes.queues import FakeJobStore, FakeOutboxStore
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
)
from tests.fakes.status import FakeConversationFilters
from tests.fakes.unit_of_work import REPOSITORIES, FakeUnitOfWork, FakeUnitOfWorkFactory

__all__ = [
    "REPOSITORIES",
    "FakeAgents",
    "FakeBindings",
    "FakeCalendarConnections",
    "FakeContacts",
    "FakeConversationFilters",
    "FakeConversations",
    "FakeDigests",
    "FakeEngine",
    "FakeGuests",
    "FakeInbound",
    "FakeJobStore",
    "FakeJobs",
    "FakeMeetings",
    "FakeMembership",
    "FakeMessages",
    "FakeOutboxStore",
    "FakeSavedReplies",
    "FakeSearch",
    "FakeServices",
    "FakeState",
    "FakeTokens",
    "FakeUnitOfWork",
    "FakeUnitOfWorkFactory",
]
