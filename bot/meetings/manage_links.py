"""Manage links: a guest who booked sees, reschedules or cancels the meeting without a session.

A link carries a server-issued secret (``bot.tokens.new_token``); only its hash is stored, in the
shared token table under the kind ``meeting_manage`` with the meeting's id as its subject. Holding
the token means acting as the meeting's guest, so every change goes through the ordinary commands
(``RescheduleMeeting``, ``CancelMeeting``) with the guest as actor and the same race safety. A token
opens its own meeting only; looking one up never writes (mail scanners follow links). It has no
expiry of its own: a meeting in the past cannot be changed anyway, and more than one token per meeting
is fine (each mail may carry a fresh one).

For the mails (``adapters/email``), inside any unit of work::

    token = await issue_manage_token(uow, event.meeting_id, event.guest_id)
    await uow.commit()
    line = f"Reschedule or cancel: {manage_url(public_url, token)}"
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotFound
from bot.meetings.commands import IssueManageToken
from bot.meetings.model import Meeting
from bot.model import Guest
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token, token_hash

MANAGE_KIND = "meeting_manage"
MANAGE_PATH = "/booked/"


def carries_manage_link(event_type: str, reader_role: str) -> bool:
    """Which meeting mails carry the guest's manage link: every mail to the meeting's guest while the
    meeting stands (an unproven address too: the link opens that one meeting, not the conversation)."""
    return reader_role == "guest" and event_type != "MeetingCancelled"


def manage_url(public_url: str, token: str) -> str:
    """The page where the guest sees the booked meeting and can reschedule or cancel it."""
    return f"{public_url.rstrip('/')}{MANAGE_PATH}{token}"


async def issue_manage_token(uow: UnitOfWork, meeting_id: str, guest_id: str) -> str:
    """A new token for (meeting, its guest), inside the caller's transaction (the caller commits).
    Refuses a guest who is not the meeting's own."""
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None or meeting.guest_id != guest_id:
        raise NotFound("No such meeting.", code="not_found")
    token = new_token()
    await uow.tokens.add(token_hash(token), MANAGE_KIND, meeting.id, None)
    return token


async def issue_manage_token_handler(cmd: IssueManageToken, uow: UnitOfWork) -> str:
    async with uow:
        meeting = await uow.meetings.get(cmd.meeting_id)
        if meeting is None or cmd.by.kind not in ("guest", "system"):
            raise NotFound("No such meeting.", code="not_found")
        guest_id = meeting.guest_id if cmd.by.kind == "system" else cmd.by.id
        token = await issue_manage_token(uow, cmd.meeting_id, guest_id)
        await uow.commit()
        return token


@dataclass(frozen=True)
class Managed:
    """What a manage token opens: the meeting and its guest (the actor for changes)."""

    meeting: Meeting
    guest: Guest


async def managed_by_token(uow: UnitOfWork, token: str, clock: Clock) -> Managed:
    """The meeting a token opens; a wrong, unknown or malformed token answers like a missing meeting.
    Reads only."""
    if not token or len(token) > 200:
        raise NotFound("This link does not open a meeting.", code="not_found")
    meeting_id = await uow.tokens.resolve(token_hash(token), MANAGE_KIND, clock.now())
    meeting = await uow.meetings.get(meeting_id) if meeting_id else None
    guest = await uow.guests.get(meeting.guest_id) if meeting else None
    if meeting is None or guest is None:
        raise NotFound("This link does not open a meeting.", code="not_found")
    return Managed(meeting, guest)
