"""Scheduling by inviting the assistant (issue 13): calendar invitations open and follow conversations.

``register(runtime)`` adds the command handlers and the ``assistant_reminder`` and
``assistant_calendar_link`` jobs; the SMTP adapter
(``adapters/email/assistant_inbound.py``) turns mail to the assistant's addresses into these commands.
"""

from __future__ import annotations

from typing import Any


def register(runtime: Any) -> None:
    from bot.assistant import commands as c
    from bot.assistant.handlers import (
        accept_calendar_invitation,
        cancel_calendar_event,
        explain_refused_invitation,
        record_attendee_reply,
    )
    from bot.assistant.joining import redeem_conversation_invitation
    from bot.assistant.office import LINK_JOB, finish, prepare_link
    from bot.assistant.reminders import REMINDER_JOB, send_reminder

    runtime.bus.register(c.AcceptCalendarInvitation, accept_calendar_invitation)
    runtime.bus.register(c.CancelCalendarEvent, cancel_calendar_event)
    runtime.bus.register(c.RecordAttendeeReply, record_attendee_reply)
    runtime.bus.register(c.ExplainRefusedInvitation, explain_refused_invitation)
    runtime.bus.register(c.RedeemConversationInvitation, redeem_conversation_invitation)
    runtime.jobs.register(REMINDER_JOB, send_reminder)
    runtime.jobs.register(LINK_JOB, finish, prepare=prepare_link(runtime))
