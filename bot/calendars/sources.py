"""The engine's side of calendars: each agent's settings and calendar source, and their busy time.

Busy time is always read BEFORE a booking's transaction (a slow calendar must never hold the
database), concurrently for a whole service, and a calendar that cannot be read is reported apart:
we never guess that an agent is free.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from bot.errors import NotFound, Unavailable
from bot.meetings.model import CalendarConnection
from bot.model import Agent
from bot.ports import UnitOfWork
from scheduling.agent_settings import SchedulingSettings, parse_settings
from scheduling.calendar import CalendarAccount, Interval
from scheduling.errors import CalendarUnavailable

log = logging.getLogger(__name__)
LOCAL = "local"
BUSY_DEADLINE_SECONDS = 8.0


def scheduling_settings(agent: Agent) -> SchedulingSettings:
    """The agent's stored settings; their profile's time zone fills in when the settings name none."""
    data = dict(agent.settings or {})
    data.setdefault("timezone", agent.timezone)
    return _parsed(json.dumps(data, sort_keys=True))


@lru_cache(maxsize=4096)
def _parsed(data: str) -> SchedulingSettings:
    # Settings are frozen values: a service's slot list parses each member's settings once, not per request.
    return parse_settings(json.loads(data))


@dataclass(frozen=True)
class Profile:
    """Everything availability needs about one agent."""

    agent: Agent
    settings: SchedulingSettings
    provider: str
    account: CalendarAccount
    status: str = "ok"  # "broken": the grant is gone; never ask the provider, never offer slots

    @property
    def broken(self) -> bool:
        return self.status != "ok"


async def load_profiles(uow: UnitOfWork, slugs: Sequence[str]) -> dict[str, Profile]:
    """Two queries whatever the number of agents: the agents, then their calendar connections."""
    wanted = set(slugs)
    agents = {a.slug: a for a in await uow.agents.list() if a.slug in wanted}
    connections: dict[str, CalendarConnection] = await uow.meetings.connections(sorted(agents))
    profiles = {}
    for slug, agent in agents.items():
        connection = connections.get(slug)
        account = CalendarAccount(
            agent_slug=slug,
            email=(connection.account_email if connection else None) or agent.email,
            credentials=dict(connection.credentials) if connection else {},
            external_user_id=connection.external_user_id if connection else None,
        )
        profiles[slug] = Profile(
            agent,
            scheduling_settings(agent),
            connection.provider if connection else LOCAL,
            account,
            connection.status if connection else "ok",
        )
    return profiles


async def require_profile(uow: UnitOfWork, slug: str) -> Profile:
    profile = (await load_profiles(uow, [slug])).get(slug)
    if profile is None:
        raise NotFound(f"There is no agent called {slug!r}.", code="unknown_agent")
    return profile


@dataclass(frozen=True)
class Busy:
    by_agent: dict[str, list[Interval]]
    unreadable: list[str]  # agents whose calendar could not be read: offer them nothing


async def fetch_busy(
    calendars: Mapping[str, Any],
    profiles: Iterable[Profile],
    start: datetime,
    end: datetime,
    *,
    deadline: float = BUSY_DEADLINE_SECONDS,
) -> Busy:
    """Past ``deadline`` a calendar counts as unreadable: one hanging member must not hold a whole
    service's slot list (the providers' own retries could take minutes)."""
    by_provider: dict[str, list[Profile]] = defaultdict(list)
    results: dict[str, list[Interval]] = {}
    unreadable: list[str] = []
    for profile in profiles:
        if profile.broken:  # a revoked grant cannot vouch for free time; asking again only fails
            unreadable.append(profile.agent.slug)
        else:
            by_provider[profile.provider].append(profile)

    async def one(provider: Any, profile: Profile) -> None:
        try:
            results[profile.agent.slug] = list(
                await asyncio.wait_for(
                    provider.busy(profile.account, list(profile.settings.busy_calendars), start, end),
                    deadline,
                )
            )
        except (CalendarUnavailable, TimeoutError) as error:
            log.info("calendar of %s unavailable: %s", profile.agent.slug, error)
            unreadable.append(profile.agent.slug)

    async def many(provider: Any, group: list[Profile]) -> None:
        # Providers that can answer for many agents at once (the local calendar: one query).
        try:
            found = await asyncio.wait_for(
                provider.busy_many([(p.account, list(p.settings.busy_calendars)) for p in group], start, end),
                deadline,
            )
        except (CalendarUnavailable, TimeoutError):
            unreadable.extend(p.agent.slug for p in group)
            return
        for p in group:
            results[p.agent.slug] = list(found.get(p.agent.slug, []))

    work = []
    for name, group in by_provider.items():
        provider = calendars.get(name)
        if provider is None:
            if name == LOCAL:  # no local calendar installed: only our own meetings count
                results.update({p.agent.slug: [] for p in group})
            else:  # a connected calendar that is switched off here cannot vouch for free time
                unreadable.extend(p.agent.slug for p in group)
            continue
        if hasattr(provider, "busy_many") and len(group) > 1:
            work.append(many(provider, group))
        else:
            work.extend(one(provider, p) for p in group)
    await asyncio.gather(*work)
    return Busy(results, sorted(unreadable))


def calendar_unavailable(slug: str) -> Unavailable:
    return Unavailable(
        "The agent's calendar cannot be read right now; please try again in a moment.",
        code="calendar_unavailable",
        agent=slug,
    )


def without(intervals: Iterable[Interval], cut: Interval) -> list[Interval]:
    """Busy time minus one interval: a meeting being moved must not block itself (its own event
    sits in the agent's calendar, possibly merged with neighbours by a free/busy answer)."""
    out: list[Interval] = []
    for iv in intervals:
        if iv.end <= cut.start or iv.start >= cut.end:
            out.append(iv)
            continue
        if iv.start < cut.start:
            out.append(Interval(iv.start, cut.start))
        if iv.end > cut.end:
            out.append(Interval(cut.end, iv.end))
    return out
