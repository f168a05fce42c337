"""``convene serve --workers N``: one parent process supervising N serving children on one port.

Python runs one core per process, so a busy server uses more cores through more processes. The children
share the listening port with ``SO_REUSEPORT`` (the kernel spreads new connections between them) and
share the work through PostgreSQL: jobs and outbox batches are claimed with ``SKIP LOCKED``, live
updates cross processes with ``LISTEN/NOTIFY``. SQLite has no such sharing (and one writer at a time),
so more than one worker on SQLite is refused before anything starts.

The parent holds no database connection and serves nothing: it starts the children, forwards SIGTERM and
SIGINT to them, starts again a child that a signal killed (a crash, the OOM killer) while the others
keep serving, and exits once every child has exited.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from bot.settings import Settings

SQLITE_REFUSED = (
    "convene serve: {workers} workers need PostgreSQL, because SQLite cannot share its jobs and live "
    "updates between processes; set CONVENE_DATABASE_URL=postgresql+asyncpg://… or run one worker "
    "(CONVENE_WORKERS=1)."
)
RESTART_PAUSE_SECONDS = 1.0  # a child killed again and again is restarted at most once a second


def refusal(settings: Settings, workers: int) -> str | None:
    """The sentence that refuses ``workers`` processes on this database, or None when they can run."""
    if workers < 1:
        return f"convene serve: --workers must be 1 or more, not {workers}."
    if workers > 1 and settings.database_url.startswith("sqlite"):
        return SQLITE_REFUSED.format(workers=workers)
    return None


def child_command() -> list[str]:
    """How a child is started: the way this process was (the ``convene`` script or ``-m bot.cli``), with
    one worker, sharing the port."""
    script = sys.argv[0]
    if os.path.isfile(script) and not script.endswith(".py"):
        launcher = [sys.executable, script]
    else:
        launcher = [sys.executable, "-m", "bot.cli"]
    return [*launcher, "serve", "--workers", "1", "--reuse-port"]


class Supervisor:
    def __init__(self, workers: int, command: Sequence[str] | None = None) -> None:
        self.workers = workers
        self.command = list(command or child_command())
        self.children: dict[int, subprocess.Popen[bytes]] = {}  # slot → process
        self.stopping = False
        self.exit_code = 0

    def _start(self, slot: int) -> None:
        env = {**os.environ, "CONVENE_WORKERS": "1", "CONVENE_WORKER_INDEX": str(slot)}
        parent = os.getpid()
        self.children[slot] = subprocess.Popen(
            self.command, env=env, preexec_fn=lambda: _end_with_parent(parent)
        )

    def _forward(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signum)

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._forward)
        for slot in range(self.workers):
            self._start(slot)
        print(f"convene: {self.workers} workers, pids {self.pids()}", flush=True)
        last_restart = 0.0
        while self.children:
            pid, status = _wait_any()
            if pid < 0:
                break  # no children left to wait for
            found = [s for s, c in self.children.items() if c.pid == pid]
            if not found:
                continue
            slot = found[0]
            child = self.children.pop(slot)
            code = os.waitstatus_to_exitcode(status)
            child.returncode = code  # reaped here; Popen must not wait for it again
            if code < 0 and not self.stopping:
                # A crash, not a shutdown: the others keep serving while this one comes back.
                pause = RESTART_PAUSE_SECONDS - (time.monotonic() - last_restart)
                if pause > 0:
                    time.sleep(pause)
                last_restart = time.monotonic()
                if not self.stopping:  # a SIGTERM during the pause: the shutdown wins
                    self._start(slot)
                continue
            if code > 0 and not self.exit_code:
                self.exit_code = code
                if not self.stopping:  # a child could not serve (port taken, bad settings): stop all
                    self._forward(signal.SIGTERM, None)
        return self.exit_code

    def pids(self) -> list[int]:
        return [child.pid for _, child in sorted(self.children.items())]


def _end_with_parent(parent: int) -> None:
    """In the child before it runs: SIGTERM when the parent dies, so a SIGKILLed supervisor leaves no
    workers behind holding the port (Linux; elsewhere the children outlive it). A parent that died
    between the fork and this call sends nothing: the child then ends itself the same way."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)


def _wait_any() -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(-1, 0)
        except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
            continue
        except ChildProcessError:
            return -1, 0
