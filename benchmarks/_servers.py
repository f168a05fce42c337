"""Benchmarks start the real server the way the crash tests do."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.process import (
    CONVENE,  # noqa: E402
    free_port,  # noqa: E402
)
from tests.support.process import ServerProcess as Server  # noqa: E402

__all__ = ["CONVENE", "Server", "free_port"]
