"""The providers load through their entry points, switch on only when configured, and these tests
cannot reach anything but loopback."""

from __future__ import annotations

import socket
from importlib.metadata import entry_points
from typing import Any

import pytest

from scheduling.calendar import CalendarProvider


def load(name: str) -> Any:
    (entry,) = [e for e in entry_points(group="convene.calendars") if e.name == name]
    return entry.load()


@pytest.mark.parametrize("name", ["google", "microsoft"])
def test_entry_point_plugin_is_off_when_not_configured(name: str) -> None:
    assert load(name)({}) is None


def test_configured_plugins_satisfy_the_port(
    google_config: dict[str, Any], ms_config: dict[str, Any]
) -> None:
    google = load("google")(google_config)
    microsoft = load("microsoft")(ms_config)
    assert isinstance(google, CalendarProvider) and google.name == "google"
    assert isinstance(microsoft, CalendarProvider) and microsoft.name == "microsoft"


def test_only_loopback_is_reachable_from_these_tests() -> None:
    with pytest.raises(OSError):
        socket.getaddrinfo("calendar.invalid", 443)
