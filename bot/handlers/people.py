"""Services, agents, guests and their tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.commands import (
    CreateAgent,
    CreateService,
    IssueAgentToken,
    LinkServiceChannel,
    RedeemLoginLink,
    RegisterGuest,
    SetAgentAvatar,
)
from bot.errors import InvalidInput, NotFound, Unauthorized
from bot.events import LoginLinkIssued
from bot.links import is_deep_path
from bot.model import Agent, Guest, Service
from bot.names import clean_name
from bot.origin import clean_page_url
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token, token_hash
from bot.zones import zone

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
LOGIN_LINK_LIFETIME = timedelta(minutes=30)


def clean_email(value: object, *, required: bool) -> str | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or len(value) > 320 or not EMAIL.match(value.strip()):
        raise InvalidInput("That is not a valid email address.", code="invalid_email")
    return value.strip()


def clean_slug(value: str) -> str:
    if not SLUG.match(value or ""):
        raise InvalidInput("Use lower-case letters, digits, '-' or '_' (at most 64).", code="invalid_slug")
    return value


async def create_service(cmd: CreateService, uow: UnitOfWork) -> Service:
    async with uow:
        existing = await uow.services.get(clean_slug(cmd.slug))
        if existing is not None:
            return existing  # seeding twice is harmless
        service = Service(cmd.slug, clean_name(cmd.name))
        await uow.services.add(service)
        await uow.commit()
        return service


async def create_agent(cmd: CreateAgent, uow: UnitOfWork) -> Agent:
    email = clean_email(cmd.email, required=True)
    assert email is not None
    async with uow:
        agent = await uow.agents.get(clean_slug(cmd.slug))
        if agent is None:
            agent = Agent(cmd.slug, clean_name(cmd.name), email, zone(cmd.timezone).key)
            if cmd.settings:
                agent.settings = dict(cmd.settings)
            await uow.agents.add(agent)
        for slug in cmd.services:
            service = await uow.services.get(slug)
            if service is None:
                raise NotFound(f"There is no service called {slug!r}.", code="unknown_service")
            if agent.slug not in service.members:
                service.members.append(agent.slug)
                await uow.services.save(service)
        await uow.commit()
        return agent


@dataclass(frozen=True)
class GuestSession:
    guest: Guest
    token: str


async def register_guest(cmd: RegisterGuest, uow: UnitOfWork, clock: Clock) -> GuestSession:
    name = clean_name(cmd.name)
    email = clean_email(cmd.email, required=False)
    # Checked here, once: a stored zone that does not exist would break every later booking.
    timezone = zone(cmd.timezone).key if cmd.timezone else None
    async with uow:
        guest = Guest(name, email, timezone, page_url=clean_page_url(cmd.page_url))
        await uow.guests.add(guest)
        token = new_token()
        await uow.tokens.add(token_hash(token), "guest", guest.id, None)
        await uow.commit()
        return GuestSession(guest, token)


async def issue_agent_token(cmd: IssueAgentToken, uow: UnitOfWork, clock: Clock) -> str:
    async with uow:
        agent = await uow.agents.get_by_email(cmd.email)
        if agent is None:
            raise NotFound("No agent has that email address.", code="unknown_agent")
        token = new_token()
        expires = clock.now() + LOGIN_LINK_LIFETIME if cmd.kind == "login" else None
        await uow.tokens.add(token_hash(token), cmd.kind, agent.slug, expires)
        if cmd.kind == "login":
            # Only a deep link into the inbox may ride along: the mail never leads elsewhere.
            next_path = cmd.next_path if is_deep_path(cmd.next_path) else ""
            uow.record(
                LoginLinkIssued(
                    conversation_id="", email=agent.email, name=agent.name, token=token, next_path=next_path
                )
            )
        await uow.commit()
        return token


async def redeem_login_link(cmd: RedeemLoginLink, uow: UnitOfWork, clock: Clock) -> str:
    """A one-time link becomes a bearer token for the inbox."""
    async with uow:
        slug = await uow.tokens.consume(token_hash(cmd.token), "login", clock.now())
        if slug is None:
            raise Unauthorized("This sign-in link is invalid, used or expired.", code="invalid_login_link")
        token = new_token()
        await uow.tokens.add(token_hash(token), "api", slug, None)
        await uow.commit()
        return token


async def link_service_channel(cmd: LinkServiceChannel, uow: UnitOfWork) -> None:
    async with uow:
        if await uow.services.get(cmd.service) is None:
            raise NotFound(f"There is no service called {cmd.service!r}.", code="unknown_service")
        await uow.bindings.link_service_channel(cmd.service, cmd.channel, dict(cmd.address))
        await uow.commit()


async def set_agent_avatar(cmd: SetAgentAvatar, uow: UnitOfWork) -> Agent:
    async with uow:
        agent = await uow.agents.get(cmd.agent)
        if agent is None:
            raise NotFound(f"There is no agent called {cmd.agent!r}.", code="unknown_agent")
        agent.avatar_url = cmd.url
        await uow.agents.save(agent)
        await uow.commit()
        return agent
