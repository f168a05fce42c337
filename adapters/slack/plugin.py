"""The ``slack`` channel entry point: enabled only when the bot token and signing secret are set."""

from __future__ import annotations

from typing import Any


def plugin(config: dict[str, Any]) -> Any:
    if not (config.get("slack_bot_token") and config.get("slack_signing_secret")):
        return None
    from adapters.slack.channel import SlackChannel

    return SlackChannel(config)
