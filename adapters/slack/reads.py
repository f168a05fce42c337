"""The engine's read side, as much of it as the Slack handlers need, behind one narrow object.

Handlers never hold the runtime: they ask this object typed questions (which conversation, whose
meetings, which slots), and it runs the engine's own queries (``bot.queries``, ``bot.meetings``) in
read-only units of work. The one write here is ``first_time``: the inbound de-duplication row that
lets a retried Slack event act once, which has to commit before the command it guards runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import queries
from bot.errors import Conflict
from bot.invitations.handlers import count_slots
from bot.invitations.model import repository
from bot.meetings import queries as meeting_queries
from bot.meetings.model import Meeting
from bot.meetings.options import BookingOptions, options_for, time_zone_of
from bot.model import Actor, Agent, Binding
from bot.ports import ConversationSummary
from bot.runtime import Runtime
from scheduling.agent_settings import parse_settings, settings_to_dict

CHANNEL = "slack"


@dataclass(frozen=True)
class AssignChoices:
    """What the assign modal offers: every service, the chosen one, and that service's members."""

    services: list[tuple[str, str]]  # (slug, name)
    chosen: str | None
    members: list[tuple[str, str]]  # (slug, name)


def settings_of(agent: Agent) -> dict[str, Any]:
    raw = {"timezone": agent.timezone, **(agent.settings or {})}
    try:
        return settings_to_dict(parse_settings(raw))
    except Exception:  # noqa: BLE001 - a stored setting the rules now refuse: show what is stored
        return dict(raw)


def timezone_of(agent: Agent) -> str:
    return str(time_zone_of(agent))


class SlackReads:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime  # private: slot search needs the calendars and settings it carries

    async def conversation(self, viewer: Actor, conversation_id: str) -> queries.ConversationView:
        """The conversation if ``viewer`` may see it; ``NotFound`` otherwise."""
        async with self._runtime.uow(read_only=True) as uow:
            return await queries.view_conversation(uow, viewer, conversation_id)

    async def service_of(self, agent: Agent, conversation_id: str) -> str | None:
        """The conversation's service, else the agent's first (access-checked)."""
        async with self._runtime.uow(read_only=True) as uow:
            view = await queries.view_conversation(uow, agent.actor, conversation_id)
            if view.conversation.service:
                return str(view.conversation.service)
            own = await uow.services.of_agent(agent.slug)
        return own[0].slug if own else None

    async def assign_choices(self, service: str | None) -> AssignChoices:
        async with self._runtime.uow(read_only=True) as uow:
            services = await uow.services.list()
            chosen = next((s for s in services if s.slug == service), services[0] if services else None)
            members = []
            for slug in chosen.members if chosen else []:
                member = await uow.agents.get(slug)
                members.append((slug, member.name if member else slug))
        return AssignChoices([(s.slug, s.name) for s in services], chosen.slug if chosen else None, members)

    async def inbox(self, agent: Agent) -> list[ConversationSummary]:
        async with self._runtime.uow(read_only=True) as uow:
            return list(await queries.inbox(uow, agent, mine_only=True))

    async def thread(self, channel: str, thread_ts: str) -> Binding | None:
        """The conversation binding of a Slack thread, or None for a thread that is not one."""
        async with self._runtime.uow(read_only=True) as uow:
            binding: Binding | None = await uow.bindings.find_by_address(
                CHANNEL, "thread", f"{channel}:{thread_ts}"
            )
            return binding

    async def first_time(self, event_id: str) -> bool:
        try:
            async with self._runtime.uow() as uow:
                first = await uow.inbound.first_time(CHANNEL, event_id, self._runtime.clock.now())
                await uow.commit()
        except Conflict:  # a concurrent copy of the same event inserted first
            return False
        return bool(first)

    # -- meetings ------------------------------------------------------------------------------------

    async def options(
        self, *, agent: str | None = None, meeting: Meeting | None = None, guest_id: str | None = None
    ) -> BookingOptions:
        """The engine's booking options: what the modal offers."""
        async with self._runtime.uow(read_only=True) as uow:
            return await options_for(
                uow, self._runtime.clock, agent=agent, meeting=meeting, guest_id=guest_id
            )

    async def slots(self, agent_slug: str, duration: int, tz: str, start: date, end: date) -> list[datetime]:
        found = await meeting_queries.agent_slots(self._runtime, agent_slug, start, end, duration, tz)
        return list(found)

    async def upcoming(self, agent: Agent) -> list[Meeting]:
        async with self._runtime.uow(read_only=True) as uow:
            return list(await meeting_queries.upcoming_meetings(uow, agent=agent.slug))

    async def meeting_for(self, agent: Agent, meeting_id: str) -> Meeting:
        async with self._runtime.uow(read_only=True) as uow:
            return await meeting_queries.get_meeting_for(uow, agent.actor, meeting_id)

    # -- invitations (the /convene invite modal) ---------------------------------------------------

    async def rooms(self) -> list[Any]:
        async with self._runtime.uow(read_only=True) as uow:
            return list(await repository(uow).rooms())

    async def invitation_count(self, draft: Any, by: Actor) -> dict[str, Any]:
        """The dialog's live count: the engine's own ``count_slots``, nothing written."""
        return await count_slots(draft, by, self._runtime, self._runtime.clock)

    def now(self) -> datetime:
        return self._runtime.clock.now()
