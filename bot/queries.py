"""Read side: what one identity may see. Adapters call these; the access rules stay in the engine."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot import access
from bot.errors import Forbidden, NotFound
from bot.model import Actor, Agent, Conversation, Guest, Member, Message
from bot.ports import ConversationSummary, UnitOfWork
from bot.titles import heading_for


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    title: str
    members: list[Member]  # empty when the viewer may not see them
    unread: int
    can_write: bool
    avatar: dict[str, Any] = field(default_factory=dict)  # follows the title: initials, colour, picture
    role: str = "none"  # bot.access.Role of the viewer
    last_seq: int = 0  # in the viewer's numbering: guests count only the messages they see
    seen_seq: int = 0  # a guest's view: how far an agent has read, in the guest's numbering ("Seen")


async def _visible(
    uow: UnitOfWork, viewer: Actor, conversation_id: str
) -> tuple[Conversation, list[Member], list[str]]:
    conversation = await uow.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("No such conversation.", code="unknown_conversation")
    members = await uow.conversations.members(conversation.id)
    services = [s.slug for s in await uow.services.of_agent(viewer.id)] if viewer.kind == "agent" else []
    # Someone else's conversation answers exactly like a missing one: ids leak nothing.
    if not access.can_see(conversation, viewer, services, members):
        raise NotFound("No such conversation.", code="unknown_conversation")
    return conversation, members, services


async def view_conversation(uow: UnitOfWork, viewer: Actor, conversation_id: str) -> ConversationView:
    conversation, members, services = await _visible(uow, viewer, conversation_id)
    return await _view(uow, viewer, conversation, members, services)


async def _view(
    uow: UnitOfWork, viewer: Actor, conversation: Conversation, members: list[Member], services: list[str]
) -> ConversationView:
    guest = await uow.guests.get(conversation.guest_id)
    service = await uow.services.get(conversation.service) if conversation.service else None
    if service is None and viewer.kind == "guest" and conversation.agent:
        # Started from a personal link: in a group the guest sees the agent's service, not names.
        service = next(iter(await uow.services.of_agent(conversation.agent)), None)
    agent_names = {m.id: m.name for m in members if m.kind == "agent"}
    avatars: dict[str, str | None] = {}
    if viewer.kind == "guest":
        # A guest may see an agent's name and picture; look the agents up (few per conversation).
        for slug in dict.fromkeys([*agent_names, *([conversation.agent] if conversation.agent else [])]):
            agent = await uow.agents.get(slug)
            if agent is not None:
                agent_names[agent.slug] = agent.name
                avatars[agent.slug] = agent.avatar_url
    heading = heading_for(
        viewer,
        conversation,
        members,
        guest_names=[guest.name] if guest else [],
        agent_names=agent_names,
        service_name=service.name if service else None,
        agent_avatars=avatars,
    )
    me = next((m for m in members if m.kind == viewer.kind and m.id == viewer.id), None)
    last_seq = conversation.last_seq
    read = me.last_read_seq if me else 0
    if viewer.kind == "guest":  # internal notes are neither unread nor counted for a guest
        last_seq = conversation.guest_seq
        read = await uow.messages.guest_position(conversation.id, read) if read else 0
    unread = last_seq - read
    seen = 0
    if viewer.kind == "guest":
        furthest = max((m.last_read_seq for m in members if m.kind == "agent"), default=0)
        seen = await uow.messages.guest_position(conversation.id, furthest) if furthest else 0
    return ConversationView(
        conversation,
        heading.title,
        members if access.can_see_members(conversation, viewer, services, members) else [],
        max(0, unread),
        access.can_write(conversation, viewer, services, members),
        heading.avatar,
        access.role_of(conversation, viewer, services, members),
        last_seq,
        seen,
    )


async def guest_conversations(uow: UnitOfWork, guest: Guest) -> list[ConversationView]:
    result = []
    for conversation in await uow.conversations.list_for_guest(guest.id):
        members = await uow.conversations.members(conversation.id)
        result.append(await _view(uow, guest.actor, conversation, members, []))
    return result


async def messages(
    uow: UnitOfWork, viewer: Actor, conversation_id: str, *, after_seq: int = 0, limit: int = 500
) -> list[Message]:
    """The messages after ``after_seq``, in the viewer's numbering (a guest's counts only what they see)."""
    await _visible(uow, viewer, conversation_id)
    if viewer.kind == "agent":
        return await _with_files(
            uow, await uow.messages.list(conversation_id, after_seq=after_seq, limit=limit)
        )
    if after_seq > 0:
        after_seq = await uow.messages.seq_at_guest_position(conversation_id, after_seq)
    found = await uow.messages.list(conversation_id, after_seq=after_seq, limit=limit, include_internal=False)
    return await _with_files(uow, found)


async def _with_files(uow: UnitOfWork, messages: list[Message]) -> list[Message]:
    """Each message with its attachments (bot.attachments), in one query for the page."""
    found = await uow.attachments.of_messages([m.id for m in messages]) if messages else {}
    for message in messages:
        message.attachments = found.get(message.id, [])
    return messages


async def inbox(uow: UnitOfWork, agent: Agent, *, mine_only: bool = False) -> list[ConversationSummary]:
    services = [s.slug for s in await uow.services.of_agent(agent.slug)]
    found = await uow.conversations.list_for_agent(agent.slug, services, mine_only=mine_only)
    if mine_only:  # "my open conversations" (Slack's and Teams' inbox): resolved and snoozed ones wait
        found = [s for s in found if s.conversation.status == "open"]
    return await with_guest_names(uow, found)


async def with_guest_names(uow: UnitOfWork, found: list[ConversationSummary]) -> list[ConversationSummary]:
    membership = getattr(uow, "membership", None)
    if membership is None:
        return found
    # Agents see every guest of a conversation: "Ann, Ben".
    names = await membership.guest_names([s.conversation.id for s in found])
    return [
        replace(s, guest_name=", ".join(dict.fromkeys([s.guest_name, *names.get(s.conversation.id, [])])))
        for s in found
    ]


async def members(uow: UnitOfWork, viewer: Actor, conversation_id: str) -> list[Member]:
    conversation, found, services = await _visible(uow, viewer, conversation_id)
    if not access.can_see_members(conversation, viewer, services, found):
        raise Forbidden("The member list of this conversation is hidden for you.", code="members_hidden")
    return found


@dataclass(frozen=True)
class ReactionCount:
    emoji: str
    count: int
    mine: bool
    by: list[str] | None  # names; None when the viewer may see only the counts


async def reactions(uow: UnitOfWork, viewer: Actor, conversation_id: str) -> dict[str, list[ReactionCount]]:
    """Per message id: each emoji with its count; who reacted only for viewers who may see members."""
    conversation, found, services = await _visible(uow, viewer, conversation_id)
    show_who = access.can_see_members(conversation, viewer, services, found)
    names = {m.key: m.name for m in found}
    grouped: dict[str, dict[str, list[str]]] = {}
    # Reactions on internal notes are as invisible to guests as the notes.
    rows = await getattr(uow, "membership").reactions(  # noqa: B009 - registered by the storage plugin
        conversation_id, include_internal=viewer.kind == "agent"
    )
    for message_id, member_key, emoji in rows:
        grouped.setdefault(message_id, {}).setdefault(emoji, []).append(member_key)
    return {
        message_id: [
            ReactionCount(
                emoji,
                len(keys),
                f"{viewer.kind}:{viewer.id}" in keys,
                [names.get(k, k.partition(":")[2]) for k in keys] if show_who else None,
            )
            for emoji, keys in by_emoji.items()
        ]
        for message_id, by_emoji in grouped.items()
    }


async def can_agent_see(uow: UnitOfWork, agent_slug: str, conversation_id: str) -> bool:
    try:
        await _visible(uow, Actor("agent", agent_slug, agent_slug), conversation_id)
    except NotFound:
        return False
    return True


async def agents_following(uow: UnitOfWork, conversation_id: str) -> set[str]:
    """The agents whose inbox shows this conversation live: everyone ``bot.access`` lets see it."""
    conversation = await uow.conversations.get(conversation_id)
    if conversation is None:
        return set()
    service = await uow.services.get(conversation.service) if conversation.service else None
    members = await uow.conversations.members(conversation_id)
    return access.agents_who_see(conversation, service.members if service else [], members)
