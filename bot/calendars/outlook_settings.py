"""Working hours and time zone follow Outlook (or Google Workspace) on every calendar sync, not only at activation.

For an agent connected to Microsoft 365, each of ``timezone`` and ``working_hours`` has a source:
``outlook`` (the default once connected: the mailbox's settings are taken on every sync round) or
``convene`` (the agent changed it in Convene's settings, and from then on Outlook no longer
overwrites it). The sources live in the connection's ``sync_state`` (``{"sources": {...}}``), so
(re)connecting starts from Outlook again, as activation always did. Agents on any other calendar
have ``convene`` for both: nothing else provides them — except a Google Workspace connection
(domain-wide delegation): its time zone has the source ``google`` (the Calendar settings' ``timezone``)
and its working hours stay ``convene``, because the Calendar API does not expose Google's working
hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduling.agent_settings import parse_settings, settings_to_dict
from scheduling.calendar import WorkingHours
from scheduling.errors import SchedulingError

SOURCED = ("timezone", "working_hours")
OUTLOOK, GOOGLE, CONVENE = "outlook", "google", "convene"
FOLLOWED = (OUTLOOK, GOOGLE)
GOOGLE_WORKSPACE = "google-workspace"  # external_user_id of a delegated google connection


def _defaults(connection: Any) -> dict[str, str] | None:
    """What each setting follows by default on this connection; None: it provides nothing."""
    if connection is None or connection.status != "ok":
        return None
    if connection.provider == "microsoft":
        return dict.fromkeys(SOURCED, OUTLOOK)
    if connection.provider == "google" and connection.external_user_id == GOOGLE_WORKSPACE:
        return {"timezone": GOOGLE, "working_hours": CONVENE}
    return None


def follows_calendar(connection: Any) -> bool:
    """Whether a sync round reads working hours / time zone from this connection's calendar."""
    return _defaults(connection) is not None


def sources_of(connection: Any) -> dict[str, str]:
    defaults = _defaults(connection)
    if defaults is None:
        return dict.fromkeys(SOURCED, CONVENE)
    stored = (connection.sync_state or {}).get("sources") or {}
    return {key: CONVENE if defaults[key] == CONVENE else stored.get(key, defaults[key]) for key in SOURCED}


def follow(
    settings: Mapping[str, Any], hours: WorkingHours, sources: Mapping[str, str]
) -> dict[str, Any] | None:
    """The settings with Outlook's values where Outlook is the source; None when nothing changes
    (or Outlook's values cannot be used: the agent's stay)."""
    merged = dict(settings)
    if sources.get("timezone") in FOLLOWED:
        merged["timezone"] = hours.timezone
    if sources.get("working_hours") in FOLLOWED:
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
    if not follows_calendar(connection):
        return
    sources = sources_of(connection)
    changed = [key for key in SOURCED if before.get(key) != after.get(key) and sources[key] in FOLLOWED]
    if changed:
        sources.update(dict.fromkeys(changed, CONVENE))
        await uow.calendar_connections.set_sync_state(
            agent, connection.provider, {**(connection.sync_state or {}), "sources": sources}
        )
