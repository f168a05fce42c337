"""Saved replies: texts an agent inserts with ``/`` in the composer, their own or their service's.

An agent sees and manages their own replies and those of every service they belong to; another agent's
replies, and those of a service they are not in, answer as missing. ``{guest_name}`` and
``{agent_name}`` are filled in when a reply is inserted (``fill``); any other brace stays as typed.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.errors import InvalidInput, NotFound
from bot.model import new_id

if TYPE_CHECKING:  # bot.ports names this module's port
    from bot.ports import UnitOfWork

MAX_TITLE = 80
MAX_BODY = 4000


@dataclass
class SavedReply:
    title: str
    body: str
    agent: str | None = None  # exactly one of agent and service is set
    service: str | None = None
    id: str = field(default_factory=new_id)
    updated_at: datetime | None = None


class SavedReplyRepository(Protocol):
    async def visible(self, agent_slug: str, services: Sequence[str]) -> builtins.list[SavedReply]:
        """The agent's own replies and those of these services, by title."""
        ...

    async def get(self, reply_id: str) -> SavedReply | None: ...
    async def save(self, reply: SavedReply) -> None:
        """Adds the reply or replaces the one with its id."""
        ...

    async def delete(self, reply_id: str) -> None: ...


def fill(body: str, *, guest_name: str, agent_name: str) -> str:
    return body.replace("{guest_name}", guest_name).replace("{agent_name}", agent_name)


def may_manage(reply: SavedReply, agent_slug: str, services: Sequence[str]) -> bool:
    return reply.agent == agent_slug or (reply.service is not None and reply.service in services)


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"The reply needs a {name}.", code="invalid_saved_reply", field=name)
    if len(value) > limit:
        raise InvalidInput(
            f"The {name} is at most {limit} characters.", code="invalid_saved_reply", field=name
        )
    return value.strip()


def from_input(
    data: dict[str, Any],
    agent_slug: str,
    services: Sequence[str],
    now: datetime,
    *,
    current: SavedReply | None,
) -> SavedReply:
    """A reply from an agent's input: a title, a body, and ``service`` (one of theirs) or none (their own).
    Editing keeps the owner unless ``service`` is given."""
    title, body = _text(data, "title", MAX_TITLE), _text(data, "body", MAX_BODY)
    service = data.get("service", current.service if current else None)
    if service is not None and (not isinstance(service, str) or service not in services):
        raise InvalidInput("Choose one of your services.", code="invalid_saved_reply", field="service")
    return SavedReply(
        title=title,
        body=body,
        agent=None if service else agent_slug,
        service=service or None,
        id=current.id if current else new_id(),
        updated_at=now,
    )


def missing() -> NotFound:
    return NotFound("No such saved reply.", code="unknown_saved_reply")


async def _services(uow: UnitOfWork, agent_slug: str) -> list[str]:
    return [s.slug for s in await uow.services.of_agent(agent_slug)]


async def visible(uow: UnitOfWork, agent_slug: str) -> builtins.list[SavedReply]:
    return await uow.saved_replies.visible(agent_slug, await _services(uow, agent_slug))


async def save(
    uow: UnitOfWork, agent_slug: str, data: dict[str, Any], now: datetime, reply_id: str | None = None
) -> SavedReply:
    """Adds (no ``reply_id``) or changes a reply the agent may manage; the caller commits."""
    services = await _services(uow, agent_slug)
    current = None
    if reply_id is not None:
        current = await uow.saved_replies.get(reply_id)
        if current is None or not may_manage(current, agent_slug, services):
            raise missing()
    reply = from_input(data, agent_slug, services, now, current=current)
    await uow.saved_replies.save(reply)
    return reply


async def remove(uow: UnitOfWork, agent_slug: str, reply_id: str) -> None:
    current = await uow.saved_replies.get(reply_id)
    if current is None or not may_manage(current, agent_slug, await _services(uow, agent_slug)):
        raise missing()
    await uow.saved_replies.delete(reply_id)
