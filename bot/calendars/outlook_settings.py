"""Working hours and time zone follow Outlook on every calendar sync, not only at activation.

For an agent connected to Microsoft 365, each of ``timezone`` and ``working_hours`` has a source:
``outlook`` (the default once connected: the mailbox's settings are taken on every sync round) or
``convene`` (the agent changed it in Convene's settings, and from then on Outlook no longer
overwrites it). The sources live in the connection's ``sync_state`` (``{"sources": {...}}``), so
(re)connecting starts from Outlook again, as activation always did. Agents on any other calendar
have ``convene`` for both: nothing else provides them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduling.agent_settings import parse_settings, settings_to_dict
from scheduling.calendar import WorkingHours
from scheduling.errors import SchedulingError

SOURCED = ("timezone", "working_hours")
OUTLOOK, CONVENE = "outlook", "convene"


def sources_of(connection: Any) -> dict[str, str]:
    if connection is None or connection.provider != "microsoft" or connection.status != "ok":
        return dict.fromkeys(SOURCED, CONVENE)
    stored = (connection.sync_state or {}).get("sources") or {}
    return {key: stored.get(key, OUTLOOK) for key in SOURCED}


def follow(
    settings: Mapping[str, Any], hours: WorkingHours, sources: Mapping[str, str]
) -> dict[str, Any] | None:
    """The settings with Outlook's values where Outlook is the source; None when nothing changes
    (or Outlook's values cannot be used: the agent's stay)."""
    merged = dict(settings)
    if sources.get("timezone") == OUTLOOK:
        merged["timezone"] = hours.timezone
    if sources.get("working_hours") == OUTLOOK:
        merged["working_hours"] = {
            day: [list(r) for r in ranges] for day, ranges in hours.working_hours.items()
        }
    # Outlook has no lunch break: ours is kept unless it no longer lies inside the working day.
    for candidate in (merged, {**merged, "lunch_break": None}):
        try:
            result = settings_to_dict(parse_settings(candidate))
        except SchedulingError:
            continue
        return None if result == settings_to_dict(parse_settings(settings)) else result
    return None


async def note_changes_in_convene(
    uow: Any, agent: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    """The agent saved settings in Convene: what they changed is theirs from now on."""
    connection = await uow.calendar_connections.get(agent)
    if connection is None or connection.provider != "microsoft":
        return
    sources = sources_of(connection)
    changed = [key for key in SOURCED if before.get(key) != after.get(key) and sources[key] == OUTLOOK]
    if changed:
        sources.update(dict.fromkeys(changed, CONVENE))
        await uow.calendar_connections.set_sync_state(
            agent, connection.provider, {**(connection.sync_state or {}), "sources": sources}
        )
