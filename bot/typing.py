"""Who sees that someone is typing: ephemeral, never stored, decided here like every audience.

"Alice is typing…" in the widget and "Ann is typing…" in the inbox travel only over the live
sockets; nothing reaches the database or the outbox. The rules:

- only someone who may write in the conversation signals typing there (anyone else learns nothing:
  the answer is the same as for a missing conversation);
- a guest's typing reaches the agents who follow the conversation live (``bot.access``);
- an agent's typing reaches the other agents, and the conversation's guests too, unless the agent is
  writing an internal note, which no guest ever learns about;
- nobody is told about their own typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import access
from bot.errors import NotFound
from bot.model import Actor
from bot.ports import UnitOfWork
from bot.queries import agents_following

TYPING_EVERY_SECONDS = 2.0  # at most one signal per person and conversation in this time
TYPING_LASTS_SECONDS = 5.0  # a screen stops showing it after this without a new signal


@dataclass(frozen=True)
class TypingAudience:
    guests: frozenset[str]
    agents: frozenset[str]


async def typing_audience(
    uow: UnitOfWork, who: Actor, conversation_id: str, *, internal: bool = False
) -> TypingAudience:
    conversation = await uow.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("No such conversation.", code="unknown_conversation")
    members = await uow.conversations.members(conversation.id)
    services = [s.slug for s in await uow.services.of_agent(who.id)] if who.kind == "agent" else []
    if not access.can_write(conversation, who, services, members):
        raise NotFound("No such conversation.", code="unknown_conversation")
    agents = await agents_following(uow, conversation.id)
    guests: set[str] = set()
    if who.kind == "agent" and not internal:
        guests = {conversation.guest_id, *(m.id for m in members if m.kind == "guest")}
    own = {who.id}
    return TypingAudience(frozenset(guests - own - {""}), frozenset(agents - own))
