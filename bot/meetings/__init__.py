"""Meetings: booking with no double booking, changes from both sides, reminders.

``bootstrap`` wires them through ``bot.meetings.handlers.register`` (the commands) and
``bot.meetings.jobs.register`` (the ``meeting_reminder`` job); writing meetings into calendars is
``bot.calendars.writes``. This file imports nothing, so importing any part of the package (its model,
say) never drags in the rest.
"""
