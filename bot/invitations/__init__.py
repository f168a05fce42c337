"""Invitations to self-schedule (issue 12): an agent invites a customer with a subject, a team, rooms and
a time frame; the customer books one of the free slots with one click.

``register(runtime)`` adds the command handlers and the ``attendee_calendar_write`` job; ``bot.invitations.handlers.count_slots`` is the dialog's
read-only slot count. Rooms and attendee rows live in ``uow.invitations`` (``storage/invitations.py``).
"""

from __future__ import annotations

from typing import Any


def register(runtime: Any) -> None:
    from bot.invitations import commands as c
    from bot.invitations.calendar_writes import ATTENDEE_CALENDAR_JOB, preparer, writer
    from bot.invitations.changes import cancel_by_invitation, reschedule_by_invitation
    from bot.invitations.handlers import (
        book_invitation,
        create_invitation,
        resend_invitation,
        withdraw_invitation,
    )
    from bot.invitations.rooms import add_room, remove_room

    runtime.bus.register(c.CreateInvitation, create_invitation)
    runtime.bus.register(c.BookInvitation, book_invitation)
    runtime.bus.register(c.WithdrawInvitation, withdraw_invitation)
    runtime.bus.register(c.ResendInvitation, resend_invitation)
    runtime.bus.register(c.RescheduleByInvitation, reschedule_by_invitation)
    runtime.bus.register(c.CancelByInvitation, cancel_by_invitation)
    runtime.bus.register(c.AddRoom, add_room)
    runtime.bus.register(c.RemoveRoom, remove_room)
    runtime.jobs.register(ATTENDEE_CALENDAR_JOB, writer(runtime), prepare=preparer(runtime))
