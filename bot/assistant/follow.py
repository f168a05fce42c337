"""The organiser's connected calendar as a second source of a followed meeting's changes.

The ``calendar_sync`` round (``bot/calendars/sync.py``) reports what changed in the organiser's Google
or Microsoft 365 calendar; for an event whose iCalendar UID is one of that organiser's assistant
meetings (still active), a move is the same change as a newer iTIP REQUEST with the new times (the same
"moved from … to …" notice and member mails) and a deletion the same as a CANCEL. Applied once,
whichever source comes first:

- a change the meeting already shows (same start and end; cancelled already) is no news, so the
  invitation that follows a calendar move, or a sync that follows the invitation, does nothing more;
- with a SEQUENCE (Google gives one) the meeting takes it over, so the invitation of the same change is
  a repeat; a SEQUENCE below the meeting's is older than what it knows and ignored;
- without one (Graph), the move is noted (``note_calendar_state``) and the next invitation with the
  same times takes over its SEQUENCE quietly.

Only the event itself is followed: a change to one occurrence of a series still comes by mail. Deleted
events arrive as a bare id, so the UID of each event seen is kept in the connection's sync state.
Convene never writes the event's time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.assistant import reminders, texts
from bot.assistant.checks import note_calendar_state, own_address, tell_members
from bot.assistant.handlers import record_cancel
from bot.assistant.model import SERIES, CalendarMeeting, repository
from bot.handlers.posting import post_notice
from bot.ports import Clock, UnitOfWork
from bot.settings import Settings
from scheduling.calendar import EventChange


async def record_move(
    uow: UnitOfWork, meeting: CalendarMeeting, change: EventChange, clock: Clock, settings: Settings
) -> None:
    assert change.start is not None and change.end is not None
    now = clock.now()
    old = (meeting.start, meeting.end)
    meeting.start, meeting.end, meeting.updated_at = change.start, change.end, now
    if change.sequence is not None:
        meeting.sequence = max(meeting.sequence, change.sequence)
    else:
        await note_calendar_state(uow, meeting, now)
    await reminders.arm(uow, meeting, now)  # also saves the row
    conversation = await uow.conversations.get(meeting.conversation_id, for_update=True)
    if conversation is None:
        return
    new = (meeting.start, meeting.end)
    await post_notice(uow, conversation, texts.moved(meeting.summary, old, new, meeting.timezone), now)
    address = await own_address(uow, conversation.id, settings)
    await tell_members(
        uow, conversation, meeting, "moved", address, previous_start=old[0], previous_end=old[1]
    )


async def follow_calendar(
    uow: UnitOfWork,
    clock: Clock,
    settings: Settings,
    organizer: str,
    changes: Sequence[EventChange],
    known: Mapping[str, str],
) -> tuple[int, dict[str, str]]:
    """Applies the organiser's calendar changes to their followed meetings. ``known`` maps event ids
    seen before to their UIDs; returns how many changes were applied, and the map to keep."""
    events = dict(known)
    applied = 0
    now = clock.now()
    uids = {c.ical_uid or events.get(c.external_event_id, "") for c in changes if not c.occurrence}
    # A full listing names every event of the calendar: one query picks the few that are followed.
    followed = await repository(uow).followed_uids(organizer, sorted(uids - {""}))
    for change in changes:
        uid = change.ical_uid or events.get(change.external_event_id, "")
        if not uid or change.occurrence:
            continue
        if uid not in followed:
            events.pop(change.external_event_id, None)
            continue
        meeting = await repository(uow).meeting(uid, SERIES, for_update=True)
        if meeting is None or meeting.organizer != organizer or not meeting.active:
            events.pop(change.external_event_id, None)
            continue
        if change.deleted:
            events.pop(change.external_event_id, None)
        else:
            events[change.external_event_id] = uid
        if not meeting.rrule and meeting.end <= now:
            continue  # past meetings are history, whatever the calendar says
        if change.sequence is not None and change.sequence < meeting.sequence:
            continue  # older than what the invitations told us
        if change.deleted:
            await record_cancel(uow, meeting, meeting.sequence, clock, settings)
            applied += 1
        elif (
            change.start is not None
            and change.end is not None
            and (change.start, change.end) != (meeting.start, meeting.end)
        ):
            await record_move(uow, meeting, change, clock, settings)
            applied += 1
    return applied, events
