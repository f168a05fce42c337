"""Plugins come from entry points; a broken one is logged and skipped, never fatal."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot import plugins

DIST = """Metadata-Version: 2.1
Name: convene-test-plugins
Version: 1.0
"""
ENTRY_POINTS = """[convene.channels]
good = convene_test_plugins:good
broken_import = convene_test_plugins_missing:plugin
broken_start = convene_test_plugins:explodes
switched_off = convene_test_plugins:not_configured
"""
MODULE = """
class Channel:
    name = "good"
    def __init__(self, config):
        self.config = config
    async def deliver(self, event, binding):
        return None

def good(config):
    return Channel(config)

def explodes(config):
    raise RuntimeError("bad configuration")

def not_configured(config):
    return None
"""


@pytest.fixture
def third_party(tmp_path: Path) -> Path:
    """A real installed distribution (a dist-info folder on sys.path), as pip would leave it."""
    info = tmp_path / "convene_test_plugins-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(DIST)
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    (tmp_path / "convene_test_plugins.py").write_text(MODULE)
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("convene_test_plugins", None)


def test_broken_plugins_are_logged_and_skipped(third_party: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.plugins"):
        found = plugins.instantiate(plugins.CHANNELS, {"public_url": "http://x"})
    assert "good" in found and found["good"].config["public_url"] == "http://x"
    assert "broken_import" not in found and "broken_start" not in found
    assert "switched_off" not in found  # None means "not configured here", which is not an error
    assert "web" in found and "email" in found  # our own plugins still load
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "broken_import" in logged and "broken_start" in logged and "switched_off" not in logged
