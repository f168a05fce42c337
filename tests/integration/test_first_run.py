"""`make run` as a newcomer sees it: `convene migrate && convene demo`, then `convene serve`, as real
processes on a free port with a fresh data folder, at the default log level. What they print is a short
block of links (the demo site, the inbox sign-in links and how long they work, the mail addresses), with
no library noise: no Alembic INFO lines, no second "listening" line. And the site has a favicon."""

from __future__ import annotations

import os
import queue
import subprocess
import tempfile
import threading
import urllib.request

from tests.support.process import CONVENE, ROOT, free_port


def _env(folder: str, port: int, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVENE_")}
    return {
        **env,
        "CONVENE_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/convene.db",
        "CONVENE_DATA_DIR": folder,
        "CONVENE_PORT": str(port),
        "CONVENE_INBOUND_SMTP_PORT": str(smtp_port),
        "PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p),
    }


def _lines_until(process: subprocess.Popen[str], last: str, timeout: float = 60) -> list[str]:
    """What the process printed up to and including the line starting with ``last``."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put("")  # the end of the output

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    while True:
        line = lines.get(timeout=timeout)
        if line == "" and process.poll() is not None:
            raise AssertionError("serve exited early:\n" + "\n".join(seen))
        seen.append(line)
        if line.startswith(last):
            return seen


def test_a_first_run_prints_one_short_block_of_links_without_library_noise_and_serves_a_favicon() -> None:
    folder, port, smtp = tempfile.mkdtemp(prefix="convene-first-run-"), free_port(), free_port()
    env = _env(folder, port, smtp)
    base = f"http://127.0.0.1:{port}"
    migrate = subprocess.run([CONVENE, "migrate"], env=env, capture_output=True, text=True, check=True)
    demo = subprocess.run([CONVENE, "demo"], env=env, capture_output=True, text=True, check=True)
    serve = subprocess.Popen(
        [CONVENE, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        block = _lines_until(serve, "Stop with Ctrl+C.")
        with urllib.request.urlopen(f"{base}/favicon.ico", timeout=10) as response:
            favicon = (response.status, response.headers["Content-Type"], response.read())
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            demo_site = response.read().decode()
    finally:
        serve.terminate()
        serve.wait(15)

    setup = migrate.stdout + migrate.stderr + demo.stdout + demo.stderr
    assert "alembic" not in setup.lower(), setup  # neither its plugins nor each migration
    assert f"demo site: {base}/" in demo.stdout
    logins = [line for line in demo.stdout.splitlines() if f"{base}/inbox/login?token=" in line]
    assert len(logins) == 4  # alice, bob, carol, dave
    assert "each works once, for 30 minutes" in demo.stdout

    printed = "\n".join(block)
    assert "alembic" not in printed.lower() and "Running on" not in printed, printed
    assert sum("127.0.0.1:" + str(port) in line and "running" in line.lower() for line in block) == 1
    assert f"demo site   {base}/ " in printed and f"inbox       {base}/inbox " in printed
    assert "assistant   assistant@localhost" in printed and f"SMTP on 127.0.0.1:{smtp}" in printed
    assert len(block) <= 10, printed  # a block, not a log

    status, content_type, body = favicon
    assert status == 200 and content_type == "image/x-icon" and body[:4] == b"\x00\x00\x01\x00"  # an ICO
    assert '<link rel="icon" href="/favicon.ico"' in demo_site
