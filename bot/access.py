"""Who may see and write what. Every adapter asks here; none decides on its own."""

from __future__ import annotations

from collections.abc import Sequence

from bot.model import Actor, Conversation, Member


def agent_can_see(
    conversation: Conversation, agent_slug: str, agent_services: Sequence[str], members: Sequence[Member] = ()
) -> bool:
    return (
        conversation.agent == agent_slug
        or conversation.assignee == agent_slug
        or (conversation.service is not None and conversation.service in agent_services)
        or any(m.kind == "agent" and m.id == agent_slug for m in members)
    )


def guest_can_see(conversation: Conversation, guest_id: str, members: Sequence[Member] = ()) -> bool:
    return conversation.guest_id == guest_id or any(m.kind == "guest" and m.id == guest_id for m in members)


def can_see(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    if actor.kind == "agent":
        return agent_can_see(conversation, actor.id, agent_services, members)
    if actor.kind == "guest":
        return guest_can_see(conversation, actor.id, members)
    return actor.kind == "system"


def can_write(
    conversation: Conversation, actor: Actor, agent_services: Sequence[str], members: Sequence[Member]
) -> bool:
    if not can_see(conversation, actor, agent_services, members):
        return False
    if actor.kind == "guest" and conversation.read_only_external:
        member = next((m for m in members if m.kind == "guest" and m.id == actor.id), None)
        return member is None or not member.external
    return True
