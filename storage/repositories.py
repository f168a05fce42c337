"""Repositories: rows in, domain objects out. One class per aggregate the engine loads, one module
per concept: ``people`` (agents, services, guests), ``conversations`` (conversations, members,
messages), ``threads`` (where a conversation is delivered), ``tokens`` (what may be used once), and
the engine modules' own (``meetings``, ``membership``, ``calendar_connections``, ``identities``,
``local_calendar``). The unit of work puts them on ``uow``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class _Repo:
    def __init__(self, session: AsyncSession, now: Any) -> None:
        self.s = session
        self._now = now  # a callable: the unit of work's clock
