"""The ``teams`` channel entry point: enabled only when the Bot Framework app id and password are set."""

from __future__ import annotations

from typing import Any


def plugin(config: dict[str, Any]) -> Any:
    if not (config.get("teams_app_id") and config.get("teams_app_password")):
        return None
    from adapters.teams.channel import TeamsChannel

    return TeamsChannel(config)
