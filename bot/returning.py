"""Returning guests: continuing on another device with a one-time link mailed to a proven address.

A guest on a new browser enters their email ("Continue a previous conversation"). Convene mails a link
that works once, for 30 minutes; opening it signs that browser in as the guest, with their conversations
and meetings. Only the link joins two sessions; a typed address alone never does.

Whose link it is: the guest who proved the address; when nobody has, the newest guest who typed it
(opening the link proves it for them, exactly as ``bot.identity``'s proof link does); when nobody typed
it either, the guest asking from this browser, whose address it becomes. The answer is the same in
every case (and mails nothing when there is nobody), so it never tells whether an address is known.

Merging: the browser gets a token of the existing guest. A guest that only existed on the new browser
is not merged: its conversations stay its own (agents still see and answer them), nothing is moved or
lost. Redeeming is ``bot.identity.RedeemEmailProof`` (``POST /api/guest/email/redeem``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot import access
from bot.commands import Command
from bot.errors import InvalidInput
from bot.handlers.people import clean_email
from bot.identity import issue_proof
from bot.model import Guest
from bot.ports import Clock, UnitOfWork

if TYPE_CHECKING:
    from bot.runtime import Runtime

CONTINUE_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class RequestContinueLink(Command):
    email: str
    guest_id: str | None = None  # the guest already on this browser, if any
    conversation: str = ""  # the conversation the guest wants to open, if they came from its page


async def request_continue_link(cmd: RequestContinueLink, uow: UnitOfWork, clock: Clock) -> None:
    if not str(cmd.email or "").strip():
        raise InvalidInput("Enter the email address you used before.", code="email_required", field="email")
    email = clean_email(cmd.email, required=True) or ""
    async with uow:
        now = clock.now()
        guest: Guest | None = await uow.membership.guest_by_email(email)
        if guest is None:
            guest = await uow.guests.latest_typed(email)
        if guest is None and cmd.guest_id:
            guest = await uow.guests.get(cmd.guest_id)
            if guest is not None and not guest.email_proven:
                guest.email = email  # typed, still unproven: the link proves it
                guest.email_origin = "guest"
                await uow.guests.save(guest)
            else:
                guest = None
        if guest is None:
            return
        conversation = ""
        if cmd.conversation:
            found = await uow.conversations.get(cmd.conversation)
            members = await uow.conversations.members(cmd.conversation) if found else []
            if found is not None and access.guest_can_see(found, guest.id, members):
                conversation = found.id
        await issue_proof(
            uow, guest, now, conversation=conversation, lifetime=CONTINUE_LIFETIME, purpose="continue"
        )
        await uow.commit()


def register(runtime: Runtime) -> None:
    runtime.bus.register(RequestContinueLink, request_continue_link)
