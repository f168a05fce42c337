"""``convene serve --workers N`` on SQLite: refused at once with exit code 2 and one sentence saying why
and what to do, before anything listens or writes (several processes need PostgreSQL)."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.process import CONVENE, ServerProcess


@pytest.mark.parametrize(
    "args, env",
    [(("--workers", "2"), {}), ((), {"CONVENE_WORKERS": "2"})],
    ids=["flag", "environment"],
)
def test_two_workers_on_sqlite_are_refused_with_exit_code_2_and_a_reason(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    server = ServerProcess(env)
    done = subprocess.run(
        [CONVENE, "serve", *args], env=server.env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    message = done.stderr.strip()
    assert message.count("\n") == 0, message  # one sentence, no traceback
    assert "2 workers need PostgreSQL" in message
    assert "CONVENE_DATABASE_URL=postgresql+asyncpg://" in message and "CONVENE_WORKERS=1" in message
    assert "listening" not in done.stdout


def test_zero_workers_are_refused_with_exit_code_2() -> None:
    server = ServerProcess()
    done = subprocess.run(
        [CONVENE, "serve", "--workers", "0"], env=server.env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "convene serve: --workers must be 1 or more, not 0."
