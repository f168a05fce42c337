"""Meetings: booking with no double booking, changes from both sides, reminders.

Registered on the runtime by ``@extension``: the command handlers on the bus, and the
``meeting_reminder`` and ``calendar_write`` jobs on the job runner.
"""

from __future__ import annotations

from typing import Any

from bot.bootstrap import extension
from bot.meetings.effects import CALENDAR_JOB, REMINDER_JOB


@extension
def register(runtime: Any) -> None:
    from bot.meetings.handlers import HANDLERS
    from bot.meetings.jobs import calendar_writer, send_reminder

    for command, handler in HANDLERS.items():
        runtime.bus.register(command, handler)
    runtime.jobs.register(REMINDER_JOB, send_reminder)
    runtime.jobs.register(CALENDAR_JOB, calendar_writer(runtime.calendars))
