"""A participant's one-time link: proof of the email the invitation went to, so it signs them in as
the guest with that email, for the conversation it names. Used once; a second click asks for a new one."""

from __future__ import annotations

from dataclasses import dataclass

from bot.assistant.commands import RedeemConversationInvitation
from bot.assistant.people import INVITATION_TOKEN
from bot.errors import Unauthorized
from bot.model import Guest
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token, token_hash


@dataclass(frozen=True)
class GuestSessionForConversation:
    guest: Guest
    token: str  # a guest bearer token, as the widget keeps it
    conversation_id: str


async def redeem_conversation_invitation(
    cmd: RedeemConversationInvitation, uow: UnitOfWork, clock: Clock
) -> GuestSessionForConversation:
    refused = Unauthorized(
        "This invitation link is invalid, used or expired.", code="invalid_invitation_link"
    )
    async with uow:
        subject = await uow.tokens.consume(token_hash(cmd.token or ""), INVITATION_TOKEN, clock.now())
        if subject is None:
            raise refused
        guest_id, _, conversation_id = subject.partition(" ")
        guest = await uow.guests.get(guest_id)
        members = await uow.conversations.members(conversation_id)
        conversation = await uow.conversations.get(conversation_id)
        if guest is None or conversation is None:
            raise refused
        if conversation.guest_id != guest.id and not any(
            m.kind == "guest" and m.id == guest.id for m in members
        ):
            raise refused  # removed since the invitation went out
        token = new_token()
        await uow.tokens.add(token_hash(token), "guest", guest.id, None)
        await uow.commit()
        return GuestSessionForConversation(guest, token, conversation_id)
