"""Each agent's notification preferences, per channel: which notices also reach them as a direct
message in Slack or Teams (a mention of them in an internal note, a new conversation in their services,
a guest's message in a conversation assigned to them, the end of a snooze of a conversation assigned
to them), and whether they get the unread-message emails (``bot.email_digest``). The inbox shows
desktop notifications for the first three; whether it does, and with a sound, is the browser's own
choice (permission, and a switch kept in that browser).

Unknown keys and values that are not true/false are refused (400 ``invalid_preferences`` naming the
field); a partial change keeps the rest.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.errors import InvalidInput

if TYPE_CHECKING:  # bot.ports names this module's port
    from bot.ports import UnitOfWork

MENTION, NEW_CONVERSATION, GUEST_MESSAGE = "mention", "new_conversation", "guest_message"
SNOOZE_ENDED = "snooze_ended"
NOTICES = (MENTION, NEW_CONVERSATION, GUEST_MESSAGE, SNOOZE_ENDED)
DM_CHANNELS = ("slack", "teams")
# Direct messages are opt-in (a chat app that pings for every guest message would be muted at once),
# except the end of a snooze: someone asked to be reminded then, and it comes once per snooze.
# Unread-message emails stay on, as they were before preferences existed.
DEFAULTS: dict[str, Any] = {
    **{channel: {n: n == SNOOZE_ENDED for n in NOTICES} for channel in DM_CHANNELS},
    "unread_email": True,
}


class PreferenceRepository(Protocol):
    async def get(self, agent_slug: str) -> dict[str, Any] | None: ...
    async def get_many(self, agent_slugs: list[str]) -> dict[str, dict[str, Any]]: ...
    async def save(self, agent_slug: str, preferences: dict[str, Any], now: datetime) -> None: ...


def merged(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The stored choices over the defaults (a key added later takes its default)."""
    # A copy one level deep is a deep copy here (the choices are true/false), and far cheaper: new
    # conversations and guests' messages merge each notified agent's preferences.
    result = {k: dict(v) if isinstance(v, dict) else v for k, v in DEFAULTS.items()}
    for key, value in (stored or {}).items():
        if isinstance(result.get(key), dict) and isinstance(value, dict):
            result[key].update({k: v for k, v in value.items() if k in result[key]})
        elif key in result and not isinstance(result[key], dict):
            result[key] = value
    return result


def _refuse(field: str, why: str) -> InvalidInput:
    return InvalidInput(why, code="invalid_preferences", field=field)


def validated(current: dict[str, Any], data: object) -> dict[str, Any]:
    """``data`` (all or some of the keys) applied to ``current``; raises naming the first bad field."""
    if not isinstance(data, dict):
        raise _refuse("preferences", 'Preferences are an object like {"slack": {"mention": true}}.')
    result = copy.deepcopy(current)
    for key, value in data.items():
        if key not in DEFAULTS:
            raise _refuse(str(key)[:40], f"Unknown preference {str(key)[:40]!r}.")
        if isinstance(DEFAULTS[key], dict):
            if not isinstance(value, dict):
                raise _refuse(key, f"{key} takes an object of {', '.join(NOTICES)}: true or false.")
            for notice, on in value.items():
                if notice not in NOTICES:
                    raise _refuse(f"{key}.{str(notice)[:40]}", f"Unknown notice {str(notice)[:40]!r}.")
                if not isinstance(on, bool):
                    raise _refuse(f"{key}.{notice}", f"{key}.{notice} is true or false.")
                result[key][notice] = on
        elif not isinstance(value, bool):
            raise _refuse(key, f"{key} is true or false.")
        else:
            result[key] = value
    return result


async def preferences_of(uow: UnitOfWork, agent_slug: str) -> dict[str, Any]:
    return merged(await uow.preferences.get(agent_slug))


async def change(uow: UnitOfWork, agent_slug: str, data: object, now: datetime) -> dict[str, Any]:
    """An agent changes their own preferences; the caller commits."""
    result = validated(await preferences_of(uow, agent_slug), data)
    await uow.preferences.save(agent_slug, result, now)
    return result


async def direct_channels(uow: UnitOfWork, agent_slugs: list[str], notice: str) -> dict[str, list[str]]:
    """For each agent, the chat channels where ``notice`` also goes as a direct message."""
    if not agent_slugs:
        return {}
    stored = await uow.preferences.get_many(sorted(set(agent_slugs)))
    found: dict[str, list[str]] = {}
    for slug in agent_slugs:
        prefs = merged(stored.get(slug))
        channels = [c for c in DM_CHANNELS if prefs[c][notice]]
        if channels:
            found[slug] = channels
    return found


async def wants_unread_email(uow: UnitOfWork, agent_slug: str) -> bool:
    return bool((await preferences_of(uow, agent_slug))["unread_email"])
