"""What an invitation may say: every refusal has a ``code`` and the ``field`` the dialog marks, and comes
before anything is read or written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.handlers.people import clean_email
from bot.invitations.commands import InvitationDraft
from bot.invitations.model import MEETING_TYPES, TIMEZONE_MODES
from bot.names import clean_line
from bot.zones import zone
from scheduling.availability import MAX_DURATION, MIN_DURATION
from scheduling.errors import SchedulingError
from scheduling.intervals import parse_hhmm

MAX_PROMOTED = 10
MAX_SUBJECT = 300
MAX_TEXT = 5000
DEFAULT_HORIZON_DAYS = 90


def refuse(message: str, code: str, field: str) -> InvalidInput:
    return InvalidInput(message, code=code, field=field)


def _line(value: str, *, limit: int, what: str, field: str) -> str:
    try:
        return clean_line(value, limit=limit, what=what)
    except InvalidInput as error:
        raise refuse(error.message, error.code, field) from None


def _hhmm(value: str, field: str) -> int:
    try:
        return parse_hhmm(value)
    except (SchedulingError, ValueError, TypeError):
        raise refuse(f"{value!r} is not a time of day like 09:00.", "invalid_hours", field) from None


def check_draft(
    draft: InvitationDraft, *, organizer_tz: str, now: datetime, horizon_days: int
) -> InvitationDraft:
    """The draft cleaned (defaults filled in), or ``InvalidInput`` naming the first bad field."""
    name = _line(draft.guest_name, limit=200, what="name", field="guest_name")
    try:
        email = clean_email(draft.guest_email, required=True) or ""
    except InvalidInput as error:
        raise refuse(error.message, "invalid_email", "guest_email") from None
    subject = _line(draft.subject, limit=MAX_SUBJECT, what="subject", field="subject")
    duration = draft.duration
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not MIN_DURATION <= duration <= MAX_DURATION
    ):
        raise refuse(
            f"A meeting lasts {MIN_DURATION} to {MAX_DURATION} minutes, not {duration!r}.",
            "invalid_duration",
            "duration",
        )
    members = tuple(dict.fromkeys(draft.members))
    if not members:
        raise refuse("Choose at least one team member.", "empty_team", "members")
    tz = draft.timezone or organizer_tz
    try:
        zone(tz)
    except InvalidInput as error:
        raise refuse(error.message, error.code, "timezone") from None
    if draft.guest_timezone:
        try:
            zone(draft.guest_timezone)
        except InvalidInput as error:
            raise refuse(error.message, error.code, "guest_timezone") from None
    start_minute, end_minute = _hhmm(draft.day_start, "day_start"), _hhmm(draft.day_end, "day_end")
    if end_minute - start_minute < duration:
        raise refuse("The daily hours must hold at least one meeting.", "invalid_hours", "day_end")
    today = now.astimezone(ZoneInfo(tz)).date()
    if draft.end_date < draft.start_date:
        raise refuse(
            f"The time frame ends ({draft.end_date}) before it starts ({draft.start_date}).",
            "invalid_time_frame",
            "end_date",
        )
    if draft.end_date < today:
        raise refuse("The time frame is in the past.", "time_frame_in_past", "end_date")
    if draft.end_date > today + timedelta(days=horizon_days):
        raise refuse(
            f"Invitations reach at most {horizon_days} days ahead.", "time_frame_too_far", "end_date"
        )
    if draft.meeting_type not in MEETING_TYPES:
        raise refuse(
            f"The meeting type is one of {', '.join(MEETING_TYPES)}.", "invalid_meeting_type", "meeting_type"
        )
    for flag in ("add_to_calendar", "send_confirmation", "send_email"):
        if not isinstance(getattr(draft, flag), bool):
            raise refuse(f"{flag} is true or false.", "invalid_boolean", flag)
    if draft.timezone_mode not in TIMEZONE_MODES:
        raise refuse(
            f"The time zone mode is one of {', '.join(TIMEZONE_MODES)}.",
            "invalid_timezone_mode",
            "timezone_mode",
        )
    for field in ("description", "conferencing", "location"):
        if len(getattr(draft, field)) > MAX_TEXT:
            raise refuse(f"The {field} is longer than {MAX_TEXT:,} characters.", f"{field}_too_long", field)
    promoted = tuple(dict.fromkeys(p.astimezone(UTC) for p in draft.promoted))
    if len(promoted) > MAX_PROMOTED:
        raise refuse(f"Promote at most {MAX_PROMOTED} time slots.", "too_many_promoted", "promoted")
    return replace(
        draft,
        guest_name=name,
        guest_email=email,
        subject=subject,
        members=members,
        rooms=tuple(dict.fromkeys(draft.rooms)),
        pools=tuple(dict.fromkeys(draft.pools)),
        timezone=tz,
        promoted=tuple(sorted(promoted)),
    )


def horizon(now: datetime, horizon_days: int) -> datetime:
    """The latest start an invitation offers (the slot code's cut-off)."""
    return now + timedelta(days=horizon_days + 1)
