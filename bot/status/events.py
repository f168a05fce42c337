"""What happened to a conversation's status. Routing among agents: guests see the notices in the
thread (resolved, reopened), never the status itself, so these are for agents only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.events import Audience, Event
from bot.model import Actor


@dataclass(frozen=True)
class ConversationResolved(Event):
    conversation_id: str
    by: Actor
    resolved_at: datetime
    assignee: str | None = None
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class ConversationReopened(Event):
    conversation_id: str
    by: Actor  # the agent, the guest who wrote, or the system when a snooze ended
    reason: str  # "agent" | "guest_wrote" | "snooze_ended"
    assignee: str | None = None  # a snooze's end reaches them as bot.notices.AgentNotified
    at: datetime | None = None
    audience: Audience = Audience.AGENTS


@dataclass(frozen=True)
class ConversationSnoozed(Event):
    conversation_id: str
    by: Actor
    until: datetime
    assignee: str | None = None
    audience: Audience = Audience.AGENTS
