"""Storage, channels and calendars come from entry points; a broken plugin is logged and skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

log = logging.getLogger(__name__)

STORAGE = "convene.storage"
CHANNELS = "convene.channels"
CALENDARS = "convene.calendars"


def load_factories(group: str) -> dict[str, Callable[..., Any]]:
    factories: dict[str, Callable[..., Any]] = {}
    for entry in entry_points(group=group):
        try:
            factories[entry.name] = entry.load()
        except Exception:  # a third-party plugin must not take the service down
            log.exception("plugin %s:%s failed to load; skipping it", group, entry.name)
    return factories


def instantiate(group: str, config: dict[str, Any]) -> dict[str, Any]:
    """Calls each factory with the settings mapping (shared objects such as ``storage`` ride along in it);
    ``None`` means "not configured here", an exception means "broken"."""
    plugins: dict[str, Any] = {}
    for name, factory in load_factories(group).items():
        try:
            plugin = factory(config)
        except Exception:
            log.exception("plugin %s:%s failed to start; skipping it", group, name)
            continue
        if plugin is not None:
            plugins[name] = plugin
    return plugins
