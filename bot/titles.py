"""A conversation's title and avatar depend on who looks at it.

- A rename shows the new name to everyone.
- An agent sees the guests: the guest who started it and every guest member ("Ann, Ben").
- A guest sees the agent's name in a one-on-one with that agent; the service's name in a group
  conversation or in one started from the widget (written to a service). A group started from an
  agent's personal link has no service of its own: the caller passes the agent's service, and only
  an agent in no service at all falls back to the agents' names.
The avatar follows the displayed name: generated initials and a stable colour, or the agent's uploaded
picture when the title is that agent's name. The conversation's own picture goes with the conversation's
own title: agents always see it; a guest sees it only when the title shown is the conversation's name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.model import Actor, Conversation, Member

# Readable on white text; a name always maps to the same one.
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#ff7f0e",
    "#3f51b5",
    "#009688",
    "#795548",
)


@dataclass(frozen=True)
class Heading:
    title: str
    avatar: dict[str, Any]


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s,]+", name) if w and w[0].isalnum()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def color(name: str) -> str:
    digest = hashlib.sha256(name.strip().lower().encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def avatar(name: str, url: str | None = None) -> dict[str, Any]:
    return {"initials": initials(name), "color": color(name), "url": url}


def heading_for(
    viewer: Actor,
    conversation: Conversation,
    members: Sequence[Member],
    *,
    guest_names: Sequence[str],
    agent_names: Mapping[str, str],
    service_name: str | None,
    agent_avatars: Mapping[str, str | None] | None = None,
) -> Heading:
    if conversation.title:
        return Heading(conversation.title, avatar(conversation.title, conversation.picture))
    if viewer.kind != "guest":
        names = list(dict.fromkeys([*guest_names, *(m.name for m in members if m.kind == "guest")]))
        title = ", ".join(names) or "Guest"
        return Heading(title, avatar(title, conversation.picture))
    agents = list(dict.fromkeys([m.id for m in members if m.kind == "agent"]))
    if conversation.agent and not agents:
        agents = [conversation.agent]
    guests = {m.id for m in members if m.kind == "guest"} | {conversation.guest_id}
    one_on_one = conversation.agent is not None and len(agents) == 1 and len(guests) == 1
    if one_on_one:
        slug = agents[0]
        title = agent_names.get(slug, slug)
        return Heading(title, avatar(title, (agent_avatars or {}).get(slug)))
    title = service_name or ", ".join(agent_names.get(a, a) for a in agents) or "Conversation"
    return Heading(title, avatar(title))


def title_for(
    viewer: Actor,
    conversation: Conversation,
    members: Sequence[Member],
    *,
    guest_names: Sequence[str],
    agent_names: Mapping[str, str],
    service_name: str | None,
) -> str:
    return heading_for(
        viewer,
        conversation,
        members,
        guest_names=guest_names,
        agent_names=agent_names,
        service_name=service_name,
    ).title
