"""Who an agent is on Slack or Teams: a cache row per (channel, external user id), so a button press
finds its agent without asking the platform again."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AgentIdentityRow
from storage.repositories import _Repo


class SqlAgentIdentities(_Repo):
    async def get(self, channel: str, external_id: str) -> str | None:
        row = await self.s.get(AgentIdentityRow, (channel, external_id))
        return row.agent_slug if row else None

    async def remember(self, channel: str, external_id: str, agent_slug: str) -> None:
        row = await self.s.get(AgentIdentityRow, (channel, external_id))
        if row is None:
            self.s.add(AgentIdentityRow(channel=channel, external_id=external_id, agent_slug=agent_slug))
        else:
            row.agent_slug = agent_slug

    async def external_ids(self, channel: str, agent_slug: str) -> list[str]:
        """Every id the agent is known by on ``channel`` (a direct message needs one: bot.notices)."""
        rows = await self.s.execute(
            select(AgentIdentityRow.external_id)
            .where(AgentIdentityRow.channel == channel, AgentIdentityRow.agent_slug == agent_slug)
            .order_by(AgentIdentityRow.external_id)
        )
        return list(rows.scalars())
