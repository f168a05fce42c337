"""Text commands (``@Convene inbox``): the same meanings as the Slack slash command.

Each returns what to answer: a card (dict) or a line of text. Unknown input gets the help card.
"""

from __future__ import annotations

import shlex
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from adapters.teams import cards, render
from adapters.teams.actions import _meetings, agent_timezone, parse_date
from bot import queries
from bot.commands import AssignConversation, LinkServiceChannel
from bot.errors import DomainError, InvalidInput, NotFound
from bot.model import Agent

NAMES = {"help", "inbox", "assign", "meetings", "link", "settings", "link-channel"}
Answer = dict[str, Any] | str


def is_command(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower() in NAMES


class TextCommands:
    def __init__(self, channel: Any) -> None:
        self.channel = channel

    @property
    def runtime(self) -> Any:
        return self.channel.runtime

    async def run(self, agent: Agent, text: str, place: dict[str, Any]) -> Answer:
        """``place`` is where it was typed: conversation type, Teams channel/team/tenant, service URL, bot."""
        try:
            words = shlex.split(text)
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
            if name == "meetings":
                return await self.meetings(agent)
            if name == "link":
                return self.link(agent, args)
            if name == "settings":
                return cards.settings_card(dict(agent.settings))
            if name == "link-channel":
                return await self.link_channel(agent, args, place)
        except DomainError as error:
            return error.message
        return cards.help_card(f"I don't know “{words[0]}”.")

    async def inbox(self, agent: Agent) -> Answer:
        async with self.runtime.uow(read_only=True) as uow:
            rows = await queries.inbox(uow, agent, mine_only=True)
        return cards.inbox_card(
            [(r.conversation.id, r.guest_name, r.last_text or "", r.unread) for r in rows[:20]],
            f"{self.channel.public_url}/inbox",
        )

    async def assign(self, agent: Agent, args: list[str]) -> Answer:
        if len(args) != 2:
            raise InvalidInput("Usage: assign <conversation> <agent|service>", code="usage")
        async with self.runtime.uow(read_only=True) as uow:
            rows = await queries.inbox(uow, agent)
            matches = [r.conversation for r in rows if r.conversation.id.startswith(args[0].lower())]
            if len(args[0]) < 6 or len(matches) != 1:
                raise NotFound(
                    f"No single conversation starts with {args[0]!r}.", code="unknown_conversation"
                )
            conversation = matches[0]
            target = args[1].lstrip("@").lower()
            service = await uow.services.get(target)
            assignee = None
            if service is None:
                assignee = await uow.agents.get(target) or (
                    await uow.agents.get_by_email(target) if "@" in target else None
                )
                if assignee is None:
                    raise NotFound(f"There is no agent or service called {args[1]!r}.", code="unknown_target")
        await self.runtime.bus.handle(  # a person without a service: the engine picks the service
            AssignConversation(
                conversation.id,
                service.slug if service else None,
                assignee.slug if assignee else None,
                by=agent.actor,
            )
        )
        who = assignee.name if assignee else service.name
        return f"Assigned to {who}."

    async def meetings(self, agent: Agent) -> Answer:
        meetings = _meetings()
        async with self.runtime.uow(read_only=True) as uow:
            upcoming = meetings.upcoming_meetings(uow, agent=agent.slug)
            if hasattr(upcoming, "__await__"):
                upcoming = await upcoming
        tz = agent_timezone(agent)
        rows = []
        for m in list(upcoming)[:15]:
            start = getattr(m, "start", None) or getattr(m, "start_at", None)
            who = getattr(m, "guest_name", None) or getattr(m, "subject", "") or ""
            rows.append(
                (
                    str(m.id),
                    render.when(start.astimezone(UTC), tz) if start else "",
                    who,
                    getattr(m, "conversation_id", None),
                )
            )
        return cards.meetings_card(rows)

    def link(self, agent: Agent, args: list[str]) -> Answer:
        query: dict[str, str] = {}
        for arg in args:
            key, sep, value = arg.partition("=")
            if not sep or key not in {"start", "end", "subject"}:
                raise InvalidInput(
                    "Usage: link [start=dd.mm.yyyy] [end=dd.mm.yyyy] [subject=…]", code="usage"
                )
            if key in {"start", "end"}:
                parse_date(value)
            query[key] = value
        if "start" in query and "end" in query and parse_date(query["end"]) < parse_date(query["start"]):
            raise InvalidInput("The end date is before the start date.", code="invalid_range")
        url = f"{self.channel.public_url}/book/{agent.slug}"
        return url + (f"?{urlencode(query)}" if query else "")

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
        await self.runtime.bus.handle(LinkServiceChannel(args[0].lower(), "teams", address))
        return f"New conversations of {args[0].lower()} will start a thread in this channel."
