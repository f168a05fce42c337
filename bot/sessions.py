"""Bearer tokens that end: who a token belongs to, whether it went idle, and signing out.

Agent API tokens stop working after ``agent_token_idle_days`` (30) without an authenticated request,
guest tokens after ``guest_token_idle_days`` (90). "Used" is stored as ``last_used_at``, written at most
once an hour per token, so the hot path stays one read; a token used every day therefore never
expires. Signing out (``SignOut``) deletes the token in use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.commands import Command
from bot.errors import Unauthorized
from bot.model import Agent, Guest
from bot.ports import TokenUse, UnitOfWork
from bot.settings import Settings
from bot.tokens import token_hash

if TYPE_CHECKING:
    from bot.runtime import Runtime

TOUCH_EVERY = timedelta(hours=1)
_T = TypeVar("_T")
TokenKind = Literal["guest", "agent"]
_STORED_KIND = {"guest": "guest", "agent": "api"}


def idle_limit(settings: Settings, kind: TokenKind) -> timedelta:
    days = settings.guest_token_idle_days if kind == "guest" else settings.agent_token_idle_days
    return timedelta(days=days)


def is_idle(last_used: datetime, now: datetime, limit: timedelta) -> bool:
    return now - last_used >= limit


def needs_touch(last_used: datetime, now: datetime) -> bool:
    return now - last_used >= TOUCH_EVERY


async def _subject(
    runtime: Runtime, token: str | None, kind: TokenKind, load: Callable[[UnitOfWork, str], Awaitable[_T]]
) -> _T | None:
    """Who holds the token, loaded by ``load`` in the same read transaction as the token itself (a
    socket's sign-in is one transaction, not two)."""
    if not token:
        return None
    digest, stored, now = token_hash(token), _STORED_KIND[kind], runtime.clock.now()
    uow: UnitOfWork
    async with runtime.uow(read_only=True) as uow:
        use: TokenUse | None = await uow.tokens.lookup(digest, stored, now)
        if use is None or is_idle(use.last_used_at, now, idle_limit(runtime.settings, kind)):
            return None
        who = await load(uow, use.subject)
    if needs_touch(use.last_used_at, now):
        async with runtime.uow() as uow:
            await uow.tokens.touch(digest, now)
            await uow.commit()
    return who


async def _guest(uow: UnitOfWork, guest_id: str) -> Guest | None:
    guest: Guest | None = await uow.guests.get(guest_id)
    return guest


async def _agent(uow: UnitOfWork, slug: str) -> Agent | None:
    agent: Agent | None = await uow.agents.get(slug)
    return agent


async def guest_for_token(runtime: Runtime, token: str | None) -> Guest:
    guest = await _subject(runtime, token, "guest", _guest)
    if guest is None:
        raise Unauthorized("Missing, expired or invalid guest token.", code="invalid_token")
    return guest


async def agent_for_token(runtime: Runtime, token: str | None) -> Agent:
    agent = await _subject(runtime, token, "agent", _agent)
    if agent is None:
        raise Unauthorized("Missing, expired or invalid agent token.", code="invalid_token")
    return agent


@dataclass(frozen=True)
class SignOut(Command):
    """Revoke the bearer token in use (agent logout, guest session end)."""

    token: str
    kind: TokenKind


async def sign_out(cmd: SignOut, uow: UnitOfWork) -> bool:
    async with uow:
        revoked = await uow.tokens.revoke(token_hash(cmd.token), _STORED_KIND[cmd.kind])
        await uow.commit()
        return revoked


def register(runtime: Runtime) -> None:
    runtime.bus.register(SignOut, sign_out)
