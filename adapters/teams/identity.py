"""Teams user → Convene agent: by AAD object id (cached in ``agent_identities``), else by email.

The email comes from the activity when Teams includes it, else from the connector's member lookup
(``email`` or ``userPrincipalName``). Someone who is not an agent gets None and a polite refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.model import Agent

log = logging.getLogger(__name__)
CHANNEL = "teams"
MemberLookup = Callable[[], Awaitable[dict[str, Any] | None]]


class IdentityRepository(Protocol):
    """``uow.identities``: who an agent is on a chat platform."""

    async def get(self, channel: str, external_id: str) -> str | None: ...
    async def remember(self, channel: str, external_id: str, agent_slug: str) -> None: ...
    async def external_ids(self, channel: str, agent_slug: str) -> list[str]: ...


class Identities:
    def __init__(self, uow: Callable[..., Any]) -> None:
        """``uow``: the unit-of-work factory (storage's, which has ``identities``)."""
        self.uow = uow

    async def agent_for(self, user: dict[str, Any], lookup: MemberLookup | None = None) -> Agent | None:
        """``user`` is the activity's ``from`` (id, aadObjectId, maybe email); ``lookup`` asks the connector."""
        keys = [k for k in (user.get("aadObjectId"), user.get("id")) if k]
        if not keys:
            return None
        async with self.uow(read_only=True) as uow:
            for key in keys:
                slug = await uow.identities.get(CHANNEL, key)
                agent: Agent | None = await uow.agents.get(slug) if slug else None
                if agent is not None:
                    return agent
        emails = [user.get("email"), user.get("userPrincipalName")]
        if not any(emails) and lookup is not None:
            try:
                member = await lookup() or {}
            except Exception:  # noqa: BLE001 - an unknown member is "not an agent", not a crash
                log.warning("Teams member lookup failed", exc_info=True)
                member = {}
            emails = [member.get("email"), member.get("userPrincipalName")]
        async with self.uow() as uow:
            for email in filter(None, emails):
                agent = await uow.agents.get_by_email(email)
                if agent is not None:
                    for key in keys:
                        await uow.identities.remember(CHANNEL, key, agent.slug)
                    await uow.commit()
                    return agent
        return None
