"""Slack user → Convene agent, matched by email (``users.info``) and cached in ``agent_identities``."""

from __future__ import annotations

from typing import Protocol

from slack_sdk.errors import SlackApiError

from adapters.slack.api import SlackApi
from bot.model import Agent
from bot.runtime import Runtime

CHANNEL = "slack"
# The polite refusal when ``agent_for`` finds no agent; here, next to that decision, so the channel and
# the handlers both take it from the module below them rather than from each other.
NOT_AN_AGENT = (
    "You are not a Convene agent, so I can't do that for you. "
    "Ask an admin to add your Slack email address as an agent."
)


class IdentityRepository(Protocol):
    """``uow.identities``: the cache rows of who an agent is on a chat platform."""

    async def get(self, channel: str, external_id: str) -> str | None: ...
    async def remember(self, channel: str, external_id: str, agent_slug: str) -> None: ...


class Identities:
    def __init__(self, runtime: Runtime, api: SlackApi) -> None:
        self.runtime = runtime
        self.api = api

    async def agent_for(self, user_id: str) -> Agent | None:
        """None means: this Slack user is not an agent (the caller refuses politely)."""
        if not user_id:
            return None
        async with self.runtime.uow(read_only=True) as uow:
            slug = await uow.identities.get(CHANNEL, user_id)
            if slug is not None:
                cached: Agent | None = await uow.agents.get(slug)
                if cached is not None:
                    return cached
        try:
            email = await self.api.user_email(user_id)
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise
        if email is None:
            return None
        async with self.runtime.uow() as uow:
            agent: Agent | None = await uow.agents.get_by_email(email)
            if agent is None:
                # Not cached: someone who becomes an agent later is recognised then.
                return None
            await uow.identities.remember(CHANNEL, user_id, agent.slug)
            await uow.commit()
        return agent
