"""A direct message to one agent in Teams (``AgentNotified``: the engine decided, by the agent's
preferences, that this notice goes there too).

Teams reaches a person only in a 1:1 chat with the bot, made with the Bot Framework's create
conversation call (``Connector.create_personal``): it needs the person's Teams user id (known once
they talked to the bot: the identity cache) and a service URL and tenant (those of a Teams channel
linked to one of the agent's services). An agent Teams does not know yet gets no direct message; that is logged, not retried.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.teams import render
from adapters.teams.connector import Connector
from adapters.teams.identity import CHANNEL
from bot.links import inbox_link
from bot.notices import AgentNotified

log = logging.getLogger(__name__)


async def _where(runtime: Any, agent: str) -> tuple[str | None, dict[str, Any] | None]:
    """The agent's Teams user id, and a linked channel's address (service URL, tenant, bot)."""
    async with runtime.uow(read_only=True) as uow:
        ids = await uow.identities.external_ids(CHANNEL, agent)
        user = next((i for i in ids if i.startswith("29:")), None)
        for service in await uow.services.of_agent(agent):
            for channel, address in await uow.bindings.service_channels(service.slug):
                if channel == CHANNEL and address.get("service_url"):
                    return user, address
    return user, None


def text(event: AgentNotified, public_url: str) -> str:
    lines = [event.headline]
    if event.text:
        lines.append(f"“{event.text}”")
    lines.append(f"Open in inbox: {inbox_link(public_url, event.about, event.message_id or None)}")
    return "\n\n".join(lines)


async def notify(connector: Connector, runtime: Any, event: AgentNotified, public_url: str) -> None:
    user, address = await _where(runtime, event.agent)
    if user is None or address is None:
        log.info(
            "Teams does not know %s yet (or no service channel is linked): no direct message", event.agent
        )
        return
    chat = await connector.create_personal(address, user)
    await connector.send(address["service_url"], chat, render.text_activity(text(event, public_url)))
