"""Orders about meetings. Slack, Teams and the web adapter all send these same commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.commands import Command
from bot.model import Actor


@dataclass(frozen=True)
class BookMeeting(Command):
    """A guest books for themself (``by.kind == "guest"``); an agent may book from a conversation
    (``conversation_id`` names the guest; ``agent`` defaults to the booking agent). ``duration`` and
    ``subject`` left None take the engine's defaults (``bot.meetings.options``)."""

    start: datetime
    by: Actor
    duration: int | None = None
    subject: str | None = None
    agent: str | None = None
    service: str | None = None
    guest_id: str | None = None
    conversation_id: str | None = None
    guest_timezone: str | None = None
    idempotency_key: str | None = None
    # A guest without an email gives one here: the invitation goes to it (``email_required``).
    guest_email: str | None = None
    # The personal link's ``?start=&end=`` (days in the host's zone): a rule, not a hint.
    link_start: date | None = None
    link_end: date | None = None


@dataclass(frozen=True)
class RescheduleMeeting(Command):
    meeting_id: str
    start: datetime
    by: Actor
    duration: int | None = None


@dataclass(frozen=True)
class ChangeMeetingDuration(Command):
    meeting_id: str
    duration: int
    by: Actor


@dataclass(frozen=True)
class CancelMeeting(Command):
    meeting_id: str
    by: Actor
    reason: str | None = None


@dataclass(frozen=True)
class UpdateAgentSettings(Command):
    agent: str
    settings: dict[str, Any]
    by: Actor


@dataclass(frozen=True)
class IssueManageToken(Command):
    """A link for the meeting's guest to see, reschedule or cancel it without a session (the booking
    page's confirmation, the meeting mails). ``by`` is the guest themself or the system."""

    meeting_id: str
    by: Actor
