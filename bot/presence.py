"""Who answers a guest, and whether anyone is at work now: the widget's header and its expectations.

The widget shows the people behind a service (or the one agent of a personal link) with their
pictures, and either "We typically reply in a few minutes" (someone is within their working hours)
or an away notice with the next opening. The rule is decided here, once, by the clock port:

- the **team** is the service's members, in the service's order (or the one agent);
- a member is **available** while the clock is inside their working hours (their scheduling
  settings, in their own zone; ``scheduling.opening.at_work``);
- the team is **open** while at least one member is available; otherwise the **next opening** is
  the earliest next start of work among them (``None`` when nobody works in the next two weeks);
- a member whose stored settings the rules refuse counts as away (never guess someone is there).

Only names and pictures reach the guest, never addresses or zones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.calendars.sources import scheduling_settings
from bot.errors import NotFound
from bot.model import Agent
from bot.ports import Clock
from bot.titles import avatar
from scheduling.errors import SchedulingError
from scheduling.opening import at_work, next_opening


@dataclass(frozen=True)
class TeamMember:
    slug: str
    name: str
    avatar: dict[str, Any]  # initials, colour, and the uploaded picture's url (bot.titles.avatar)
    available: bool


@dataclass(frozen=True)
class Presence:
    members: tuple[TeamMember, ...]
    next_opening: datetime | None  # UTC; None while open, or when nobody works soon

    @property
    def open(self) -> bool:
        return any(m.available for m in self.members)


def presence_of(agents: Sequence[Agent], now: datetime) -> Presence:
    """The pure rule: each agent's working hours against ``now``."""
    members, openings = [], []
    for agent in agents:
        try:
            settings = scheduling_settings(agent)
        except SchedulingError:
            settings = None
        available = settings is not None and at_work(settings.working_hours, settings.timezone, now)
        if settings is not None and not available:
            opening = next_opening(settings.working_hours, settings.timezone, now)
            if opening is not None:
                openings.append(opening)
        members.append(TeamMember(agent.slug, agent.name, avatar(agent.name, agent.avatar_url), available))
    is_open = any(m.available for m in members)
    return Presence(tuple(members), None if is_open else min(openings, default=None))


async def team_presence(
    uow: Any, clock: Clock, *, service: str | None = None, agent: str | None = None
) -> Presence:
    """The team a guest writes to (an agent's personal link, else a service) and its presence now."""
    if agent:
        found = await uow.agents.get(agent)
        if found is None:
            raise NotFound(f"There is no agent called {agent!r}.", code="unknown_agent")
        return presence_of([found], clock.now())
    group = await uow.services.get(service or "")
    if group is None:
        raise NotFound(f"There is no service called {service!r}.", code="unknown_service")
    agents = [a for a in [await uow.agents.get(slug) for slug in group.members] if a is not None]
    return presence_of(agents, clock.now())
