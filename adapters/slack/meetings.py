"""The meetings part of the engine, reached lazily: Slack works (without meeting buttons) even where
``bot.meetings`` is not installed, and nothing here depends on import order."""

from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import Any

from bot.model import Agent


def _module(name: str) -> Any:
    return importlib.import_module(f"bot.meetings.{name}")


def command(name: str, **fields: Any) -> Any:
    """``command("BookMeeting", start=…, …)``: one of the engine's meeting commands."""
    return getattr(_module("commands"), name)(**fields)


def settings_of(agent: Agent) -> dict[str, Any]:
    from scheduling.agent_settings import parse_settings, settings_to_dict

    raw = {"timezone": agent.timezone, **(agent.settings or {})}
    try:
        return settings_to_dict(parse_settings(raw))
    except Exception:  # noqa: BLE001 - a stored setting the rules now refuse: show what is stored
        return dict(raw)


def timezone_of(agent: Agent) -> str:
    return str(_module("options").time_zone_of(agent))


async def options(
    runtime: Any, *, agent: str | None = None, meeting: Any = None, guest_id: str | None = None
) -> Any:
    """The engine's booking options (``bot.meetings.options``): what the modal offers."""
    async with runtime.uow(read_only=True) as uow:
        return await _module("options").options_for(
            uow, runtime.clock, agent=agent, meeting=meeting, guest_id=guest_id
        )


async def slots(
    runtime: Any, agent_slug: str, duration: int, tz: str, start: date, end: date
) -> list[datetime]:
    found = await _module("queries").agent_slots(runtime, agent_slug, start, end, duration, tz)
    return list(found)


async def upcoming(runtime: Any, agent: Agent) -> list[Any]:
    async with runtime.uow(read_only=True) as uow:
        return list(await _module("queries").upcoming_meetings(uow, agent=agent.slug))


async def meeting_for(runtime: Any, agent: Agent, meeting_id: str) -> Any:
    async with runtime.uow(read_only=True) as uow:
        return await _module("queries").get_meeting_for(uow, agent.actor, meeting_id)
