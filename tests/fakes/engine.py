"""The engine on fakes: the real command bus and handlers (conversations, members, meetings) over a
fake unit of work, a driven clock and no calendar provider (only Convene's own meetings are busy).

It stands where ``bot.bootstrap.Runtime`` does for the meeting handlers (``MeetingRuntime``), so a rule
about meetings or members is tested with a command in and an outcome out, without HTTP or a database.
"""

from __future__ import annotations

from typing import Any

from bot import email_digest
from bot.bus import MessageBus
from bot.commands import Command
from bot.handlers import HANDLERS
from bot.handlers.posting import PostingHooks
from bot.meetings.handlers import HANDLERS as MEETING_HANDLERS
from bot.settings import Settings
from tests.conftest import DrivenClock
from tests.fakes.unit_of_work import FakeUnitOfWork, FakeUnitOfWorkFactory


class FakeEngine:
    def __init__(self, clock: DrivenClock | None = None, calendars: dict[str, Any] | None = None) -> None:
        self.clock = clock or DrivenClock()
        self.uows = FakeUnitOfWorkFactory(self.clock)
        self.state = self.uows.state
        self.calendars: dict[str, Any] = calendars or {}
        self.settings = Settings()
        # The unread-email module follows every message and read, as its register() does at bootstrap.
        self.posting = PostingHooks(after_append=[email_digest.on_message], after_read=[email_digest.on_read])
        self.bus = MessageBus(
            self.uows,
            {**HANDLERS, **MEETING_HANDLERS, **email_digest.HANDLERS},
            {
                "clock": self.clock,
                "settings": self.settings,
                "calendars": self.calendars,
                "runtime": self,
                "posting": self.posting,
            },
        )

    def uow(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return self.uows(read_only=read_only)

    async def handle(self, command: Command) -> Any:
        return await self.bus.handle(command)

    def event_types(self, since: int = 0) -> list[str]:
        return [row["event"].type for row in self.state.outbox[since:]]
