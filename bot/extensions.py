"""Engine modules that add commands and jobs to the runtime. Each registers itself with ``@extension``."""

import bot.assistant  # noqa: F401,E402 - scheduling by inviting the assistant (jobs "assistant_reminder", "assistant_calendar_link")
import bot.calendars.connections  # noqa: F401,E402 - calendar grants, writes outside transactions, "calendar_sync"
import bot.email_digest  # noqa: F401,E402 - unread-message emails (job "email_digest")
import bot.meetings  # noqa: F401,E402 - booking, changes, reminders (jobs "meeting_reminder", "calendar_write")
