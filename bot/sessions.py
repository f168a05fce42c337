"""Bearer tokens that end: who a token belongs to, whether it went idle, and signing out.

Agent API tokens stop working after ``agent_token_idle_days`` (30) without an authenticated request,
guest tokens after ``guest_token_idle_days`` (90). "Used" is stored as ``last_used_at``, written at most
once an hour per token, so the hot path stays one read; a token used every day therefore never
expires. Signing out (``SignOut``) deletes the token in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from bot.commands import Command
from bot.errors import Unauthorized
from bot.model import Agent, Guest
from bot.ports import TokenUse, UnitOfWork
from bot.settings import Settings
from bot.tokens import token_hash

if TYPE_CHECKING:
    from bot.runtime import Runtime

TOUCH_EVERY = timedelta(hours=1)
TokenKind = Literal["guest", "agent"]
_STORED_KIND = {"guest": "guest", "agent": "api"}


def idle_limit(settings: Settings, kind: TokenKind) -> timedelta:
    days = settings.guest_token_idle_days if kind == "guest" else settings.agent_token_idle_days
    return timedelta(days=days)


def is_idle(last_used: datetime, now: datetime, limit: timedelta) -> bool:
    return now - last_used >= limit


def needs_touch(last_used: datetime, now: datetime) -> bool:
    return now - last_used >= TOUCH_EVERY


async def _subject(runtime: Runtime, token: str | None, kind: TokenKind) -> str | None:
    if not token:
        return None
    digest, stored, now = token_hash(token), _STORED_KIND[kind], runtime.clock.now()
    uow: UnitOfWork
    async with runtime.uow(read_only=True) as uow:
        use: TokenUse | None = await uow.tokens.lookup(digest, stored, now)
    if use is None or is_idle(use.last_used_at, now, idle_limit(runtime.settings, kind)):
        return None
    if needs_touch(use.last_used_at, now):
        async with runtime.uow() as uow:
            await uow.tokens.touch(digest, now)
            await uow.commit()
    subject: str = use.subject
    return subject


async def guest_for_token(runtime: Runtime, token: str | None) -> Guest:
    guest_id = await _subject(runtime, token, "guest")
    if guest_id is not None:
        uow: UnitOfWork
        async with runtime.uow(read_only=True) as uow:
            guest: Guest | None = await uow.guests.get(guest_id)
        if guest is not None:
            return guest
    raise Unauthorized("Missing, expired or invalid guest token.", code="invalid_token")


async def agent_for_token(runtime: Runtime, token: str | None) -> Agent:
    slug = await _subject(runtime, token, "agent")
    if slug is not None:
        uow: UnitOfWork
        async with runtime.uow(read_only=True) as uow:
            agent: Agent | None = await uow.agents.get(slug)
        if agent is not None:
            return agent
    raise Unauthorized("Missing, expired or invalid agent token.", code="invalid_token")


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
