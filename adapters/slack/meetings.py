"""The meetings part of the engine, reached lazily: Slack works (without meeting buttons) even where
``bot.meetings`` is not installed, and nothing here depends on import order."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.model import Agent

SLOT_DAYS = 14  # how far ahead the modal offers free slots


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
    return str((agent.settings or {}).get("timezone") or agent.timezone or "UTC")


def durations_of(agent: Agent) -> tuple[list[int], int]:
    settings = settings_of(agent)
    durations = [int(d) for d in settings.get("durations") or [30]]
    default = int(settings.get("default_duration") or durations[0])
    return durations, default if default in durations else durations[0]


async def slots(runtime: Any, agent_slug: str, duration: int, tz: str) -> list[datetime]:
    today = runtime.clock.now().astimezone(ZoneInfo(tz)).date()
    found = await _module("queries").agent_slots(
        runtime, agent_slug, today, today + timedelta(days=SLOT_DAYS), duration, tz
    )
    return list(found)


async def upcoming(runtime: Any, agent: Agent) -> list[Any]:
    async with runtime.uow(read_only=True) as uow:
        return list(await _module("queries").upcoming_meetings(uow, agent=agent.slug))


async def meeting_for(runtime: Any, agent: Agent, meeting_id: str) -> Any:
    async with runtime.uow(read_only=True) as uow:
        return await _module("queries").get_meeting_for(uow, agent.actor, meeting_id)
