"""What a Slack handler may use: the engine's command bus, its read side, the Slack Web API, the
identity lookup, the texts, the public URL and a way to start background work.

The channel builds one ``SlackContext`` when it is attached to the runtime and hands it to
``listeners.register``; handlers take this context, never the channel, so they depend only on what
they use and the channel module stays above them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.api import SlackApi
from adapters.slack.identity import NOT_AN_AGENT, Identities
from adapters.slack.reads import SlackReads
from bot.bus import MessageBus
from bot.commands import Command
from bot.model import Agent

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


@dataclass(frozen=True)
class Texts:
    """Words of the channel itself (the engine's refusals carry their own sentences)."""

    not_an_agent: str = NOT_AN_AGENT
    internal_marker: str = "//"  # a thread reply starting with it is an internal note


@dataclass(frozen=True)
class SlackContext:
    bus: MessageBus
    reads: SlackReads
    api: SlackApi
    identities: Identities
    texts: Texts
    public_url: str
    spawn: Spawn

    async def run(self, command: Command) -> Any:
        return await self.bus.handle(command)

    async def tell(
        self,
        channel: str | None,
        user: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        response_url: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """An ephemeral message: only ``user`` sees it. Falls back to the response URL where the bot may
        not post (a DM between two people, a private channel it is not in)."""
        extra: dict[str, Any] = {}
        if blocks:
            extra["blocks"] = blocks
        if thread_ts:
            extra["thread_ts"] = thread_ts
        if channel:
            try:
                await self.api.ephemeral(channel, user, text, **extra)
                return
            except SlackApiError as error:
                if not response_url:
                    log.warning("could not tell %s in %s: %s", user, channel, error.response.get("error"))
                    return
        if response_url:
            await AsyncWebhookClient(response_url).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )

    async def agent(self, user: str, channel: str | None, response_url: str | None = None) -> Agent | None:
        """The agent behind a Slack user, or None after telling them why nothing happened."""
        agent = await self.identities.agent_for(user)
        if agent is None:
            await self.tell(channel, user, self.texts.not_an_agent, response_url=response_url)
        return agent
