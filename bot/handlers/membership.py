"""Members of a conversation, renames, read-only, joining by link, reactions.

Agents manage a conversation (add and remove members, rename, switch read-only); guests join by the
conversation's link as external members; everyone who can see a conversation reacts. Every change a
person would want to know about leaves a system message in the thread.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot import access, identity
from bot.commands import (
    AddMember,
    JoinByLink,
    React,
    RemoveMember,
    RenameConversation,
    SetConversationPicture,
    SetLink,
    SetReadOnly,
    Unreact,
)
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.events import (
    Audience,
    ConversationPictureChanged,
    ConversationRenamed,
    MemberAdded,
    MemberRemoved,
    ReactionAdded,
    ReactionRemoved,
)
from bot.handlers.people import clean_email
from bot.handlers.posting import post_notice
from bot.model import MAX_MEMBERS, MAX_NAME_LENGTH, Actor, Binding, Conversation, Guest, Member
from bot.names import clean_line, clean_name
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token

MAX_EMOJI_LENGTH = 32


@dataclass(frozen=True)
class Joined:
    conversation: Conversation
    member: Member
    created: bool  # False: already a member; nothing changed


async def _services_of(uow: UnitOfWork, actor: Actor) -> list[str]:
    return [s.slug for s in await uow.services.of_agent(actor.id)] if actor.kind == "agent" else []


async def _managed(uow: UnitOfWork, conversation_id: str, by: Actor) -> tuple[Conversation, list[Member]]:
    """The conversation, locked, if ``by`` may manage it; otherwise a refusal that leaks nothing."""
    conversation = await uow.conversations.get(conversation_id, for_update=True)
    if conversation is None:
        raise NotFound("No such conversation.", code="unknown_conversation")
    members = await uow.conversations.members(conversation.id)
    services = await _services_of(uow, by)
    role = access.role_of(conversation, by, services, members)
    if role == "none":
        raise NotFound("No such conversation.", code="unknown_conversation")
    if not access.can_manage(conversation, by, services, members):
        raise Forbidden("Only agents manage a conversation.", code="agents_only")
    return conversation, members


def _require_room(members: list[Member]) -> None:
    if len(members) >= MAX_MEMBERS:
        raise Conflict(
            f"A conversation has at most {MAX_MEMBERS:,} members.", code="too_many_members", limit=MAX_MEMBERS
        )


def _require_email(email: str | None) -> str:
    if not email:
        raise InvalidInput("Every member needs an email address.", code="email_required")
    return email


async def add_member(cmd: AddMember, uow: UnitOfWork, clock: Clock) -> Joined:
    if (cmd.agent is None) == (cmd.email is None):
        raise InvalidInput("Add either an agent or a guest's email address.", code="agent_or_email")
    async with uow:
        conversation, members = await _managed(uow, cmd.conversation_id, cmd.by)
        guest: Guest | None = None
        invite = False  # a new guest, invited by a one-time link to the address
        if cmd.agent is not None:
            agent = await uow.agents.get(cmd.agent)
            if agent is None:
                raise NotFound(f"There is no agent called {cmd.agent!r}.", code="unknown_agent")
            member = Member("agent", agent.slug, agent.name, _require_email(agent.email))
        else:
            email = clean_email(_require_email((cmd.email or "").strip()), required=True)
            assert email is not None
            # Only a guest who proved this address is that person; a guest who merely typed it is not.
            guest = await uow.membership.guest_by_email(email)
            invite = guest is None
            if guest is None:
                name = clean_name(cmd.name or email.split("@")[0])
                guest = Guest(name, email, email_origin="agent")
                await uow.guests.add(guest)
            member = Member("guest", guest.id, guest.name, email)
        existing = next((m for m in members if m.key == member.key), None)
        if existing is not None or (member.kind == "guest" and member.id == conversation.guest_id):
            return Joined(conversation, existing or member, False)
        _require_room(members)
        await uow.membership.forget_removal(conversation.id, member.kind, member.id)  # an agent may undo it
        await _add(uow, conversation, member, cmd.by, clock, f"{cmd.by.name} added {member.name}.")
        if invite and guest is not None:
            # The new guest signs in (and proves the address) with a one-time link sent to it.
            await identity.issue_proof(uow, guest, clock.now(), conversation=conversation.id, by=cmd.by.name)
        await uow.commit()
        return Joined(conversation, member, True)


async def join_by_link(cmd: JoinByLink, uow: UnitOfWork, clock: Clock) -> Joined:
    async with uow:
        guest = await uow.guests.get(cmd.guest_id)
        if guest is None:
            raise NotFound("No such guest.", code="unknown_guest")
        token = (cmd.link_token or "").strip()
        conversation = await uow.membership.by_link_token(token, for_update=True) if token else None
        if conversation is None:
            raise NotFound("This conversation link is invalid.", code="invalid_link")
        members = await uow.conversations.members(conversation.id)
        existing = next((m for m in members if m.kind == "guest" and m.id == guest.id), None)
        if existing is not None or conversation.guest_id == guest.id:
            me = existing or Member("guest", guest.id, guest.name, guest.email)
            return Joined(conversation, me, False)
        if await uow.membership.was_removed(conversation.id, "guest", guest.id):
            raise Forbidden(
                "You were removed from this conversation; the link no longer lets you in.",
                code="removed_from_conversation",
            )
        member = Member("guest", guest.id, guest.name, _require_email(guest.email), external=True)
        _require_room(members)
        await _add(uow, conversation, member, guest.actor, clock, f"{guest.name} joined by link.")
        await uow.commit()
        return Joined(conversation, member, True)


async def _add(
    uow: UnitOfWork, conversation: Conversation, member: Member, by: Actor, clock: Clock, notice: str
) -> None:
    await enroll(uow, conversation, member, by)
    await post_notice(uow, conversation, notice, clock.now())


async def enroll(uow: UnitOfWork, conversation: Conversation, member: Member, by: Actor) -> None:
    """Makes ``member`` a member: the one way in, for agents' additions, links and the assistant."""
    # History before joining is not "unread" for the newcomer: no email about old messages.
    member.last_read_seq = conversation.last_seq
    await uow.conversations.add_member(conversation.id, member)
    if member.kind == "guest":
        # Live notices reach a guest through a web binding, like the guest who started it.
        await uow.bindings.add(Binding(conversation.id, "web", {"guest_id": member.id}))
    uow.record(
        MemberAdded(
            conversation_id=conversation.id,
            kind=member.kind,
            member_id=member.id,
            name=member.name,
            external=member.external,
            by=by,
        )
    )


async def remove_member(cmd: RemoveMember, uow: UnitOfWork, clock: Clock) -> None:
    async with uow:
        conversation, members = await _managed(uow, cmd.conversation_id, cmd.by)
        member = next((m for m in members if m.kind == cmd.kind and m.id == cmd.member_id), None)
        if member is None:
            raise NotFound("That person is not a member of this conversation.", code="unknown_member")
        if member.kind == "guest" and member.id == conversation.guest_id:
            raise InvalidInput(
                "The guest who started the conversation stays in it.", code="cannot_remove_owner"
            )
        # A pending unread-email job finds no member any more and drops its state (bot/email_digest).
        await uow.membership.remove(conversation.id, member.kind, member.id)
        uow.record(
            MemberRemoved(
                conversation_id=conversation.id,
                kind=member.kind,
                member_id=member.id,
                name=member.name,
                by=cmd.by,
            )
        )
        text = (
            f"{member.name} left the conversation."
            if member.key == cmd.by.key
            else f"{cmd.by.name} removed {member.name}."
        )
        await post_notice(uow, conversation, text, clock.now())
        await uow.commit()


async def set_link(cmd: SetLink, uow: UnitOfWork, clock: Clock) -> Conversation:
    """A new join link (the old one stops working at once), or none: joining by link is off."""
    async with uow:
        conversation, _ = await _managed(uow, cmd.conversation_id, cmd.by)
        was_on = conversation.link_token is not None
        conversation.link_token = new_token() if cmd.enabled else None
        await uow.conversations.save(conversation)
        text = (
            f"{cmd.by.name} made a new link to this conversation; the old one no longer works."
            if cmd.enabled and was_on
            else f"{cmd.by.name} made this conversation available by link."
            if cmd.enabled
            else f"{cmd.by.name} turned off joining this conversation by link."
        )
        await post_notice(uow, conversation, text, clock.now())
        await uow.commit()
        return conversation


async def rename_conversation(cmd: RenameConversation, uow: UnitOfWork, clock: Clock) -> Conversation:
    title = clean_line(cmd.title, limit=MAX_NAME_LENGTH, what="title")
    async with uow:
        conversation, _ = await _managed(uow, cmd.conversation_id, cmd.by)
        if conversation.title == title:
            return conversation
        conversation.title = title
        await uow.conversations.save(conversation)
        uow.record(ConversationRenamed(conversation_id=conversation.id, title=title, by=cmd.by))
        await post_notice(
            uow, conversation, f"{cmd.by.name} renamed the conversation to “{title}”.", clock.now()
        )
        await uow.commit()
        return conversation


async def set_conversation_picture(
    cmd: SetConversationPicture, uow: UnitOfWork, clock: Clock
) -> Conversation:
    """Agents who can see the conversation change its picture; everyone sees a notice of it."""
    async with uow:
        conversation, _ = await _managed(uow, cmd.conversation_id, cmd.by)
        if conversation.picture == cmd.picture:
            return conversation
        conversation.picture = cmd.picture
        await uow.conversations.save(conversation)
        uow.record(ConversationPictureChanged(conversation_id=conversation.id, by=cmd.by))
        did = "changed the picture" if cmd.picture else "removed the picture"
        await post_notice(uow, conversation, f"{cmd.by.name} {did}.", clock.now())
        await uow.commit()
        return conversation


async def set_read_only(cmd: SetReadOnly, uow: UnitOfWork, clock: Clock) -> Conversation:
    async with uow:
        conversation, _ = await _managed(uow, cmd.conversation_id, cmd.by)
        if conversation.read_only_external == bool(cmd.read_only):
            return conversation
        conversation.read_only_external = bool(cmd.read_only)
        await uow.conversations.save(conversation)
        text = (
            f"{cmd.by.name} made this conversation read-only for external members."
            if cmd.read_only
            else f"{cmd.by.name} let external members write again."
        )
        await post_notice(uow, conversation, text, clock.now())
        await uow.commit()
        return conversation


def clean_emoji(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("Choose an emoji.", code="invalid_emoji")
    emoji = value.strip()
    bad = any(unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp"} and ch != "\u200d" for ch in emoji)
    if not emoji or len(emoji) > MAX_EMOJI_LENGTH or bad:
        raise InvalidInput("Choose an emoji.", code="invalid_emoji")
    return emoji


async def react(cmd: React, uow: UnitOfWork) -> int:
    return await _reaction(cmd, uow, add=True)


async def unreact(cmd: Unreact, uow: UnitOfWork) -> int:
    return await _reaction(cmd, uow, add=False)


async def _reaction(cmd: React | Unreact, uow: UnitOfWork, *, add: bool) -> int:
    """Returns how many reacted with this emoji afterwards."""
    emoji = clean_emoji(cmd.emoji)
    async with uow:
        conversation = await uow.conversations.get(cmd.conversation_id)
        members = await uow.conversations.members(cmd.conversation_id) if conversation else []
        services = await _services_of(uow, cmd.by)
        if conversation is None or not access.can_react(conversation, cmd.by, services, members):
            raise NotFound("No such conversation.", code="unknown_conversation")
        repo = uow.membership
        message = await repo.message(conversation.id, cmd.message_id)
        if message is None or (message.internal and cmd.by.kind != "agent"):
            raise NotFound("No such message.", code="unknown_message")
        if add:
            changed = await repo.add_reaction(message.id, cmd.by.key, emoji)
        else:
            changed = await repo.remove_reaction(message.id, cmd.by.key, emoji)
        count = sum(1 for m, _, e in await repo.reactions(conversation.id) if m == message.id and e == emoji)
        if changed:
            event = ReactionAdded if add else ReactionRemoved
            uow.record(
                event(
                    conversation_id=conversation.id,
                    message_id=message.id,
                    emoji=emoji,
                    by=cmd.by,
                    count=count,
                    # A reaction on an internal note is as private as the note.
                    audience=Audience.AGENTS if message.internal else Audience.EVERYONE,
                )
            )
        await uow.commit()
        return count
