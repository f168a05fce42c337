"""The real server as a subprocess on loopback: for crash tests and benchmarks."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

CONVENE = str(Path(sys.executable).parent / "convene")
ROOT = str(
    Path(__file__).resolve().parents[2]
)  # this checkout's code, even when the venv was installed from another


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(
        self, env: dict[str, str] | None = None, folder: str | None = None, serve_args: tuple[str, ...] = ()
    ) -> None:
        self.folder = folder or tempfile.mkdtemp(prefix="convene-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = f"{self.folder}/convene.db"
        self.env = {
            **os.environ,
            "CONVENE_DATABASE_URL": f"sqlite+aiosqlite:///{self.db_path}",
            "CONVENE_DATA_DIR": self.folder,
            "CONVENE_PORT": str(self.port),
            "CONVENE_LOG_LEVEL": "WARNING",
            "CONVENE_INBOUND_SMTP_PORT": "0",
            "PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p),
            **(env or {}),
        }
        self.serve_args = serve_args  # e.g. ("--workers", "2")
        self.process: subprocess.Popen[bytes] | None = None

    def prepare(self) -> None:
        for command in (["migrate"], ["demo"]):
            subprocess.run([CONVENE, *command], env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [CONVENE, "serve", *self.serve_args], env=self.env, stdout=subprocess.DEVNULL
        )

    async def ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}")
                try:
                    async with http.get(self.url + "/healthz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)  # polling a readiness probe, not waiting for work
        raise RuntimeError("server did not become ready")

    def agent_token(self, email: str) -> str:
        out = subprocess.run(
            [CONVENE, "agent", "token", email], env=self.env, check=True, capture_output=True
        )
        return out.stdout.decode().strip()

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush; what was committed must survive, what wasn't must not half-exist."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
