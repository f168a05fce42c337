"""What a Teams handler may use, and all it may use: the small context the channel builds once.

The turn handler, the text commands and the card actions translate Teams activities into engine
commands; they need the command bus, the reads of ``TeamsQueries``, the connector to answer, the
identity lookup (Teams user → agent), the public URL for links, a way to run work after the HTTP
answer, the inbound de-duplication, and a way to answer that survives Teams being unreachable. They never see the channel, the runtime or a unit of work,
so whatever they change goes through the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from botbuilder.schema import Activity

from adapters.teams.identity import MemberLookup
from adapters.teams.queries import TeamsQueries
from bot.commands import Command
from bot.model import Agent


class CommandBus(Protocol):
    async def handle(self, command: Command) -> Any: ...


class TeamsApi(Protocol):
    """The part of the connector a handler uses: answer where the activity came from, ask who someone is."""

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str | None: ...

    async def member(self, service_url: str, conversation_id: str, user_id: str) -> dict[str, Any] | None: ...


class AgentLookup(Protocol):
    async def agent_for(self, user: dict[str, Any], lookup: MemberLookup | None = None) -> Agent | None: ...


@dataclass(frozen=True)
class TeamsContext:
    bus: CommandBus
    queries: TeamsQueries
    api: TeamsApi
    identities: AgentLookup
    public_url: str
    spawn: Callable[[Coroutine[Any, Any, Any]], None]  # work after the HTTP answer
    first_time: Callable[[str, str], Awaitable[bool]]  # (conversation, activity id) not seen before
    # A direct answer (service URL, conversation id, activity, whose message it answers): sent now, or,
    # while Teams cannot be reached (no app token), kept in the outbox until it can.
    answer: Callable[[str, str, Activity, str], Awaitable[None]]
