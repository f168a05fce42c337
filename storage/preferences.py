"""``uow.preferences``: each agent's notification preferences (rules in ``bot.preferences``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.repositories import _Repo


class AgentPreferenceRow(Base):
    __tablename__ = "agent_preferences"  # migration 0019
    agent_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


_table = AgentPreferenceRow.__table__
# Every batch of messages to assigned conversations reads its assignees' preferences (bot/notices.py):
# built once, with an expanding IN.
_GET_MANY = select(_table.c.agent_slug, _table.c.preferences).where(
    _table.c.agent_slug.in_(bindparam("slugs", expanding=True))
)


class SqlPreferences(_Repo):
    async def get(self, agent_slug: str) -> dict[str, Any] | None:
        row = await self.s.get(AgentPreferenceRow, agent_slug)
        return dict(row.preferences) if row else None

    async def get_many(self, agent_slugs: list[str]) -> dict[str, dict[str, Any]]:
        if not agent_slugs:
            return {}
        rows = await self.s.execute(_GET_MANY, {"slugs": list(agent_slugs)})
        return {slug: dict(prefs) for slug, prefs in rows}

    async def save(self, agent_slug: str, preferences: dict[str, Any], now: datetime) -> None:
        await self.s.merge(AgentPreferenceRow(agent_slug=agent_slug, preferences=preferences, updated_at=now))
        await self.s.flush()
