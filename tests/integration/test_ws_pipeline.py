"""A socket's messages are pipelined (read while earlier ones wait for their commit) and share a batch,
yet keep the order they were sent in, each acknowledged once, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.test_audience import FRAME_TIMEOUT, call, client, deliver_everything, guest

__all__ = ["client"]  # the fixture, shared with test_audience
N = 8  # under a guest's limit of 10 messages a second, with the first one


async def test_messages_sent_without_waiting_keep_their_order_and_share_a_transaction(client: Any) -> None:
    ann = await guest(client)
    started = await call(client, "POST", "/api/guest/conversations", ann, {"service": "sales", "text": "Hi"})
    cid = started["conversation"]["id"]
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_str(json.dumps({"token": ann["Authorization"][7:]}))
    assert (await ws.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"
    batches = client.runtime.batcher.batches

    for i in range(N):
        await ws.send_str(
            json.dumps({"type": "send", "conversation_id": cid, "text": f"n{i}", "client_id": f"c{i}"})
        )
    acks: dict[str, Any] = {}
    while len(acks) < N:
        frame = await ws.receive_json(timeout=FRAME_TIMEOUT)
        if frame["type"] == "ack":
            assert frame["client_id"] not in acks
            acks[frame["client_id"]] = frame["message"]
    await ws.close()

    seqs = [acks[f"c{i}"]["seq"] for i in range(N)]
    assert seqs == sorted(seqs) and len(set(seqs)) == N  # the order they were sent in
    assert [acks[f"c{i}"]["text"] for i in range(N)] == [f"n{i}" for i in range(N)]
    assert client.runtime.batcher.batches - batches < N  # some went together
    listed = await call(client, "GET", f"/api/guest/conversations/{cid}/messages", ann)
    texts = [m["text"] for m in (listed["messages"] if isinstance(listed, dict) else listed)]
    assert texts[-N:] == [f"n{i}" for i in range(N)]


async def test_messages_by_service_before_the_first_answer_open_one_conversation_in_the_order_sent(
    client: Any,
) -> None:
    # The widget sends by service until an answer names the conversation; a fast guest has several in
    # flight. The first opens the conversation; the others wait for it in the batcher and keep their order.
    ann = await guest(client)
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_str(json.dumps({"token": ann["Authorization"][7:]}))
    assert (await ws.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"
    for i in range(N):
        await ws.send_str(
            json.dumps({"type": "send", "service": "sales", "text": f"s{i}", "client_id": f"s{i}"})
        )
    acks: dict[str, Any] = {}
    while len(acks) < N:
        frame = await ws.receive_json(timeout=FRAME_TIMEOUT)
        assert frame["type"] != "error", frame
        if frame["type"] == "ack":
            acks[frame["client_id"]] = frame
    await ws.close()

    assert len({a["conversation_id"] for a in acks.values()}) == 1  # one conversation, not eight
    seqs = [acks[f"s{i}"]["message"]["seq"] for i in range(N)]
    assert seqs == sorted(seqs) and len(set(seqs)) == N
    listed = await call(client, "GET", "/api/guest/conversations", ann)
    conversations = listed["conversations"] if isinstance(listed, dict) else listed
    assert len(conversations) == 1


async def test_a_refused_first_message_by_service_gives_each_waiting_one_its_own_answer(client: Any) -> None:
    ann = await guest(client)
    ws = await client.ws_connect("/api/guest/ws")
    await ws.send_str(json.dumps({"token": ann["Authorization"][7:]}))
    assert (await ws.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"
    for i in range(3):
        await ws.send_str(
            json.dumps({"type": "send", "service": "nope", "text": f"x{i}", "client_id": f"x{i}"})
        )
    errors = {}
    while len(errors) < 3:
        frame = await ws.receive_json(timeout=FRAME_TIMEOUT)
        assert frame["type"] == "error", frame
        errors[frame["client_id"]] = frame["code"]
    await ws.close()
    assert errors == {"x0": "unknown_service", "x1": "unknown_service", "x2": "unknown_service"}


async def test_a_guest_s_message_is_pushed_to_their_other_tabs_but_not_back_to_the_socket_that_sent_it(
    client: Any,
) -> None:
    # The ack already carries the message; pushing it to the same socket again is one frame too many.
    ann = await guest(client)
    started = await call(client, "POST", "/api/guest/conversations", ann, {"service": "sales", "text": "Hi"})
    cid = started["conversation"]["id"]
    await deliver_everything(client)  # the start's own pushes, before the sockets open
    sockets = []
    for _ in range(2):
        ws = await client.ws_connect("/api/guest/ws")
        await ws.send_str(json.dumps({"token": ann["Authorization"][7:]}))
        assert (await ws.receive_json(timeout=FRAME_TIMEOUT))["type"] == "hello"
        sockets.append(ws)
    sender, other = sockets
    await sender.send_str(
        json.dumps({"type": "send", "conversation_id": cid, "text": "one", "client_id": "k1"})
    )
    ack = await sender.receive_json(timeout=FRAME_TIMEOUT)
    assert ack["type"] == "ack" and ack["client_id"] == "k1"
    await deliver_everything(client)
    pushed = await other.receive_json(timeout=FRAME_TIMEOUT)
    assert pushed["type"] == "message" and pushed["message"]["client_id"] == "k1"
    # The sender is told nothing more about k1: the next frame it gets is the answer to a ping.
    await sender.send_str(json.dumps({"type": "ping"}))
    assert (await sender.receive_json(timeout=FRAME_TIMEOUT))["type"] == "pong"
    for ws in sockets:
        await ws.close()
