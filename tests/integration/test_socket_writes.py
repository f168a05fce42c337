"""A WebSocket's frames of one turn of the loop go out in one write (adapters/web/socket_writes.py), over
a real socket: in order, every one, compressed or not, and none lost to a close that follows at once."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.web.socket_writes import CoalescingTransport, coalesce


async def serve(script: Any) -> tuple[TestServer, list[CoalescingTransport | None]]:
    buffers: list[CoalescingTransport | None] = []

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        buffers.append(coalesce(ws))
        await script(ws)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    server = TestServer(app)
    await server.start_server()
    return server, buffers


async def frames(server: TestServer, *, compress: int = 0) -> list[str]:
    received = []
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(server.make_url("/ws"), compress=compress) as socket,
    ):
        async for frame in socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            received.append(frame.data)
    return received


@pytest.mark.parametrize("compress", [0, 15], ids=["plain", "permessage-deflate"])
async def test_the_frames_of_one_turn_arrive_in_order_from_one_write(compress: int) -> None:
    async def script(ws: web.WebSocketResponse) -> None:
        for i in range(50):  # no await yields here: one turn of the loop
            await ws.send_str(f'{{"n": {i}}}')
        await asyncio.sleep(0)  # the turn ends: the buffer is written
        writes = buffers[0].writes if buffers[0] else -1
        await ws.send_str(f'{{"writes": {writes}}}')
        await ws.close()

    server, buffers = await serve(script)
    try:
        received = await frames(server, compress=compress)
    finally:
        await server.close()
    assert received[:50] == [f'{{"n": {i}}}' for i in range(50)]
    assert received[50] == '{"writes": 1}'  # fifty frames, one write


async def test_frames_sent_just_before_a_close_all_arrive_before_it() -> None:
    async def script(ws: web.WebSocketResponse) -> None:
        for i in range(20):
            await ws.send_str(str(i))
        await ws.close(code=4000, message=b"bye")  # aiohttp may close the transport at once after this

    server, _ = await serve(script)
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(server.make_url("/ws")) as socket:
            received = [(await socket.receive()).data for _ in range(20)]
            closing = await socket.receive()
    finally:
        await server.close()
    assert received == [str(i) for i in range(20)]
    assert (closing.type, closing.data, closing.extra) == (aiohttp.WSMsgType.CLOSE, 4000, "bye")


async def test_a_transport_that_is_closing_takes_nothing_more() -> None:
    class Transport:
        closing = False
        written: list[bytes] = []

        def is_closing(self) -> bool:
            return self.closing

        def write(self, data: bytes) -> None:
            self.written.append(data)

    transport = Transport()
    buffered = CoalescingTransport(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    buffered.write(b"one")
    buffered.write(b"two")
    transport.closing = True  # the peer went away before the turn ended
    assert buffered.is_closing()  # aiohttp asks before each frame and raises ConnectionResetError
    await asyncio.sleep(0)
    assert (transport.written, buffered.writes) == ([], 0)


async def test_writelines_waits_behind_what_write_buffered_and_goes_in_the_same_write() -> None:
    class Transport:
        written: list[bytes] = []

        def is_closing(self) -> bool:
            return False

        def write(self, data: bytes) -> None:
            self.written.append(data)

    transport = Transport()
    buffered = CoalescingTransport(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    buffered.write(b"one ")
    buffered.writelines([b"two ", b"three"])  # a writer that used writelines must not jump ahead
    assert transport.written == []
    await asyncio.sleep(0)
    assert (transport.written, buffered.writes) == ([b"one two three"], 1)
