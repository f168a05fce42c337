"""Abuse limits over the real app (aiohttp test client, real WebSockets), on SQLite, with a driven clock:
sign-in mails and requests, guest sessions, guest messages over REST and WebSocket, flooding sockets."""

from __future__ import annotations

import email
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from adapters.web.limits import LIMITS
from bot.bootstrap import bootstrap
from bot.cli import demo

Serve = Callable[..., Awaitable[TestClient]]
PATIENCE = 10  # real seconds before a silent socket fails the test; under the server heartbeat (20 s),
# whose pings would otherwise restart every wait


@pytest.fixture
async def serve(sqlite_url: str, make_settings: Any, clock: Any) -> AsyncIterator[Serve]:
    """The app with the demo data, settings overridden per test; every limit at its default otherwise."""
    started: list[tuple[TestClient, Any]] = []

    async def start(**overrides: Any) -> TestClient:
        runtime = bootstrap(make_settings(sqlite_url, run_workers=False, **overrides), clock=clock)
        await demo(runtime)
        client = TestClient(TestServer(make_app(runtime, manage_workers=False)))
        await client.start_server()
        client.runtime = runtime  # type: ignore[attr-defined]
        started.append((client, runtime))
        return client

    yield start
    for client, runtime in started:
        await client.close()
        await runtime.storage.dispose()


async def login(client: TestClient, address: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    r = await client.post("/api/agent/login", json={"email": address}, headers=headers)
    return (
        r.status,
        await r.text(),
        {k: v for k, v in r.headers.items() if k not in {"Date", "Content-Length"}},
    )


async def mails_to(client: TestClient, address: str) -> int:
    """Issue what was answered, deliver the outbox, count the sign-in mails in the folder."""
    await client.app[LIMITS].settle()
    runtime = client.runtime  # type: ignore[attr-defined]
    while await runtime.dispatcher.dispatch_once():
        pass
    folder = Path(runtime.settings.data_dir) / "outbox"
    found = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in folder.glob("*.eml")]
    return sum(1 for m in found if address in str(m["To"]))


async def session(client: TestClient, name: str = "Ann", **headers: str) -> Any:
    return await client.post("/api/guest/sessions", json={"name": name}, headers=headers)


async def guest(client: TestClient, name: str = "Ann") -> str:
    r = await session(client, name)
    assert r.status == 201, await r.text()
    return str((await r.json())["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_rate_limited(status: int, body: dict[str, Any], headers: Any, retry_after: int) -> None:
    assert (status, body["code"], body["retry_after"]) == (429, "rate_limited", retry_after)
    assert headers["Retry-After"] == str(retry_after)


# -- sign-in -------------------------------------------------------------------------------------------


async def test_the_sixth_sign_in_mail_to_an_address_is_not_sent_yet_answered_identically(
    serve: Serve, clock: Any
) -> None:
    client = await serve()
    demo_mail = await mails_to(client, "alice@example.com")  # the demo data signs everyone in once
    first = await login(client, "alice@example.com")
    assert first[:2] == (202, '{"status": "sent"}')
    for _ in range(4):
        assert await login(client, "alice@example.com") == first
    assert await mails_to(client, "alice@example.com") == demo_mail + 5

    assert await login(client, "alice@example.com") == first  # the sixth: same status, body, headers
    assert await login(client, "Alice@Example.com ") == first  # the same address, spelled otherwise
    for _ in range(7):  # an address no agent has answers the same, before and past its limit
        assert await login(client, "nobody@example.com") == first
    assert await mails_to(client, "alice@example.com") == demo_mail + 5
    assert await mails_to(client, "nobody@example.com") == 0

    clock.advance(minutes=15)  # the address's window has closed
    assert await login(client, "alice@example.com") == first
    assert await mails_to(client, "alice@example.com") == demo_mail + 6


async def test_the_twenty_first_sign_in_request_from_one_ip_is_refused_until_the_minute_ends(
    serve: Serve, clock: Any
) -> None:
    client = await serve()
    demo_mail = await mails_to(client, "alice@example.com")
    for i in range(20):
        assert (await login(client, f"someone{i}@example.org"))[0] == 202
    r = await client.post("/api/agent/login", json={"email": "alice@example.com"})
    assert_rate_limited(r.status, await r.json(), r.headers, 60)
    clock.advance(seconds=45)
    r = await client.post("/api/agent/login", json={"email": "alice@example.com"})
    assert_rate_limited(r.status, await r.json(), r.headers, 15)
    clock.advance(seconds=15)
    assert (await login(client, "alice@example.com"))[0] == 202
    assert await mails_to(client, "alice@example.com") == demo_mail + 1  # refused requests sent nothing


# -- guest sessions and the client IP ---------------------------------------------------------------------


async def test_the_twenty_first_guest_session_from_one_ip_is_refused_until_the_minute_ends(
    serve: Serve, clock: Any
) -> None:
    client = await serve()
    for i in range(20):
        assert (await session(client, f"Guest {i}")).status == 201
    r = await session(client)
    assert_rate_limited(r.status, await r.json(), r.headers, 60)
    clock.advance(seconds=60)
    assert (await session(client)).status == 201


async def test_forwarded_addresses_count_only_when_a_trusted_proxy_sends_them(serve: Serve) -> None:
    direct = await serve()
    for i in range(20):  # a client cannot pick a fresh address per request by claiming one
        assert (await session(direct, **{"X-Forwarded-For": f"198.51.100.{i}"})).status == 201
    assert (await session(direct, **{"X-Forwarded-For": "198.51.100.99"})).status == 429

    proxied = await serve(trusted_proxies=("127.0.0.1", "10.0.0.0/8"))
    behind = {"X-Forwarded-For": "203.0.113.7, 10.1.2.3"}  # client, then an inner proxy
    for _ in range(20):
        assert (await session(proxied, **behind)).status == 201
    assert (await session(proxied, **behind)).status == 429
    assert (await session(proxied, **{"X-Forwarded-For": "203.0.113.8"})).status == 201
    # A client that forges the left part is still known by what the proxy saw: the rightmost address.
    forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert (await session(proxied, **forged)).status == 429


# -- guest messages -----------------------------------------------------------------------------------------


async def connect(client: TestClient, token: str) -> Any:
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_str(json.dumps({"token": token}))
    assert (await ws.receive_json())["type"] == "hello"
    return ws


async def ws_send(ws: Any, client_id: str, conversation_id: str) -> dict[str, Any]:
    await ws.send_json(
        {"type": "send", "conversation_id": conversation_id, "text": "hi", "client_id": client_id}
    )
    while True:  # skip the live copies of our own messages
        frame = await ws.receive_json(timeout=PATIENCE)
        if frame["type"] in {"ack", "error"}:
            return dict(frame)


async def test_the_eleventh_message_in_a_second_is_refused_over_rest_and_websocket_alike(
    serve: Serve, clock: Any
) -> None:
    client = await serve()
    ann = bearer(await guest(client, "Ann"))
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "1"}, headers=ann)
    cid = (await r.json())["conversation"]["id"]
    path = f"/api/guest/conversations/{cid}/messages"
    for i in range(2, 6):  # messages 2 to 5 over REST
        assert (await client.post(path, json={"text": str(i)}, headers=ann)).status == 201
    ws = await connect(client, ann["Authorization"][7:])
    for i in range(6, 11):  # 6 to 10 over the socket: the same counter
        assert (await ws_send(ws, f"m{i}", cid))["type"] == "ack"

    refused = await ws_send(ws, "m11", cid)
    assert (refused["type"], refused["code"], refused["client_id"], refused["retry_after"]) == (
        "error",
        "rate_limited",
        "m11",
        1,
    )
    r = await client.post(path, json={"text": "11"}, headers=ann)
    assert_rate_limited(r.status, await r.json(), r.headers, 1)
    ben = bearer(await guest(client, "Ben"))  # another guest is not counted with Ann
    assert (
        await client.post("/api/guest/conversations", json={"service": "sales", "text": "hi"}, headers=ben)
    ).status == 201

    clock.advance(seconds=1)
    assert (await client.post(path, json={"text": "11"}, headers=ann)).status == 201
    assert (await ws_send(ws, "m12", cid))["type"] == "ack"
    await ws.close()
    r = await client.get(path, headers=ann)
    guest_texts = [m["text"] for m in (await r.json())["messages"] if m["author"]["kind"] == "guest"]
    assert len(guest_texts) == 12  # nothing refused was stored


async def test_a_guest_sends_at_most_the_hourly_number_of_messages(serve: Serve, clock: Any) -> None:
    client = await serve(guest_messages_per_second=10, guest_messages_per_hour=15)
    ann = bearer(await guest(client))
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "0"}, headers=ann)
    path = f"/api/guest/conversations/{(await r.json())['conversation']['id']}/messages"
    for i in range(1, 15):
        clock.advance(seconds=1)
        assert (await client.post(path, json={"text": str(i)}, headers=ann)).status == 201
    clock.advance(seconds=1)
    r = await client.post(path, json={"text": "15"}, headers=ann)
    assert_rate_limited(r.status, await r.json(), r.headers, 3600 - 15)
    clock.advance(seconds=3600 - 15)
    assert (await client.post(path, json={"text": "15"}, headers=ann)).status == 201


async def test_a_guest_attaches_at_most_the_hourly_number_of_files(serve: Serve, clock: Any) -> None:
    from tests.integration.test_avatars import PNG

    client = await serve(guest_uploads_per_hour=2)
    ann = bearer(await guest(client))
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "0"}, headers=ann)
    path = f"/api/guest/conversations/{(await r.json())['conversation']['id']}/files?name=a.png"
    for _ in range(2):
        clock.advance(seconds=1)
        assert (await client.post(path, data=PNG, headers=ann)).status == 201
    r = await client.post(path, data=PNG, headers=ann)
    assert_rate_limited(r.status, await r.json(), r.headers, 3600 - 1)  # the first file's hour


# -- flooding sockets ------------------------------------------------------------------------------------------


async def test_a_flooding_socket_gets_one_error_frame_then_is_closed_while_another_guest_keeps_talking(
    serve: Serve,
) -> None:
    client = await serve()
    ben = bearer(await guest(client, "Ben"))
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "hi"}, headers=ben)
    bens_conversation = (await r.json())["conversation"]["id"]
    calm = await connect(client, ben["Authorization"][7:])
    flood = await connect(client, await guest(client, "Mallory"))

    for _ in range(20 + 200):  # the limit, then as many dropped frames as close a socket
        await flood.send_str(json.dumps({"type": "ping"}))
    received: list[Any] = []
    while (frame := await flood.receive(timeout=PATIENCE)).type == WSMsgType.TEXT:
        received.append(json.loads(frame.data))
    assert [f["type"] for f in received] == ["pong"] * 20 + ["error"]
    assert (received[-1]["code"], received[-1]["retry_after"]) == ("rate_limited", 1)
    assert frame.type == WSMsgType.CLOSE and flood.close_code == 4429

    assert (await ws_send(calm, "b1", bens_conversation))["type"] == "ack"
    await calm.send_str(json.dumps({"type": "ping"}))
    assert (await calm.receive_json())["type"] == "pong"
    await calm.close()


async def test_a_socket_that_bursts_once_is_warned_but_stays_open(serve: Serve, clock: Any) -> None:
    client = await serve(ws_frames_per_second=5, ws_close_after_dropped_frames=10)
    ws = await connect(client, await guest(client))
    for _ in range(8):  # three over: dropped, one warning
        await ws.send_str(json.dumps({"type": "ping"}))
    frames = [await ws.receive_json(timeout=PATIENCE) for _ in range(6)]
    assert [f["type"] for f in frames] == ["pong"] * 5 + ["error"]
    clock.advance(seconds=1)
    await ws.send_str(json.dumps({"type": "ping"}))
    assert (await ws.receive_json(timeout=PATIENCE))[
        "type"
    ] == "pong"  # the dropped ones were not answered late
    assert not ws.closed
    await ws.close()
