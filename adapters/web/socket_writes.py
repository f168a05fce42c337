"""A WebSocket's frames of one turn of the event loop, sent in one write.

Under load a socket gets several frames in the same turn: a guest's acks for the messages that one
commit made durable, an agent's inbox the pushes of a whole batch. aiohttp hands each frame to the
transport, and the transport makes a system call for each (issue 17: two a message). ``coalesce`` puts
a buffer in front of a socket's transport: the frames of a turn are joined and written once, at the end
of the turn, in the order they were sent.

The close frame goes out at once, with everything before it: aiohttp may close the transport as soon as
it is written, and nothing sent before it may be lost. A transport that is closing takes nothing more
(aiohttp checks ``is_closing`` before each frame, as before).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web


class CoalescingTransport:
    """What aiohttp's WebSocket writer sees as its transport: ``write`` buffers until the turn ends."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self.writes = 0  # writes handed on to the transport (tests count them)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, chunks: list[bytes]) -> None:  # behind the buffer too, or it would jump the queue
        for data in chunks:
            self.write(data)

    def flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending = []
        if not self.transport.is_closing():
            self.transport.write(data)
            self.writes += 1

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, close, abort: as the transport has them
        return getattr(self.transport, name)


def coalesce(ws: web.WebSocketResponse) -> CoalescingTransport | None:
    """Puts the buffer in front of a prepared socket's transport. aiohttp's writer keeps it as
    ``transport``; with a writer that does not, the frames go one by one, as before (None)."""
    writer: Any = getattr(ws, "_writer", None)
    transport = getattr(writer, "transport", None)
    if transport is None or isinstance(transport, CoalescingTransport):
        return None
    buffered = writer.transport = CoalescingTransport(transport, asyncio.get_running_loop())
    close = writer.close

    async def close_now(code: int = 1000, message: bytes | str = b"") -> None:
        try:
            await close(code, message)
        finally:
            buffered.flush()  # before aiohttp closes the transport

    writer.close = close_now
    return buffered
