"""Inbox search and saved replies over HTTP, on SQLite (FTS5) and PostgreSQL (tsvector, GIN).

An agent finds messages, notes, guest names and emails only in conversations they may see; guests have
no search at all; saved replies belong to an agent or to a service the agent is in."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def agent(client: Any, slug: str) -> dict[str, str]:
    token = await client.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def guest_writes(
    client: Any, name: str, email: str, service: str, text: str
) -> tuple[str, dict[str, str]]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": email})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await client.post(
        "/api/guest/conversations",
        json={"service": service, "text": text, "client_id": "c1"},
        headers=headers,
    )
    assert r.status == 201
    return (await r.json())["conversation"]["id"], headers


async def search(client: Any, headers: dict[str, str], q: str) -> list[dict[str, Any]]:
    r = await client.get("/api/agent/search", params={"q": q}, headers=headers)
    assert r.status == 200, await r.text()
    return (await r.json())["results"]


async def test_an_agent_finds_a_message_with_the_match_as_plain_segments(client: Any) -> None:
    conversation, _ = await guest_writes(
        client, "Ann", "ann@example.org", "sales", "My <b>invoice</b> is wrong"
    )
    found = await search(client, await agent(client, "alice"), "invoi")
    [hit] = [h for h in found if h["kind"] == "message"]
    assert hit["conversation_id"] == conversation
    assert hit["message_id"] and hit["seq"] == 2
    assert hit["segments"] == [
        {"text": "My <b>", "match": False},
        {"text": "invoice", "match": True},
        {"text": "</b> is wrong", "match": False},
    ]


async def test_an_agent_never_finds_conversations_of_services_they_are_not_in(client: Any) -> None:
    await guest_writes(client, "Ann", "ann@example.org", "sales", "refund please")
    await guest_writes(client, "Ben", "ben@example.org", "support", "refund too")
    carol = await search(client, await agent(client, "carol"), "refund")
    alice = await search(client, await agent(client, "alice"), "refund")
    assert [h["guest_name"] for h in carol] == ["Ben"]
    assert [h["guest_name"] for h in alice] == ["Ann"]


async def test_every_word_must_match_and_guests_are_found_by_name_and_email(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Zoe Quill", "zq@quillworks.example", "sales", "hello there")
    alice = await agent(client, "alice")
    assert [h["kind"] for h in await search(client, alice, "hello nothing")] == []
    by_email = await search(client, alice, "quillworks")
    assert [(h["kind"], h["conversation_id"]) for h in by_email] == [("guest", conversation)]
    assert {"text": "quillworks", "match": True} in by_email[0]["segments"]


async def test_internal_notes_are_found_by_agents_and_guests_have_no_search(client: Any) -> None:
    conversation, guest = await guest_writes(client, "Ann", "ann@example.org", "sales", "hi")
    alice = await agent(client, "alice")
    r = await client.post(
        f"/api/agent/conversations/{conversation}/messages",
        json={"text": "secret discount approved", "internal": True},
        headers=alice,
    )
    assert r.status == 201
    [hit] = await search(client, alice, "discount")
    assert hit["internal"] is True
    refused = await client.get("/api/agent/search", params={"q": "discount"}, headers=guest)
    assert refused.status == 401


async def test_an_empty_or_overlong_query_is_refused_with_its_field(client: Any) -> None:
    alice = await agent(client, "alice")
    for q in ("", "  !! ", "x" * 201):
        r = await client.get("/api/agent/search", params={"q": q}, headers=alice)
        assert r.status == 400
        body = await r.json()
        assert (body["code"], body["field"]) == ("invalid_query", "q")


async def test_saved_replies_belong_to_an_agent_or_a_service_they_are_in(client: Any) -> None:
    alice, bob, carol = [await agent(client, s) for s in ("alice", "bob", "carol")]
    own = await client.post(
        "/api/agent/saved-replies", json={"title": "Hi", "body": "Hi {guest_name}"}, headers=alice
    )
    assert own.status == 201
    shared = await client.post(
        "/api/agent/saved-replies",
        json={"title": "Prices", "body": "See our prices", "service": "sales"},
        headers=alice,
    )
    assert shared.status == 201
    foreign = await client.post(
        "/api/agent/saved-replies", json={"title": "X", "body": "Y", "service": "support"}, headers=alice
    )
    assert foreign.status == 400 and (await foreign.json())["field"] == "service"

    async def titles(headers: dict[str, str]) -> list[str]:
        r = await client.get("/api/agent/saved-replies", headers=headers)
        return [x["title"] for x in (await r.json())["saved_replies"]]

    assert await titles(alice) == ["Hi", "Prices"]
    assert await titles(bob) == ["Prices"]
    assert await titles(carol) == []

    own_id = (await own.json())["saved_reply"]["id"]
    assert (
        await client.put(f"/api/agent/saved-replies/{own_id}", json={"title": "A", "body": "B"}, headers=bob)
    ).status == 404
    assert (await client.delete(f"/api/agent/saved-replies/{own_id}", headers=carol)).status == 404
    changed = await client.put(
        f"/api/agent/saved-replies/{own_id}",
        json={"title": "Hello", "body": "Hello {guest_name}"},
        headers=alice,
    )
    assert (await changed.json())["saved_reply"]["body"] == "Hello {guest_name}"
    assert (await client.delete(f"/api/agent/saved-replies/{own_id}", headers=alice)).status == 200
    assert await titles(alice) == ["Prices"]


async def test_a_saved_reply_without_a_body_is_refused_and_nothing_is_written(client: Any) -> None:
    alice = await agent(client, "alice")
    r = await client.post("/api/agent/saved-replies", json={"title": "Hi", "body": "  "}, headers=alice)
    assert r.status == 400
    body = await r.json()
    assert (body["code"], body["field"]) == ("invalid_saved_reply", "body")
    assert (await (await client.get("/api/agent/saved-replies", headers=alice)).json())["saved_replies"] == []


async def contact_of(client: Any, headers: dict[str, str], conversation: str) -> dict[str, Any]:
    view = await (await client.get(f"/api/agent/conversations/{conversation}", headers=headers)).json()
    r = await client.get(f"/api/agent/contacts/{view['guest_id']}", headers=headers)
    assert r.status == 200, await r.text()
    return dict(await r.json())


async def test_the_contact_shows_the_guest_and_an_agent_renames_them_and_writes_a_note(client: Any) -> None:
    conversation, guest = await guest_writes(client, "Ann", "ann@example.org", "sales", "hi")
    alice = await agent(client, "alice")
    contact = await contact_of(client, alice, conversation)
    assert (contact["name"], contact["email"], contact["email_proven"]) == ("Ann", "ann@example.org", False)
    assert [(c["id"], c["origin"]) for c in contact["conversations"]] == [(conversation, "widget")]
    assert contact["meetings"] == {"upcoming": [], "past": []}

    r = await client.patch(
        f"/api/agent/contacts/{contact['guest_id']}",
        json={"name": "Ann Lee", "note": "Prefers mornings"},
        headers=alice,
    )
    assert r.status == 200
    assert ((await r.json())["name"], (await r.json())["note"]) == ("Ann Lee", "Prefers mornings")
    assert (await contact_of(client, alice, conversation))["note"] == "Prefers mornings"
    # Guests never see the note; the guest's own view carries no contact at all.
    mine = await (await client.get(f"/api/guest/conversations/{conversation}", headers=guest)).text()
    assert "Prefers mornings" not in mine


async def test_an_agent_of_another_service_gets_no_contact_and_changes_nothing(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "ann@example.org", "sales", "hi")
    guest_id = (await contact_of(client, await agent(client, "alice"), conversation))["guest_id"]
    carol = await agent(client, "carol")
    assert (await client.get(f"/api/agent/contacts/{guest_id}", headers=carol)).status == 404
    r = await client.patch(f"/api/agent/contacts/{guest_id}", json={"name": "Mallory"}, headers=carol)
    assert r.status == 404 and (await r.json())["code"] == "unknown_contact"
    bad = await client.patch(
        f"/api/agent/contacts/{guest_id}", json={"name": " "}, headers=await agent(client, "bob")
    )
    assert bad.status == 400 and (await bad.json())["field"] == "name"
    assert (await contact_of(client, await agent(client, "alice"), conversation))["name"] == "Ann"
