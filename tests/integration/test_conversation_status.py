"""Conversation status over HTTP, on SQLite and PostgreSQL: resolve, reopen, snooze (reopened by the
job runner on a driven clock), a guest's message reopening, the inbox filters and their counts, and who
may change a status at all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from adapters.web.app import make_app
from bot.commands import IssueAgentToken
from storage.models import JobRow, OutboxRow


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        yield c


async def agent(client: Any, slug: str) -> dict[str, str]:
    token = await client.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def guest_writes(client: Any, name: str, service: str, text: str) -> tuple[str, dict[str, str]]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": f"{name.lower()}@example.org"})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await client.post(
        "/api/guest/conversations",
        json={"service": service, "text": text, "client_id": "c1"},
        headers=headers,
    )
    assert r.status == 201
    return (await r.json())["conversation"]["id"], headers


async def inbox(client: Any, who: dict[str, str], name: str) -> tuple[list[str], dict[str, int]]:
    r = await client.get("/api/agent/conversations", params={"filter": name}, headers=who)
    assert r.status == 200, await r.text()
    body = await r.json()
    return [c["guest_name"] for c in body["conversations"]], body["counts"]


async def act(client: Any, who: dict[str, str], conversation: str, what: str, **body: Any) -> Any:
    return await client.post(f"/api/agent/conversations/{conversation}/{what}", json=body, headers=who)


async def notices(client: Any, who: dict[str, str], conversation: str) -> list[tuple[str, bool]]:
    r = await client.get(f"/api/agent/conversations/{conversation}/messages", headers=who)
    return [
        (m["text"], m["internal"]) for m in (await r.json())["messages"] if m["author"]["kind"] == "system"
    ]


async def events(client: Any, kind: str) -> list[dict[str, Any]]:
    async with client.runtime.uow(read_only=True) as uow:
        rows = await uow.session.execute(select(OutboxRow.payload).where(OutboxRow.event_type == kind))
        return [dict(p) for p in rows.scalars()]


async def test_resolving_moves_the_conversation_to_resolved_and_says_so_in_the_thread(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Is my order shipped?")
    await guest_writes(client, "Ben", "sales", "Hello")
    alice = await agent(client, "alice")
    assert (await inbox(client, alice, "services"))[1] == {
        "mine": 0,
        "unassigned": 2,
        "services": 2,
        "snoozed": 0,
        "resolved": 0,
    }
    r = await act(client, alice, conversation, "resolve")
    assert r.status == 200
    body = await r.json()
    assert body["status"] == "resolved" and body["resolved_by"] == "alice" and body["resolved_at"]
    names, counts = await inbox(client, alice, "resolved")
    assert names == ["Ann"]
    assert counts == {"mine": 0, "unassigned": 1, "services": 1, "snoozed": 0, "resolved": 1}
    assert (await inbox(client, alice, "services"))[0] == ["Ben"]
    assert ("Alice resolved the conversation.", False) in await notices(client, alice, conversation)
    [event] = await events(client, "ConversationResolved")
    assert event["by"]["id"] == "alice" and event["audience"] == "agents"
    again = await act(client, alice, conversation, "resolve")  # twice: nothing more happens
    assert again.status == 200 and len(await events(client, "ConversationResolved")) == 1


async def test_an_agent_reopens_a_resolved_conversation(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Thanks!")
    bob = await agent(client, "bob")
    await act(client, bob, conversation, "resolve")
    r = await act(client, bob, conversation, "reopen")
    assert (await r.json())["status"] == "open" and (await r.json())["resolved_by"] is None
    assert (await inbox(client, bob, "services"))[0] == ["Ann"]
    assert ("Bob reopened the conversation.", False) in await notices(client, bob, conversation)


async def test_a_guest_who_writes_again_reopens_the_conversation(client: Any) -> None:
    conversation, guest = await guest_writes(client, "Ann", "sales", "Thanks, all good")
    alice = await agent(client, "alice")
    await act(client, alice, conversation, "resolve")
    r = await client.post(
        f"/api/guest/conversations/{conversation}/messages", json={"text": "One more thing"}, headers=guest
    )
    assert r.status in (200, 201), await r.text()
    names, counts = await inbox(client, alice, "services")
    assert names == ["Ann"] and counts["resolved"] == 0
    assert ("Ann wrote again: the conversation is open.", False) in await notices(client, alice, conversation)
    [event] = await events(client, "ConversationReopened")
    assert event["reason"] == "guest_wrote"


async def test_a_snooze_reopens_itself_through_the_job_runner_and_names_the_assignee(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Call me next week")
    alice = await agent(client, "alice")
    await act(client, alice, conversation, "assign", to="me")
    r = await act(client, alice, conversation, "snooze", preset="hour")
    assert r.status == 200
    clock = client.runtime.clock
    assert (await r.json())["snoozed_until"] == (clock.now().replace(microsecond=0)).isoformat().replace(
        "+00:00", "Z"
    ).replace("T08:", "T09:")
    names, counts = await inbox(client, alice, "snoozed")
    assert names == ["Ann"] and counts["mine"] == 0 and counts["snoozed"] == 1
    assert ("Alice snoozed the conversation.", True) in await notices(client, alice, conversation)

    clock.advance(minutes=59)
    await client.runtime.jobs.run_due()
    assert (await inbox(client, alice, "snoozed"))[0] == ["Ann"]  # not yet
    clock.advance(minutes=1)
    assert await client.runtime.jobs.run_due() == 1
    names, counts = await inbox(client, alice, "mine")
    assert names == ["Ann"] and counts["snoozed"] == 0
    [event] = await events(client, "ConversationReopened")
    assert event["reason"] == "snooze_ended" and event["assignee"] == "alice"
    assert ("The snooze ended: the conversation is open again.", True) in await notices(
        client, alice, conversation
    )


async def test_reopening_a_snoozed_conversation_cancels_its_job(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Later")
    alice = await agent(client, "alice")
    await act(client, alice, conversation, "snooze", until="2026-11-23T12:00:00Z")
    await act(client, alice, conversation, "resolve")
    client.runtime.clock.advance(hours=5)
    async with client.runtime.uow(read_only=True) as uow:
        kinds = (await uow.session.execute(select(JobRow.kind).where(JobRow.status == "pending"))).scalars()
        assert "conversation_snooze" not in list(kinds)  # the job went with the snooze
    while await client.runtime.jobs.run_due():
        pass
    assert (await inbox(client, alice, "resolved"))[0] == ["Ann"]
    assert await events(client, "ConversationReopened") == []


async def test_snoozing_again_moves_the_one_job(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Later")
    alice = await agent(client, "alice")
    await act(client, alice, conversation, "snooze", preset="hour")
    r = await act(client, alice, conversation, "snooze", preset="tomorrow")  # 9:00 Berlin, 08:00 UTC
    assert (await r.json())["snoozed_until"] == "2026-11-24T08:00:00Z"
    client.runtime.clock.advance(hours=2)
    while await client.runtime.jobs.run_due():
        pass
    assert (await inbox(client, alice, "snoozed"))[0] == ["Ann"]  # the hour's job went with the move
    client.runtime.clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    while await client.runtime.jobs.run_due():
        pass
    assert (await inbox(client, alice, "services"))[0] == ["Ann"]
    assert len(await events(client, "ConversationReopened")) == 1


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"until": "2026-11-23T07:00:00Z"}, "snooze_in_past", "until"),
        ({"until": "next tuesday"}, "invalid_time", "until"),
        ({"until": 12}, "invalid_field", "until"),
        ({"preset": "someday"}, "invalid_snooze_preset", "preset"),
        ({}, "snooze_until_required", "until"),
        ({"until": "2029-01-01T09:00"}, "snooze_too_long", "until"),
    ],
)
async def test_a_bad_snooze_is_refused_with_its_field_and_changes_nothing(
    client: Any, body: dict[str, Any], code: str, field: str
) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Hi")
    alice = await agent(client, "alice")
    r = await act(client, alice, conversation, "snooze", **body)
    assert r.status == 400
    error = await r.json()
    assert (error["code"], error.get("field")) == (code, field)
    assert (await inbox(client, alice, "services"))[0] == ["Ann"]


async def test_a_time_without_offset_is_the_agents_wall_clock(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Hi")
    alice = await agent(client, "alice")  # Europe/Berlin: UTC+1 in November
    r = await act(client, alice, conversation, "snooze", until="2026-11-24T09:00")
    assert (await r.json())["snoozed_until"] == "2026-11-24T08:00:00Z"
    async with client.runtime.uow(read_only=True) as uow:
        stored = await uow.conversations.get(conversation)
    assert stored is not None and stored.status == "snoozed"
    assert (
        stored.snoozed_until is not None and stored.snoozed_until.isoformat() == "2026-11-24T08:00:00+00:00"
    )


@pytest.mark.parametrize("what", ["resolve", "reopen", "snooze"])
async def test_an_agent_outside_the_service_gets_404_and_changes_nothing(client: Any, what: str) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Private")
    carol = await agent(client, "carol")  # support, not sales
    r = await act(client, carol, conversation, what, preset="hour")
    assert r.status == 404 and (await r.json())["code"] == "unknown_conversation"
    assert (await inbox(client, await agent(client, "alice"), "services"))[0] == ["Ann"]
    assert (await inbox(client, carol, "services"))[1]["services"] == 0


async def test_filters_follow_assignment(client: Any) -> None:
    ann, _ = await guest_writes(client, "Ann", "sales", "One")
    await guest_writes(client, "Ben", "sales", "Two")
    alice, bob = await agent(client, "alice"), await agent(client, "bob")
    await act(client, bob, ann, "assign", to="me")
    assert (await inbox(client, bob, "mine"))[0] == ["Ann"]
    assert (await inbox(client, alice, "mine"))[0] == []
    names, counts = await inbox(client, alice, "unassigned")
    assert names == ["Ben"] and counts == {
        "mine": 0,
        "unassigned": 1,
        "services": 2,
        "snoozed": 0,
        "resolved": 0,
    }
    r = await client.get("/api/agent/conversations", params={"filter": "everything"}, headers=alice)
    assert r.status == 400 and (await r.json())["field"] == "filter"


async def test_an_agent_member_from_another_service_sees_and_resolves_it(client: Any) -> None:
    conversation, _ = await guest_writes(client, "Ann", "sales", "Can support help?")
    alice, carol = await agent(client, "alice"), await agent(client, "carol")
    r = await client.post(
        f"/api/agent/conversations/{conversation}/members", json={"agent": "carol"}, headers=alice
    )
    assert r.status in (200, 201), await r.text()
    names, counts = await inbox(client, carol, "services")
    assert names == ["Ann"] and counts["unassigned"] == 0  # unassigned: only in her own services
    assert (await act(client, carol, conversation, "resolve")).status == 200
    assert (await inbox(client, alice, "resolved"))[0] == ["Ann"]
