"""Text commands (``@Convene inbox``): the same meanings as the Slack slash command.

Each returns what to answer: a card (dict) or a line of text. Unknown input gets the help card.
"""

from __future__ import annotations

import shlex
from datetime import UTC
from typing import Any
from urllib.parse import quote, urlencode

from adapters.teams import cards, render
from adapters.teams.actions import parse_date
from adapters.teams.context import TeamsContext
from adapters.teams.invite_actions import InviteActions
from bot.commands import AssignConversation, CreateConversation, LinkServiceChannel
from bot.errors import DomainError, InvalidInput, NotFound
from bot.links import inbox_link
from bot.meetings.options import time_zone_of
from bot.model import Agent, Conversation
from bot.status.commands import ReopenConversation, ResolveConversation

NAMES = {
    "help",
    "inbox",
    "assign",
    "resolve",
    "reopen",
    "meetings",
    "link",
    "settings",
    "link-channel",
    "new",
    "invite",
}
LINK_KEYS = ("start", "end", "subject")
LINK_USAGE = "Usage: link [start=dd.mm.yyyy] [end=dd.mm.yyyy] [subject=…]"
# Teams clients may turn typed quotes into typographic ones; shlex knows only the plain ones.
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
Answer = dict[str, Any] | str


def is_command(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower() in NAMES


class TextCommands:
    def __init__(self, context: TeamsContext) -> None:
        self.context = context
        self.queries = context.queries

    async def run(self, agent: Agent, text: str, place: dict[str, Any]) -> Answer:
        """``place`` is where it was typed: conversation type, Teams channel/team/tenant, service URL, bot."""
        try:
            words = shlex.split(text.translate(QUOTES))
        except ValueError:
            words = text.split()
        if not words:
            return cards.help_card()
        name, args = words[0].lower(), words[1:]
        try:
            if name == "help":
                return cards.help_card()
            if name == "inbox":
                return await self.inbox(agent)
            if name == "assign":
                return await self.assign(agent, args)
            if name in ("resolve", "reopen"):
                return await self.status(agent, name, args, place)
            if name == "meetings":
                return await self.meetings(agent)
            if name == "link":
                return self.link(agent, args)
            if name == "settings":
                return cards.settings_card(dict(agent.settings))
            if name == "link-channel":
                return await self.link_channel(agent, args, place)
            if name == "new":
                return await self.new(agent, args)
            if name == "invite":
                return await InviteActions(self.context).form(agent, {})
        except DomainError as error:
            return error.message
        return cards.help_card(f"I don't know “{words[0]}”.")

    async def inbox(self, agent: Agent) -> Answer:
        rows = await self.queries.inbox(agent, mine_only=True)
        return cards.inbox_card(
            [(r.conversation.id, r.guest_name, r.last_text or "", r.unread) for r in rows[:20]],
            f"{self.context.public_url}/inbox",
        )

    async def assign(self, agent: Agent, args: list[str]) -> Answer:
        if len(args) != 2:
            raise InvalidInput("Usage: assign <conversation> <agent|service>", code="usage")
        conversation = await self.find(agent, args[0])
        target = args[1].lstrip("@").lower()
        service = await self.queries.service(target)
        assignee = None
        if service is None:
            assignee = await self.queries.agent(target)
            if assignee is None:
                raise NotFound(f"There is no agent or service called {args[1]!r}.", code="unknown_target")
        await self.context.bus.handle(  # a person without a service: the engine picks the service
            AssignConversation(
                conversation.id,
                service.slug if service else None,
                assignee.slug if assignee else None,
                by=agent.actor,
            )
        )
        who = assignee.name if assignee else service.name if service else target
        return f"Assigned to {who}."

    async def find(self, agent: Agent, prefix: str) -> Conversation:
        """The one conversation this agent may see whose id starts so (six characters at least)."""
        rows = await self.queries.inbox(agent)
        matches = [r.conversation for r in rows if r.conversation.id.startswith(prefix.lower())]
        if len(prefix) < 6 or len(matches) != 1:
            raise NotFound(f"No single conversation starts with {prefix!r}.", code="unknown_conversation")
        return matches[0]

    async def status(self, agent: Agent, name: str, args: list[str], place: dict[str, Any]) -> Answer:
        """``resolve`` / ``reopen``: in a conversation's thread it is that one; elsewhere name it."""
        if len(args) > 1 or not (args or place.get("thread_conversation")):
            raise InvalidInput(f"Usage: {name} <conversation> (or {name} in its thread)", code="usage")
        cid = (await self.find(agent, args[0])).id if args else str(place["thread_conversation"])
        order = ResolveConversation if name == "resolve" else ReopenConversation
        await self.context.bus.handle(order(cid, agent.actor))  # NotFound for agents who may not see it
        return "Resolved." if name == "resolve" else "Reopened."

    async def meetings(self, agent: Agent) -> Answer:
        upcoming = await self.queries.upcoming_meetings(agent.slug)
        tz = time_zone_of(agent)
        rows = [
            (m.id, render.when(m.start.astimezone(UTC), tz), m.subject, m.conversation_id)
            for m in upcoming[:15]
        ]
        return cards.meetings_card(rows)

    def link(self, agent: Agent, args: list[str]) -> Answer:
        query = link_query(args)
        if "start" in query and "end" in query and parse_date(query["end"]) < parse_date(query["start"]):
            raise InvalidInput("The end date is before the start date.", code="invalid_range")
        url = f"{self.context.public_url}/book/{agent.slug}"
        return url + (f"?{urlencode(query, quote_via=quote)}" if query else "")

    async def new(self, agent: Agent, args: list[str]) -> Answer:
        """``new <name> [emails…]``: words with an ``@`` are addresses, the others the name."""
        name = " ".join(w for w in args if "@" not in w)
        if not name:
            raise InvalidInput("Usage: new <name> [emails…]", code="usage")
        emails = tuple(w for w in args if "@" in w)
        created = await self.context.bus.handle(CreateConversation(agent.actor, name, emails=emails))
        conversation = created.conversation
        return f"Created “{conversation.title}”: {inbox_link(self.context.public_url, conversation.id)}"

    async def link_channel(self, agent: Agent, args: list[str], place: dict[str, Any]) -> Answer:
        if len(args) != 1:
            raise InvalidInput("Usage: link-channel <service>", code="usage")
        if place.get("conversation_type") != "channel" or not place.get("channel_id"):
            raise InvalidInput("Use link-channel in a Teams channel, not in a chat.", code="not_a_channel")
        address = {
            "service_url": place["service_url"],
            "channel_id": place["channel_id"],
            "team_id": place.get("team_id"),
            "tenant_id": place.get("tenant_id"),
            "bot_id": place.get("bot_id"),
            "bot_name": place.get("bot_name"),
        }
        await self.context.bus.handle(LinkServiceChannel(args[0].lower(), "teams", address))
        return f"New conversations of {args[0].lower()} will start a thread in this channel."


def link_query(args: list[str]) -> dict[str, str]:
    """``start=… end=… subject=…``; the subject is free text, so the words after it belong to it
    (``subject=Pricing call``) until the next ``key=``, and a quoted one works too."""
    query: dict[str, str] = {}
    key = ""
    for arg in args:
        name, sep, value = arg.partition("=")
        if sep and name in LINK_KEYS:
            key = name
            query[key] = value
        elif key == "subject":
            query[key] = f"{query[key]} {arg}".strip()
        else:
            raise InvalidInput(LINK_USAGE, code="usage")
    for name in ("start", "end"):
        if name in query:
            parse_date(query[name])
    return query
