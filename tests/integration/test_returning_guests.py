"""Returning guests and conversations agents create, over HTTP, on SQLite and PostgreSQL.

Demo data: Sales (Alice, Bob) and Support (Carol, Dave). Ann writes to Sales; her conversation may be
moved to Support. On a second browser she asks to continue with her email and opens the mailed link.
Alice creates conversations from the inbox's "+" (``POST /api/agent/conversations``).
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from adapters.web.limits import LIMITS
from bot.commands import IssueAgentToken
from tests.integration.test_email import outbox, tick


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        await tick(seeded)
        yield c


async def session(client: Any, name: str, email: str | None = None) -> tuple[dict[str, str], str]:
    body = {"name": name, **({"email": email} if email else {})}
    created = await (await client.post("/api/guest/sessions", json=body)).json()
    return {"Authorization": f"Bearer {created['token']}"}, created["guest_id"]


async def agent(client: Any, email: str = "alice@example.com") -> dict[str, str]:
    return {"Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken(email))}"}


async def write(client: Any, guest: dict[str, str], service: str, text: str) -> tuple[int, str]:
    r = await client.post("/api/guest/conversations", json={"service": service, "text": text}, headers=guest)
    return r.status, (await r.json())["conversation"]["id"]


async def continue_link(client: Any, email: str, **extra: Any) -> str | None:
    """Asks for a continue link and returns the one mailed to ``email`` (None when none came)."""
    before = len(outbox(client.runtime))
    r = await client.post("/api/guest/continue", json={"email": email}, **extra)
    assert r.status == 202 and await r.json() == {"status": "sent"}
    await client.app[LIMITS].settle()
    await tick(client.runtime)
    mails: list[EmailMessage] = [m for m in outbox(client.runtime)[before:] if email in str(m["To"])]
    if not mails:
        return None
    [mail] = mails
    assert mail["Subject"] == "Continue your conversation"
    text = mail.get_body(("plain",)).get_content()
    assert "works once, for 30 minutes" in text
    found = re.search(r"(/c/[\w-]+|/)\?email_link=([\w-]+)", text)
    assert found is not None
    return found.group(0)


async def redeem(client: Any, link: str) -> Any:
    token = link.split("email_link=")[1]
    return await client.post("/api/guest/email/redeem", json={"token": token})


async def test_a_guest_writing_to_a_service_again_continues_after_the_conversation_moved(client: Any) -> None:
    ann, _ = await session(client, "Ann")
    status, first = await write(client, ann, "sales", "Hello sales")
    assert status == 201
    r = await client.post(
        f"/api/agent/conversations/{first}/assign",
        json={"service": "support", "assignee": None},
        headers=await agent(client),
    )
    assert r.status == 200
    status, again = await write(client, ann, "sales", "Me again")
    assert (status, again) == (200, first)
    listed = (await (await client.get("/api/guest/conversations", headers=ann)).json())["conversations"]
    assert [(c["id"], c["service"], c["first_service"]) for c in listed] == [(first, "support", "sales")]


async def test_a_second_browser_continues_as_the_same_guest_after_opening_the_mailed_link(
    client: Any, clock: Any
) -> None:
    ann, ann_id = await session(client, "Ann", "ann@example.org")  # typed, not yet proven
    _, cid = await write(client, ann, "sales", "Hello")
    newcomer, newcomer_id = await session(client, "Someone")  # the second browser's own guest
    link = await continue_link(client, "ann@example.org", headers=newcomer)
    assert link is not None
    r = await client.post(
        "/api/guest/continue", json={"email": "ann@example.org", "conversation": cid}, headers=newcomer
    )
    await client.app[LIMITS].settle()
    await tick(client.runtime)
    body = await (await redeem(client, link)).json()
    assert body["guest_id"] == ann_id
    second = {"Authorization": f"Bearer {body['token']}"}
    listed = (await (await client.get("/api/guest/conversations", headers=second)).json())["conversations"]
    assert [c["id"] for c in listed] == [cid]
    assert (await redeem(client, link)).status == 401  # once only
    # The newcomer keeps its own (empty) session: nothing of it was merged or lost.
    assert (await client.get("/api/guest/me", headers=newcomer)).status == 200
    assert newcomer_id != ann_id
    # The link asked for from the conversation's page opens that page; after 30 minutes it is dead.
    page_mail = [m for m in outbox(client.runtime) if "ann@example.org" in str(m["To"])][-1]
    assert f"/c/{cid}?email_link=" in page_mail.get_body(("plain",)).get_content()
    late = re.search(r"email_link=([\w-]+)", page_mail.get_body(("plain",)).get_content())
    assert late is not None
    clock.advance(minutes=31)
    r = await client.post("/api/guest/email/redeem", json={"token": late.group(1)})
    assert r.status == 401 and (await r.json())["code"] == "invalid_email_link"


async def test_a_typed_address_never_signs_anyone_in_as_the_guest_who_proved_it(client: Any) -> None:
    ann, ann_id = await session(client, "Ann", "ann@example.org")
    link = await continue_link(client, "ann@example.org")
    assert link is not None and (await redeem(client, link)).status == 200  # Ann proved her address
    mallory, mallory_id = await session(client, "Mallory", "ann@example.org")  # types it: nothing joins
    _, cid = await write(client, mallory, "sales", "hi")
    listed = (await (await client.get("/api/guest/conversations", headers=ann)).json())["conversations"]
    assert cid not in [c["id"] for c in listed]
    # Whoever asks to continue with the address, the link is Ann's, and it goes to Ann's mailbox.
    link = await continue_link(client, "ann@example.org", headers=mallory)
    assert link is not None and (await (await redeem(client, link)).json())["guest_id"] == ann_id
    assert mallory_id != ann_id


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(client: Any) -> None:
    assert await continue_link(client, "nobody@example.org") is None
    r = await client.post("/api/guest/continue", json={"email": ""})
    assert r.status == 400 and (await r.json())["field"] == "email"


async def test_an_agent_creates_a_conversation_and_a_third_person_joins_by_its_link(client: Any) -> None:
    alice = await agent(client)
    r = await client.post(
        "/api/agent/conversations",
        json={"name": "Launch", "description": "Plans", "agents": ["bob"], "emails": ["dan@example.org"]},
        headers=alice,
    )
    created = (await r.json())["conversation"]
    assert r.status == 201 and created["title"] == "Launch" and created["link_token"] is None
    members = sorted((m["kind"], m.get("email")) for m in created["members"])
    assert members == [
        ("agent", "alice@example.com"),
        ("agent", "bob@example.com"),
        ("guest", "dan@example.org"),
    ]
    r = await client.get(f"/api/agent/conversations/{created['id']}/messages", headers=alice)
    texts = [m["text"] for m in (await r.json())["messages"]]
    assert texts == ["Alice created the conversation “Launch”.", "Plans"]

    r = await client.post(
        "/api/agent/conversations",
        json={
            "name": "Open",
            "emails": ["dan@example.org"],
            "available_by_link": True,
            "read_only_external": True,
        },
        headers=alice,
    )
    open_one = (await r.json())["conversation"]
    assert open_one["link_token"] and open_one["read_only_external"]
    eve, _ = await session(client, "Eve", "eve@example.org")
    r = await client.post("/api/guest/join", json={"link_token": open_one["link_token"]}, headers=eve)
    assert r.status == 201
    page = await client.get(f"/join/{open_one['link_token']}")
    assert page.status == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert (await client.get(f"/c/{open_one['id']}")).status == 200


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"name": "X", "emails": []}, 400, "no_guest", "emails"),
        ({"name": "X", "emails": ["nope"]}, 400, "invalid_email", None),
        ({"name": "X", "emails": "dan@example.org"}, 400, "invalid_field", "emails"),
        ({"emails": ["dan@example.org"]}, 400, "missing_field", "name"),
        ({"name": "X", "emails": ["dan@example.org"], "agents": ["nobody"]}, 404, "unknown_agent", "agents"),
        ({"name": "X", "emails": [f"p{i}@example.org" for i in range(1000)]}, 409, "too_many_members", None),
    ],
)
async def test_a_bad_new_conversation_is_refused_and_nothing_is_created(
    client: Any, body: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    alice = await agent(client)
    before = (await (await client.get("/api/agent/conversations", headers=alice)).json())["conversations"]
    r = await client.post("/api/agent/conversations", json=body, headers=alice)
    answer = await r.json()
    assert (r.status, answer["code"], answer.get("field")) == (status, code, field)
    after = (await (await client.get("/api/agent/conversations", headers=alice)).json())["conversations"]
    assert after == before
