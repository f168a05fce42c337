"""The reads the Teams handlers need, and nothing else: each opens its own read-only unit of work.

Handlers never see the runtime or a unit of work; what a card or a command shows comes from here,
and whatever they change goes through the engine's command bus. Visibility rules are the engine's
(``bot.queries``, ``bot.meetings.queries``): an outsider's conversation or meeting is ``NotFound``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from adapters.teams import cards, render
from bot import queries
from bot.invitations.commands import InvitationDraft
from bot.invitations.handlers import count_slots
from bot.invitations.model import Room, repository
from bot.links import inbox_link
from bot.meetings import queries as meeting_queries
from bot.meetings.model import Meeting
from bot.meetings.options import FALLBACK_TIMEZONE, BookingOptions, options_for, time_zone_of
from bot.model import Actor, Agent, Binding, Conversation, Service
from bot.ports import ConversationSummary
from bot.runtime import Runtime

CHANNEL = "teams"


class TeamsQueries:
    def __init__(self, runtime: Runtime, public_url: str) -> None:
        self._runtime = runtime
        self.public_url = public_url

    def _read(self) -> Any:
        return self._runtime.uow(read_only=True)

    # --- threads ---------------------------------------------------------------------------------

    async def thread_binding(self, thread_id: str) -> Binding | None:
        """The conversation a Teams channel thread belongs to, if it is one of ours."""
        async with self._read() as uow:
            binding: Binding | None = await uow.bindings.find_by_address(CHANNEL, "thread", thread_id)
        return binding

    async def address(self, conversation_id: str) -> dict[str, Any]:
        """Where the conversation lives in Teams (its thread, card and shown meeting), or {}."""
        async with self._read() as uow:
            for binding in await uow.bindings.for_conversation(conversation_id):
                if binding.channel == CHANNEL:
                    return dict(binding.address)
        return {}

    async def conversation_view(
        self, conversation_id: str, address: dict[str, Any]
    ) -> cards.ConversationView:
        async with self._read() as uow:
            conversation = await uow.conversations.get(conversation_id)
            if conversation is None:
                raise LookupError(f"conversation {conversation_id} is gone")
            guest = await uow.guests.get(conversation.guest_id)
            service_slug = conversation.assigned_service or conversation.service
            service = await uow.services.get(service_slug) if service_slug else None
            assignee = await uow.agents.get(conversation.assignee) if conversation.assignee else None
            messages = await uow.messages.list(conversation_id, after_seq=max(0, conversation.last_seq - 20))
        last = next((m for m in reversed(messages) if m.author.kind != "system" and not m.internal), None)
        tz = time_zone_of(assignee) if assignee else FALLBACK_TIMEZONE
        if assignee is not None:
            assignee_name: str | None = assignee.name
        elif conversation.assigned_service and service is not None:
            assignee_name = f"{service.name} (everyone)"
        else:
            assignee_name = None
        return cards.ConversationView(
            conversation_id=conversation_id,
            guest_name=guest.name if guest else "Guest",
            guest_email=guest.email if guest else None,
            service_name=service.name if service else (conversation.agent or ""),
            assignee_name=assignee_name,
            last_message=f"{last.author.name}: {last.text}" if last else None,
            inbox_url=inbox_link(self.public_url, conversation_id),
            next_meeting=render.next_meeting(address, tz),
            meeting_id=address.get("meeting_id"),
            status=conversation.status,
            snoozed_until=render.when(conversation.snoozed_until, tz) if conversation.snoozed_until else None,
        )

    # --- conversations ---------------------------------------------------------------------------

    async def visible_conversation(self, agent: Agent, conversation_id: str) -> Conversation:
        """The conversation if this agent may see it; ``NotFound`` (the engine's words) otherwise."""
        async with self._read() as uow:
            view = await queries.view_conversation(uow, agent.actor, conversation_id)
        return view.conversation

    async def inbox(self, agent: Agent, *, mine_only: bool = False) -> list[ConversationSummary]:
        async with self._read() as uow:
            return await queries.inbox(uow, agent, mine_only=mine_only)

    async def services_and_agent_names(self) -> tuple[list[Service], dict[str, str]]:
        async with self._read() as uow:
            services = list(await uow.services.list())
            names = {a.slug: a.name for a in await uow.agents.list()}
        return services, names

    async def service(self, slug: str) -> Service | None:
        async with self._read() as uow:
            service: Service | None = await uow.services.get(slug)
        return service

    async def agent(self, slug_or_email: str) -> Agent | None:
        async with self._read() as uow:
            agent: Agent | None = await uow.agents.get(slug_or_email)
            if agent is None and "@" in slug_or_email:
                agent = await uow.agents.get_by_email(slug_or_email)
        return agent

    # --- invitations -----------------------------------------------------------------------------

    async def rooms(self) -> list[Room]:
        async with self._read() as uow:
            return list(await repository(uow).rooms())

    async def invitation_count(self, draft: InvitationDraft, by: Actor) -> dict[str, Any]:
        """The form's count: the engine's own ``count_slots``, nothing written."""
        return await count_slots(draft, by, self._runtime, self._runtime.clock)

    def now(self) -> datetime:
        return self._runtime.clock.now()

    # --- meetings --------------------------------------------------------------------------------

    async def booking_options(
        self, agent: Agent, meeting_id: str | None, *, guest_id: str | None = None
    ) -> tuple[Meeting | None, BookingOptions]:
        """The engine's booking options: a meeting's are its host's, never the clicker's."""
        meeting = None
        async with self._read() as uow:
            if meeting_id:
                meeting = await meeting_queries.get_meeting_for(uow, agent.actor, meeting_id)
            options = await options_for(
                uow, self._runtime.clock, agent=agent.slug, meeting=meeting, guest_id=guest_id
            )
        return meeting, options

    async def agent_slots(
        self, agent_slug: str, start: date, end: date, duration: int, tz: str
    ) -> list[datetime]:
        return list(await meeting_queries.agent_slots(self._runtime, agent_slug, start, end, duration, tz))

    async def upcoming_meetings(self, agent_slug: str) -> list[Meeting]:
        async with self._read() as uow:
            return await meeting_queries.upcoming_meetings(uow, agent=agent_slug)
