"""Orders about a conversation's status (see ``bot.status``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.model import Actor


@dataclass(frozen=True)
class ResolveConversation(Command):
    conversation_id: str
    by: Actor


@dataclass(frozen=True)
class ReopenConversation(Command):
    conversation_id: str
    by: Actor


@dataclass(frozen=True)
class SnoozeConversation(Command):
    """Until a time: ``until`` (ISO 8601; without an offset it is read in the agent's own zone) or a
    ``preset`` (``hour``, ``tomorrow``, ``next_week``; see ``bot.status.presets``)."""

    conversation_id: str
    by: Actor
    until: str | None = None
    preset: str | None = None
