"""The parent of ``convene serve --workers N`` with stand-in children (sleeping interpreters): it starts N,
starts again one that a signal killed, forwards SIGTERM to the others, exits when they have exited, and
when a child fails on its own (a port taken, bad settings) it stops the rest and exits with that code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])


def supervise(child_code: str, workers: int = 2) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", child_code]
    parent_code = (
        "import sys; from bot.supervisor import Supervisor; "
        f"sys.exit(Supervisor({workers}, {command!r}).run())"
    )
    return subprocess.Popen([sys.executable, "-c", parent_code], cwd=ROOT, stdout=subprocess.DEVNULL)


def children(pid: int, count: int, without: int | None = None) -> list[int]:
    """Watches /proc until the parent has ``count`` children (none of them ``without``)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if len(pids) == count and without not in pids:
            return pids
        time.sleep(0.02)  # polling the kernel's view of the process tree, not waiting for work
    raise AssertionError(f"the supervisor did not reach {count} children")


def test_a_killed_worker_is_started_again_and_sigterm_stops_them_all() -> None:
    parent = supervise("import time; time.sleep(120)")
    try:
        first, second = children(parent.pid, 2)
        os.kill(first, signal.SIGKILL)
        replaced = children(parent.pid, 2, without=first)
        assert second in replaced  # the other worker kept running
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)  # reaped before it exited
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_worker_that_fails_on_its_own_stops_the_others_and_gives_its_exit_code() -> None:
    # Slot 0 fails at once (as with the port taken); slot 1 would serve for two minutes.
    code = (
        "import os, sys, time; sys.exit(3) if os.environ['CONVENE_WORKER_INDEX'] == '0' else time.sleep(120)"
    )
    parent = supervise(code)
    try:
        assert parent.wait(30) == 3
    finally:
        if parent.poll() is None:
            parent.kill()


def test_workers_end_when_the_supervisor_is_killed() -> None:
    parent = supervise("import time; time.sleep(120)")
    pids = children(parent.pid, 2)
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < deadline, "a worker outlived its supervisor"
        time.sleep(0.02)  # polling the process table


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_worker_whose_supervisor_died_before_it_could_ask_for_the_signal_ends_itself() -> None:
    from bot.supervisor import _end_with_parent

    pid = os.fork()
    if pid == 0:  # the child, as if its parent had died between the fork and the exec
        _end_with_parent(parent=os.getppid() + 1_000_000)
        os._exit(0)  # not reached: the child has SIGTERM
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
