"""Notification preferences and where a guest came from, over HTTP, on SQLite and PostgreSQL:
GET/PUT /api/agent/preferences (a partial change keeps the rest; bad input is a 400 naming the field
and changes nothing), and the origin a conversation records (the widget's page, truncated and without
its fragment; a personal link; an invitation) as the contact panel's API shows it."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken
from bot.origin import MAX_URL
from bot.preferences import DEFAULTS


@pytest.fixture
async def client(seeded: Any) -> Any:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def agent(client: Any, slug: str) -> dict[str, str]:
    token = await client.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def test_preferences_start_at_the_defaults_and_a_partial_change_keeps_the_rest(client: Any) -> None:
    alice = await agent(client, "alice")
    r = await client.get("/api/agent/preferences", headers=alice)
    assert r.status == 200 and (await r.json())["preferences"] == DEFAULTS
    r = await client.put(
        "/api/agent/preferences",
        json={"preferences": {"slack": {"mention": True}, "unread_email": False}},
        headers=alice,
    )
    assert r.status == 200, await r.text()
    saved = (await r.json())["preferences"]
    assert saved["slack"] == {
        "mention": True,
        "new_conversation": False,
        "guest_message": False,
        "snooze_ended": True,  # on until turned off: a snooze asks to be told
    }
    assert saved["teams"] == DEFAULTS["teams"] and saved["unread_email"] is False
    r = await client.put("/api/agent/preferences", json={"teams": {"guest_message": True}}, headers=alice)
    again = (await (await client.get("/api/agent/preferences", headers=alice)).json())["preferences"]
    assert again["slack"]["mention"] is True and again["teams"]["guest_message"] is True
    bob = await (await client.get("/api/agent/preferences", headers=await agent(client, "bob"))).json()
    assert bob["preferences"] == DEFAULTS  # one agent's choice is theirs alone


@pytest.mark.parametrize(
    "body, field",
    [
        ({"preferences": {"slack": {"mention": "yes"}}}, "slack.mention"),
        ({"preferences": {"slack": {"shouting": True}}}, "slack.shouting"),
        ({"preferences": {"pager": {"mention": True}}}, "pager"),
        ({"preferences": {"slack": True}}, "slack"),
        ({"preferences": {"unread_email": 0}}, "unread_email"),
        ({"preferences": ["slack"]}, "preferences"),
    ],
)
async def test_bad_preferences_are_refused_naming_the_field_and_change_nothing(
    client: Any, body: dict[str, Any], field: str
) -> None:
    alice = await agent(client, "alice")
    before = await (await client.get("/api/agent/preferences", headers=alice)).json()
    # A good key first: the refusal of the bad one must not leave it half-written.
    if isinstance(body["preferences"], dict):
        body = {"preferences": {"unread_email": False, **body["preferences"]}}
    r = await client.put("/api/agent/preferences", json=body, headers=alice)
    assert r.status == 400
    error = await r.json()
    assert error["code"] == "invalid_preferences" and error["field"] == field
    assert await (await client.get("/api/agent/preferences", headers=alice)).json() == before


async def test_preferences_need_a_signed_in_agent(client: Any) -> None:
    assert (await client.get("/api/agent/preferences")).status == 401
    assert (await client.put("/api/agent/preferences", json={"unread_email": False})).status == 401


async def origin_seen(client: Any, conversation: str) -> dict[str, Any]:
    alice = await agent(client, "alice")
    view = await (await client.get(f"/api/agent/conversations/{conversation}", headers=alice)).json()
    contact = await (await client.get(f"/api/agent/contacts/{view['guest_id']}", headers=alice)).json()
    [found] = [c for c in contact["conversations"] if c["id"] == conversation]
    return found


async def test_the_widget_page_a_guest_came_from_is_recorded_without_its_fragment_and_cut_to_size(
    client: Any,
) -> None:
    page = "https://shop.example.com/anvils?colour=red#reviews"
    r = await client.post("/api/guest/sessions", json={"name": "Ann", "page_url": page})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await client.post(
        "/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=headers
    )
    assert r.status == 201
    found = await origin_seen(client, (await r.json())["conversation"]["id"])
    assert found["origin"] == "widget" and found["origin_url"] == "https://shop.example.com/anvils?colour=red"

    long = "https://shop.example.com/" + "a" * 3000
    r = await client.post(
        "/api/guest/conversations", json={"agent": "alice", "text": "Hi", "page_url": long}, headers=headers
    )
    found = await origin_seen(client, (await r.json())["conversation"]["id"])
    assert found["origin"] == "personal_link" and found["origin_url"] == long[:MAX_URL]


async def test_a_page_that_is_no_web_page_is_not_recorded_and_a_page_url_that_is_no_text_is_refused(
    client: Any,
) -> None:
    r = await client.post("/api/guest/sessions", json={"name": "Ben", "page_url": "javascript:alert(1)"})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await client.post(
        "/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=headers
    )
    found = await origin_seen(client, (await r.json())["conversation"]["id"])
    assert found["origin"] == "widget" and found["origin_url"] is None

    r = await client.post("/api/guest/sessions", json={"name": "Cleo", "page_url": {"href": "x"}})
    assert r.status == 400 and (await r.json())["field"] == "page_url"
    r = await client.post(
        "/api/guest/conversations", json={"service": "support", "text": "Hi", "page_url": 42}, headers=headers
    )
    assert r.status == 400 and (await r.json())["code"] == "invalid_page_url"
    r = await client.get("/api/guest/conversations", headers=headers)
    assert [c["service"] for c in (await r.json())["conversations"]] == ["sales"]  # nothing half-made


@pytest.mark.parametrize("next_path", ["https://evil.example/inbox/c/1", "/inbox/../admin", 7])
async def test_a_sign_in_leads_only_into_the_inbox(client: Any, next_path: object) -> None:
    r = await client.post("/api/agent/login", json={"email": "alice@example.com", "next": next_path})
    assert r.status == 400
    assert (await r.json())["code"] == "invalid_next" and (await r.json())["field"] == "next"
