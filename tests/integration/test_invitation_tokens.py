"""Invitation link tokens on SQLite and PostgreSQL: the database holds only their sha256 (the
invitations table, and the outbox once the mail is out), a resend issues fresh links, one invitation's
token never opens another's meeting, and migration 0018 hashes the tokens of existing rows in place
so the links already mailed keep working."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from alembic import command
from sqlalchemy import select, text

from adapters.web.app import make_app
from storage.invitations import InvitationRow
from storage.migrate import alembic_config
from storage.models import Base
from tests.integration.meetings_support import agent, drain

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
TUE_0900, TUE_1000 = "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z"


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def invite(client: Any, guest: str, member: str = "alice") -> tuple[str, str]:
    body = {
        "guest_name": guest.title(),
        "guest_email": f"{guest}@customer.example",
        "subject": f"Call with {guest}",
        "duration": 30,
        "members": [member],
        "start_date": "2026-11-24",
        "end_date": "2026-11-24",
    }
    r = await client.post("/api/agent/invitations", json=body, headers=await agent(client.runtime, "alice"))
    assert r.status == 201, await r.text()
    invitation = (await r.json())["invitation"]
    return invitation["id"], invitation["links"]["any"].rsplit("/", 1)[1]


async def everything_stored(runtime: Any) -> str:
    """Every row of every table, as text: what a database dump would show."""
    found = []
    async with runtime.storage.session() as s:
        for table in Base.metadata.sorted_tables:
            found += [repr(tuple(row)) for row in (await s.execute(select(table))).all()]
    return "\n".join(found)


async def test_the_database_holds_only_the_hash_of_an_invitation_token(client: Any) -> None:
    invitation_id, token = await invite(client, "carl")
    assert len(token) >= 22  # at least 128 bits, url-safe base64
    async with client.runtime.storage.session() as s:
        row = await s.get(InvitationRow, invitation_id)
    assert row is not None and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in await everything_stored(client.runtime)  # the waiting mail holds it sealed
    await drain(client.runtime)  # the invitation mail goes out
    assert token not in await everything_stored(client.runtime)
    listed = await (
        await client.get("/api/agent/invitations?status=open", headers=await agent(client.runtime, "alice"))
    ).json()
    assert [i["links"] for i in listed["invitations"]] == [None]  # shown once, when issued
    assert (await client.get(f"/api/invitations/{token}")).status == 200


async def test_a_resend_issues_fresh_links_and_the_old_ones_stop_working(client: Any) -> None:
    invitation_id, old = await invite(client, "carl")
    r = await client.post(
        f"/api/agent/invitations/{invitation_id}/resend", headers=await agent(client.runtime, "alice")
    )
    assert r.status == 200, await r.text()
    new = (await r.json())["invitation"]["links"]["any"].rsplit("/", 1)[1]
    assert new != old
    assert (await client.get(f"/api/invitations/{old}")).status == 404
    assert (await client.get(f"/api/invitations/{new}")).status == 200


async def test_one_invitations_token_never_opens_anothers_meeting(client: Any) -> None:
    _, carl = await invite(client, "carl")
    _, dora = await invite(client, "dora", member="bob")
    booked = {}
    for token, start in ((carl, TUE_0900), (dora, TUE_1000)):
        r = await client.post(f"/api/invitations/{token}/book", json={"start": start})
        assert r.status == 201, await r.text()
        booked[token] = (await r.json())["meeting"]["id"]
    assert booked[carl] != booked[dora]
    view = await (await client.get(f"/api/invitations/{carl}")).json()
    assert view["meeting"]["id"] == booked[carl]
    r = await client.post(f"/api/invitations/{carl}/cancel", json={})
    assert (r.status, (await r.json())["meeting"]["id"]) == (200, booked[carl])
    view = await (await client.get(f"/api/invitations/{dora}")).json()
    assert (view["meeting"]["id"], view["meeting"]["status"]) == (booked[dora], "booked")
    near = dora[:-1] + ("A" if dora[-1] != "A" else "B")
    assert (await client.post(f"/api/invitations/{near}/cancel", json={})).status == 404
    # Neither the hash itself nor any other string opens an invitation.
    digest = hashlib.sha256(dora.encode()).hexdigest()
    assert (await client.get(f"/api/invitations/{digest}")).status == 404


async def test_migration_0018_hashes_the_tokens_of_existing_invitations(client: Any) -> None:
    invitation_id, _ = await invite(client, "carl")
    engine = client.runtime.storage.engine
    config = alembic_config()

    def run(connection: Any, step: Any, revision: str) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    async with engine.begin() as connection:  # as before 0018: a plain token in the "token" column
        await connection.run_sync(run, command.downgrade, "0010")
        await connection.execute(
            text("UPDATE invitations SET token = :plain WHERE id = :id"),
            {"plain": "an-old-plain-token-of-32-characters", "id": invitation_id},
        )
    async with engine.begin() as connection:
        await connection.run_sync(run, command.upgrade, "heads")
    async with client.runtime.storage.session() as s:
        row = await s.get(InvitationRow, invitation_id)
    assert row is not None
    assert row.token_hash == hashlib.sha256(b"an-old-plain-token-of-32-characters").hexdigest()
    assert "an-old-plain-token-of-32-characters" not in await everything_stored(client.runtime)
    r = await client.get("/api/invitations/an-old-plain-token-of-32-characters")  # the mailed link works
    assert (r.status, (await r.json())["invitation"]["status"]) == (200, "open")
