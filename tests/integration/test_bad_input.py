"""Issue 16, one case at a time: each bad input answers 400 (or 404/422) with a ``code`` and a
``field``, on SQLite and PostgreSQL, and writes nothing. The walk over every route is
test_bad_input_corpus.py; these say what each answer is."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from tests.integration.meetings_support import agent, book, guest

NOW = datetime(2026, 10, 19, 6, 0, tzinfo=UTC)


@pytest.fixture
async def client(seeded: Any, clock: Any) -> AsyncIterator[Any]:
    clock.set(NOW)
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status == status, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def started(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.post("/api/guest/conversations", json={"agent": "alice", "text": "Hi"}, headers=headers)
    assert r.status == 201, await r.text()
    return dict(await r.json())


# Time zones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe", "America", "Z" * 65, "Europe/../Europe/Berlin"])
async def test_a_guest_cannot_register_with_a_zone_that_is_a_directory_or_too_long(
    client: Any, zone: str
) -> None:
    r = await client.post("/api/guest/sessions", json={"name": "Ann", "timezone": zone})
    body = await refused(r)
    assert (body["code"], body["field"]) == ("invalid_timezone", "timezone")


async def test_an_agent_cannot_save_a_zone_that_is_a_directory(client: Any) -> None:
    alice = await agent(client.runtime, "alice")
    r = await client.put("/api/agent/settings", json={"timezone": "Europe"}, headers=alice)
    body = await refused(r)
    assert (body["code"], body["field"]) == ("invalid_settings", "timezone")


@pytest.mark.parametrize("zone", ["Europe", "A" * 65])
async def test_slots_refuse_a_zone_that_is_a_directory_or_too_long(client: Any, zone: str) -> None:
    body = await refused(await client.get("/api/agents/alice/slots", params={"tz": zone}))
    assert (body["code"], body["field"]) == ("invalid_timezone", "tz")


async def test_a_booking_refuses_a_guest_zone_that_is_a_directory(client: Any) -> None:
    ann = await guest(client)
    body = await refused(await book(client, ann, "2026-10-26T08:00:00Z", timezone="Europe"))
    assert (body["code"], body["field"]) == ("invalid_timezone", "timezone")


# Dates and numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, day", [("start", "0001-01-01"), ("start", "9999-12-31"), ("end", "0001-01-01")]
)
async def test_slots_refuse_dates_near_year_1_or_9999(client: Any, name: str, day: str) -> None:
    body = await refused(await client.get("/api/agents/alice/slots", params={name: day}))
    assert (body["code"], body["field"]) == ("invalid_date", name)


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
async def test_a_booking_or_a_move_refuses_a_start_near_year_1_or_9999(client: Any, start: str) -> None:
    ann = await guest(client)
    body = await refused(await book(client, ann, start))
    assert (body["code"], body["field"]) == ("invalid_start", "start")
    booked = await book(client, ann, "2026-10-26T08:00:00Z")
    meeting = (await booked.json())["meeting"]["id"]
    body = await refused(
        await client.patch(f"/api/guest/meetings/{meeting}", json={"start": start}, headers=ann)
    )
    assert (body["code"], body["field"]) == ("invalid_start", "start")


@pytest.mark.parametrize("after", [str(2**31), str(2**63), "-1"])
async def test_after_past_2_to_the_31_or_negative_is_refused(client: Any, after: str) -> None:
    ann = await guest(client)
    conversation = (await started(client, ann))["conversation"]["id"]
    r = await client.get(
        f"/api/guest/conversations/{conversation}/messages", params={"after": after}, headers=ann
    )
    body = await refused(r)
    assert (body["code"], body["field"]) == ("invalid_field", "after")


@pytest.mark.parametrize("seq", [2**31, 2**63, -1])
async def test_a_read_marker_past_2_to_the_31_or_negative_is_refused(client: Any, seq: int) -> None:
    ann = await guest(client)
    conversation = (await started(client, ann))["conversation"]["id"]
    r = await client.post(f"/api/guest/conversations/{conversation}/read", json={"seq": seq}, headers=ann)
    body = await refused(r)
    assert (body["code"], body["field"]) == ("invalid_field", "seq")


# Characters no column holds, and JSON too deep ----------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b'{"name": "\\ud800"}', b'{"name": "A\\u0000nn"}', b'{"name": "Ann", "x": ["\\udfff"]}']
)
async def test_a_json_body_with_a_lone_surrogate_or_nul_is_refused_before_any_handler(
    client: Any, raw: bytes
) -> None:
    r = await client.post("/api/guest/sessions", data=raw, headers={"Content-Type": "application/json"})
    body = await refused(r)
    assert body["code"] == "invalid_text" and body["field"] in {"name", "x"}


async def test_a_query_string_with_a_nul_is_refused(client: Any) -> None:
    body = await refused(await client.get("/api/agents/alice/slots?tz=Europe/Berlin%00"))
    assert (body["code"], body["field"]) == ("invalid_text", "tz")


async def test_json_nested_deeper_than_32_levels_is_refused(client: Any) -> None:
    raw = '{"name": "Ann", "deep": ' + "[" * 40 + "]" * 40 + "}"
    r = await client.post("/api/guest/sessions", data=raw, headers={"Content-Type": "application/json"})
    body = await refused(r)
    assert (body["code"], body["field"]) == ("too_deep", "deep")


async def test_json_nested_a_hundred_thousand_levels_is_refused_too(client: Any) -> None:
    raw = "[" * 100_000 + "]" * 100_000
    r = await client.post("/api/guest/sessions", data=raw, headers={"Content-Type": "application/json"})
    assert (await refused(r))["code"] == "too_deep"


# Signed links -------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["%C3%A9t%C3%A9", "%E2%80%AE" * 10, "x" * 40])
async def test_a_calendar_feed_with_a_non_ascii_or_wrong_signature_is_not_found(
    client: Any, token: str
) -> None:
    r = await client.get(f"/calendar/alice/{token}.ics")
    assert r.status == 404


@pytest.mark.parametrize(
    "path", ["/calendar/alice%00/x.ics", "/calendar/alice/%00.ics", "/calendar/google/callback?state=%00"]
)
async def test_a_nul_in_a_page_path_or_query_is_refused_not_a_500(client: Any, path: str) -> None:
    r = await client.get(path)
    assert r.status == 400, await r.text()


@pytest.mark.parametrize("link", ["eyJhIjoiYWxpY2UifQ.%C3%A9%C3%A9", "%C3%A9.%C3%A9", "."])
async def test_a_calendar_connect_link_with_a_non_ascii_signature_is_refused_not_a_500(
    client: Any, link: str
) -> None:
    r = await client.get(f"/calendar/google/connect?link={link}")
    assert 400 <= r.status < 500, await r.text()


# WebSocket frames ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value", [("service", 5), ("agent", ["alice"]), ("text", {"a": 1}), ("client_id", 7)]
)
async def test_a_socket_frame_with_a_field_of_the_wrong_type_gets_an_error_frame_and_stays_open(
    client: Any, name: str, value: Any
) -> None:
    r = await client.post("/api/guest/sessions", json={"name": "Ann"})
    token = (await r.json())["token"]
    async with client.ws_connect("/api/guest/ws") as ws:
        await ws.send_json({"token": token})
        assert (await ws.receive_json())["type"] == "hello"
        frame = {"type": "send", "agent": "alice", "text": "Hi", "client_id": "c1", name: value}
        await ws.send_json(frame)
        error = await ws.receive_json()
        assert (error["type"], error["code"], error["field"]) == ("error", "invalid_field", name)
        await ws.send_json({"type": "ping"})
        assert (await ws.receive_json())["type"] == "pong"


@pytest.mark.parametrize("text", ["\ud800", "a\x00b"])
async def test_a_socket_frame_with_a_lone_surrogate_or_nul_gets_an_error_frame(
    client: Any, text: str
) -> None:
    r = await client.post("/api/guest/sessions", json={"name": "Ann"})
    token = (await r.json())["token"]
    async with client.ws_connect("/api/guest/ws") as ws:
        await ws.send_json({"token": token})
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_str(json.dumps({"type": "send", "agent": "alice", "text": text, "client_id": "c1"}))
        error = await ws.receive_json()
        assert (error["type"], error["code"], error["field"]) == ("error", "invalid_text", "text")
        await ws.send_json({"type": "ping"})
        assert (await ws.receive_json())["type"] == "pong"


# client_id, names, Idempotency-Key ----------------------------------------------------------------


async def test_a_client_id_longer_than_100_characters_is_refused_and_no_message_is_stored(
    client: Any,
) -> None:
    ann = await guest(client)
    conversation = (await started(client, ann))["conversation"]["id"]
    url = f"/api/guest/conversations/{conversation}/messages"
    body = await refused(await client.post(url, json={"text": "Hi", "client_id": "c" * 101}, headers=ann))
    assert (body["code"], body["field"]) == ("invalid_client_id", "client_id")
    r = await client.post(url, json={"text": "Hi", "client_id": "c" * 100}, headers=ann)
    assert r.status == 201
    messages = (await (await client.get(url, headers=ann)).json())["messages"]
    assert [m["text"] for m in messages if m["author"]["kind"] == "guest"] == ["Hi", "Hi"]


@pytest.mark.parametrize(
    "name, code",
    [
        ("n" * 101, "name_too_long"),
        ("Ann\x07", "invalid_name"),
        ("Ann\u202eevil", "invalid_name"),
        ("\u2066Ann\u2069", "invalid_name"),
        ("\u200b\u200b", "empty_name"),
        ("\u200b \ufeff \u2060", "empty_name"),
    ],
)
async def test_a_guest_name_that_is_long_hidden_or_reordering_is_refused(
    client: Any, name: str, code: str
) -> None:
    body = await refused(await client.post("/api/guest/sessions", json={"name": name}))
    assert (body["code"], body["field"]) == (code, "name")


async def test_a_member_added_with_a_bidirectional_override_in_the_name_is_refused(client: Any) -> None:
    ann = await guest(client)
    conversation = (await started(client, ann))["conversation"]["id"]
    alice = await agent(client.runtime, "alice")
    r = await client.post(
        f"/api/agent/conversations/{conversation}/members",
        json={"email": "ben@example.org", "name": "Ben\u202egnp.exe"},
        headers=alice,
    )
    body = await refused(r)
    assert (body["code"], body["field"]) == ("invalid_name", "name")


async def test_an_idempotency_key_reused_with_another_body_is_refused_and_the_same_body_repeats(
    client: Any,
) -> None:
    ann = await guest(client)
    key = {**ann, "Idempotency-Key": "k-1"}
    first = await book(client, key, "2026-10-26T08:00:00Z")
    assert first.status == 201, await first.text()
    again = await book(client, key, "2026-10-26T08:00:00Z")
    assert again.status == 200
    assert (await again.json())["meeting"]["id"] == (await first.json())["meeting"]["id"]
    other = await book(client, key, "2026-10-27T08:00:00Z")
    assert (await refused(other, 422))["code"] == "idempotency_key_reused"
    listed = (await (await client.get("/api/guest/meetings", headers=ann)).json())["meetings"]
    assert len(listed) == 1


async def test_a_guest_whose_zone_was_stored_before_zones_were_checked_can_still_book(client: Any) -> None:
    import sqlalchemy as sa

    r = await client.post("/api/guest/sessions", json={"name": "Ann", "email": "ann@example.org"})
    session = await r.json()
    ann = {"Authorization": f"Bearer {session['token']}"}
    async with client.runtime.storage.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE guests SET timezone = 'Europe' WHERE id = :id"), {"id": session["guest_id"]}
        )
    r = await book(client, ann, "2026-10-26T08:00:00Z")
    assert r.status == 201, await r.text()
    assert (await r.json())["meeting"]["guest_timezone"] is None
