"""Notices to one agent outside the inbox: a mention of them in an internal note (``@alice``), a new
conversation in their services (or through their personal link), a guest's message in a conversation
assigned to them, the end of a snooze of a conversation assigned to them. The inbox shows the first
three as desktop notifications from the live events it already gets (``MessagePosted.mentions`` names
who a note mentions); this module decides which notices also go to the agent as a direct message in
Slack or Teams (one path per channel: the adapters only translate ``AgentNotified``), by each agent's
preferences
(``bot.preferences``), and records one ``AgentNotified`` per agent and channel in the same transaction
as the message, so a crash never loses a notice and the outbox delivers it once.

A mention is ``@`` and an agent's slug, not inside a word or an address (``bob@example.com`` mentions
nobody); only internal notes mention, as only agents read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.events import Audience, Event
from bot.model import Conversation, Member, Message
from bot.preferences import GUEST_MESSAGE, MENTION, NEW_CONVERSATION, SNOOZE_ENDED, direct_channels

if TYPE_CHECKING:
    from bot.ports import UnitOfWork
    from bot.runtime import Runtime

MENTION_PATTERN = re.compile(r"(?<![\w@./+-])@([A-Za-z0-9][A-Za-z0-9_-]{0,63})")
PREVIEW = 300


@dataclass(frozen=True)
class AgentNotified(Event):
    """One notice for one agent, as a direct message in one chat channel. Belongs to no thread."""

    conversation_id: str  # empty: no conversation's bindings get it, only ``direct_destinations``
    about: str  # the conversation it is about (the adapters link to it: bot.links)
    agent: str
    email: str  # how the channel finds the agent (Slack users.lookupByEmail, Teams' member list)
    channel: str  # "slack" or "teams"
    notice: str  # bot.preferences: mention, new_conversation, guest_message or snooze_ended
    headline: str  # "Alice mentioned you", the engine's words for every channel
    text: str  # what was written (a preview)
    message_id: str = ""  # the message it is about (the link opens the thread there)
    audience: Audience = Audience.AGENTS

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [(self.channel, {"agent": self.agent, "email": self.email})]


def find_mentions(text: str, slugs: Sequence[str]) -> tuple[str, ...]:
    """The agents ``text`` mentions, in order, once each (slugs compared without case)."""
    known = {s.lower(): s for s in slugs}
    found: list[str] = []
    for match in MENTION_PATTERN.finditer(text):
        slug = known.get(match.group(1).lower())
        if slug is not None and slug not in found:
            found.append(slug)
    return tuple(found)


async def mentioned_agents(uow: UnitOfWork, text: str, *, internal: bool) -> tuple[str, ...]:
    """Who an internal note mentions; nobody for anything else (and no query without an ``@``)."""
    if not internal or "@" not in text:
        return ()
    return find_mentions(text, [a.slug for a in await uow.agents.list()])


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


async def _record(
    uow: UnitOfWork,
    wanted: Mapping[str, list[str]],
    notice: str,
    about: str,
    headline: str,
    text: str,
    message_id: str = "",
) -> None:
    for slug in sorted(wanted):
        agent = await uow.agents.get(slug)
        if agent is None or not agent.email:
            continue
        for channel in wanted[slug]:
            uow.record(
                AgentNotified(
                    conversation_id="",
                    about=about,
                    agent=slug,
                    email=agent.email,
                    channel=channel,
                    notice=notice,
                    headline=headline,
                    text=_preview(text),
                    message_id=message_id,
                )
            )


async def on_message(
    uow: UnitOfWork,
    written: Sequence[tuple[Conversation, Message]],
    members: Mapping[str, list[Member]] | None = None,
) -> None:
    """A posting hook: mentions in notes, and guests' messages to the agent a conversation is assigned to.
    The assignees' preferences are read once for the whole batch (this runs on the message path)."""
    assignees = {c.assignee for c, m in written if c.assignee and m.author.kind == "guest" and not m.internal}
    by_assignee = await direct_channels(uow, sorted(assignees), GUEST_MESSAGE) if assignees else {}
    for conversation, message in written:
        author = message.author
        if message.internal and author.kind == "agent":
            mentioned = [
                s for s in await mentioned_agents(uow, message.text, internal=True) if s != author.id
            ]
            wanted = await direct_channels(uow, mentioned, MENTION)
            headline = f"{author.name} mentioned you in a note"
            await _record(uow, wanted, MENTION, conversation.id, headline, message.text, message.id)
        elif author.kind == "guest" and not message.internal and conversation.assignee:
            assignee = conversation.assignee
            wanted = {assignee: by_assignee[assignee]} if assignee in by_assignee else {}
            headline = f"New message from {author.name}"
            await _record(uow, wanted, GUEST_MESSAGE, conversation.id, headline, message.text, message.id)


async def on_start(uow: UnitOfWork, conversation: Conversation, owner_name: str) -> None:
    """A new conversation: to the members of its service, or to the agent of a personal link; never to
    the agent who started it themselves."""
    if conversation.service is not None:
        service = await uow.services.get(conversation.service)
        targets = list(service.members) if service else []
    else:
        targets = [conversation.agent] if conversation.agent else []
    if conversation.origin == "agent":
        targets = [t for t in targets if t != conversation.assignee]
    wanted = await direct_channels(uow, targets, NEW_CONVERSATION)
    await _record(uow, wanted, NEW_CONVERSATION, conversation.id, f"New conversation with {owner_name}", "")


async def on_snooze_ended(uow: UnitOfWork, conversation: Conversation, notice_id: str) -> None:
    """A snooze ended (bot.status): the assignee hears the conversation is back in their inbox, unless
    they turned it off (it is on by default). ``notice_id``: the thread's own notice of it, where the
    link leads (one per snooze, so each end is its own message)."""
    if not conversation.assignee:
        return
    wanted = await direct_channels(uow, [conversation.assignee], SNOOZE_ENDED)
    if not wanted:
        return
    guest = await uow.guests.get(conversation.guest_id)
    name = guest.name if guest is not None and guest.name else "a guest"
    headline = f"The snooze ended: your conversation with {name} is open again."
    await _record(uow, wanted, SNOOZE_ENDED, conversation.id, headline, "", notice_id)


def register(runtime: Runtime) -> None:
    runtime.posting.after_append.append(on_message)
