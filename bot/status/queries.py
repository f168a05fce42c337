"""The inbox by filter, with every filter's count: what the web inbox lists and its tabs show."""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.model import Agent
from bot.ports import ConversationSummary, UnitOfWork
from bot.queries import with_guest_names
from bot.status.ports import FILTERS


def check_filter(name: str) -> str:
    if name not in FILTERS:
        raise InvalidInput(f"'filter' is one of {', '.join(FILTERS)}.", code="invalid_field", field="filter")
    return name


async def inbox(
    uow: UnitOfWork, agent: Agent, name: str, *, limit: int = 200
) -> tuple[list[ConversationSummary], dict[str, int]]:
    services = [s.slug for s in await uow.services.of_agent(agent.slug)]
    found = await uow.conversation_filters.list_filtered(
        agent.slug, services, check_filter(name), limit=limit
    )
    counts = await uow.conversation_filters.counts(agent.slug, services)
    return await with_guest_names(uow, found), counts
