"""messages.py's load counted in instructions: the server under callgrind, beside an echo under callgrind.

Messages per second on a shared 2-core machine moved by a fifth between runs of the same code (issue 17),
more than most single changes to the message path are worth. An instruction count does not: this runs
``convene serve`` under ``valgrind --tool=callgrind`` (counting starts after the warm-up and stops after
the load, ``callgrind_control``), sends the load of ``messages.py`` (20 guests x 100 messages, 4 in
flight each, every message pushed to an agent's inbox), and prints the instructions of the serving
thread a message, beside those of a bare aiohttp WebSocket echo under callgrind for the same client and
the same number of frames (the floor). Kernel time (system calls) is not counted; ``messages.py`` says
the rest. Needs valgrind (Debian's ``valgrind``); about a minute.

    python benchmarks/messages_instructions.py
"""

from __future__ import annotations

import asyncio
import glob
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import messages  # noqa: E402
from _servers import CONVENE, free_port  # noqa: E402

# messages.py's own echo (the floor of its ceiling), in a process of its own so callgrind counts it alone.
ECHO = textwrap.dedent(
    """
    import asyncio, sys
    sys.path.insert(0, sys.argv[2])
    import messages

    async def serve():
        await messages.echo_server(int(sys.argv[1]))
        await asyncio.Event().wait()

    asyncio.run(serve())
    """
)


def callgrind(out: str) -> list[str]:
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--separate-threads=yes",
        f"--callgrind-out-file={out}/cg.%p",
    ]


def control(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True)


def serving_thread_instructions(out: str) -> int:
    """Instructions of the first thread (the event loop's) in the dump taken after the load."""
    for path in glob.glob(f"{out}/cg.*.1-01"):
        for line in Path(path).read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no callgrind dump in {out}")


class CountedServer(messages.ProfiledServer):
    def __init__(self, out: str, env: dict[str, str]) -> None:
        super().__init__(None, env)
        self.out = out

    def start(self) -> None:
        command = [*callgrind(self.out), sys.executable, CONVENE, "serve"]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )


async def echo_instructions(out: str) -> int:
    port = free_port()
    here = str(Path(__file__).resolve().parent)
    command = [*callgrind(out), sys.executable, "-c", ECHO, str(port), here]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"ws://127.0.0.1:{port}/ws"
        for _ in range(600):  # valgrind starts Python slowly
            try:
                await messages.guest_load(url, [None], None, each=1, window=1)
                break
            except OSError:
                await asyncio.sleep(0.1)  # not listening yet
        control(process.pid, "-i", "on")
        await messages.guest_load(url, [None] * messages.GUESTS, None)
        control(process.pid, "-d", "load")
    finally:
        process.terminate()
        process.wait(60)
    return serving_thread_instructions(out)


async def convene_instructions(out: str) -> tuple[int, int]:
    env = {f"CONVENE_{name.upper()}": str(value) for name, value in messages.RAISED_LIMITS.items()}
    server = CountedServer(out, env)
    server.prepare()
    server.start()
    try:
        await server.ready(timeout=300)
        agent_token = server.agent_token("alice@example.com")
        tokens = await messages.guest_tokens(server, messages.GUESTS + 1)
        total = messages.GUESTS * messages.MESSAGES_PER_GUEST
        received = [0]
        listener = asyncio.create_task(
            messages.inbox_listener(server, agent_token, messages.WARM_UP + total, received)
        )
        ws_url = server.url.replace("http", "ws") + "/api/guest/ws"
        await messages.guest_load(ws_url, tokens[messages.GUESTS :], "sales", each=messages.WARM_UP)
        assert server.process is not None
        control(server.process.pid, "-i", "on")
        await messages.guest_load(ws_url, tokens[: messages.GUESTS], "sales")
        await asyncio.wait_for(listener, 120)  # every push out: the dispatch is counted too
        control(server.process.pid, "-d", "load")
    finally:
        server.stop()
    return serving_thread_instructions(out), received[0]


async def main() -> dict[str, Any]:
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind (Debian's valgrind package)")
    total = messages.GUESTS * messages.MESSAGES_PER_GUEST
    folder = tempfile.mkdtemp(prefix="convene-callgrind-")
    try:
        Path(f"{folder}/echo").mkdir()
        Path(f"{folder}/convene").mkdir()
        echo = await echo_instructions(f"{folder}/echo")
        convene, received = await convene_instructions(f"{folder}/convene")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "benchmark": "messages_instructions",
        "messages": total,
        "inbox_received": received,
        "convene_instructions_per_message": round(convene / total),
        "echo_instructions_per_message": round(echo / total),
        "echo_vs_convene": round(echo / convene, 3),
        "counted": "the serving thread under callgrind, after the warm-up; system calls not counted",
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
