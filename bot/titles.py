"""A conversation's title depends on who looks at it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.model import Actor, Conversation, Member


def title_for(
    viewer: Actor,
    conversation: Conversation,
    members: Sequence[Member],
    *,
    guest_names: Sequence[str],
    agent_names: Mapping[str, str],
    service_name: str | None,
) -> str:
    if conversation.title:
        return conversation.title  # a rename shows to everyone
    if viewer.kind == "agent":
        names = list(dict.fromkeys([*guest_names, *(m.name for m in members if m.kind == "guest")]))
        return ", ".join(names) or "Guest"
    agents = [m for m in members if m.kind == "agent"]
    if conversation.agent and len({m.id for m in agents} | {conversation.agent}) == 1:
        return agent_names.get(conversation.agent, conversation.agent)
    return service_name or (agent_names.get(conversation.agent or "", "") or "Conversation")
