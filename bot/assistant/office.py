"""The organiser's own calendar, when it is connected (Google or Microsoft 365): the event they made
gets the conversation's link in its description, once.

The ``assistant_calendar_link`` job finds the event by its iCalendar UID and appends one line. As
with ``calendar_write`` (``bot/calendars/remote_writes``), the provider is called in the job's prepare
step with no transaction open. An event not found yet (the mail can beat the calendar) is retried by
the job table with backoff; the built-in local calendar and providers without the call are skipped.
Convene still never creates, moves or deletes the event: only this line is added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.assistant.model import SERIES, repository
from bot.calendars.sources import LOCAL, load_profiles
from bot.links import inbox_link
from bot.ports import Clock, JobItem, UnitOfWork
from scheduling.errors import CalendarDisconnected, CalendarUnavailable

LINK_JOB = "assistant_calendar_link"
MARKER = "Convene conversation:"
Finish = Callable[[JobItem, UnitOfWork, Clock], Awaitable[None]]


async def request_link(uow: UnitOfWork, meeting_id: str, now: Any) -> None:
    await uow.jobs.schedule(LINK_JOB, now, {"meeting_id": meeting_id}, key=f"{LINK_JOB}:{meeting_id}")


async def finish(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
    """Nothing to store: the line in the description is the record."""


def prepare_link(runtime: Any) -> Callable[[JobItem, Clock], Awaitable[Finish | None]]:
    async def prepare(job: JobItem, clock: Clock) -> Finish | None:
        async with runtime.uow(read_only=True) as read:
            meeting = await repository(read).meeting_by_id(job.payload["meeting_id"])
            if meeting is None or meeting.instance != SERIES or not meeting.active:
                return None
            profile = (await load_profiles(read, [meeting.organizer])).get(meeting.organizer)
        if profile is None or profile.provider == LOCAL:
            return None
        provider = runtime.calendars.get(profile.provider)
        if provider is None or not hasattr(provider, "link_event"):
            return None
        if profile.broken:
            raise CalendarDisconnected(
                None, f"the {profile.provider} connection of {meeting.organizer} is broken"
            )
        link = inbox_link(runtime.settings.base_url, meeting.conversation_id)
        found = await provider.link_event(profile.account, meeting.uid, f"{MARKER} {link}", MARKER)
        if not found:
            raise CalendarUnavailable(
                None, f"no event with UID {meeting.uid} in the organiser's calendar yet"
            )
        return None

    return prepare
