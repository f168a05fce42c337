"""A guest's email address counts only once proven (one-time emailed link), on SQLite and PostgreSQL.

Mallory types Ben's address first. When Alice adds ben@example.org to Ann's conversation, a new guest
is created and invited by a link mailed to that address; Mallory gets no access and no mail about it.
An address a guest only typed is mailed nothing but that guest's own booking confirmations, at most 3 a
day, with the guest's words quoted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken
from bot.meetings.events import MeetingBooked
from bot.model import Actor, Binding
from tests.integration.test_email import outbox, tick


@pytest.fixture
async def client(seeded: Any) -> Any:
    app = make_app(seeded, manage_workers=False)
    async with TestClient(TestServer(app)) as c:
        c.runtime = seeded
        await tick(seeded)  # the demo's sign-in mails go out before the test looks
        yield c


async def session(client: Any, name: str, email: str) -> tuple[dict[str, str], str]:
    r = await client.post("/api/guest/sessions", json={"name": name, "email": email})
    body = await r.json()
    return {"Authorization": f"Bearer {body['token']}"}, body["guest_id"]


async def alice(client: Any) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken('alice@example.com'))}"
    }


def mails(client: Any, to: str) -> list[EmailMessage]:
    return [m for m in outbox(client.runtime) if to in str(m["To"])]


def link_token(mail: EmailMessage) -> str:
    found = re.search(r"email_link=([\w-]+)", mail.get_body(("plain",)).get_content())
    assert found is not None
    return found.group(1)


async def anns_conversation(client: Any, email: str = "ann@example.org") -> str:
    ann, _ = await session(client, "Ann", email)
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=ann)
    return str((await r.json())["conversation"]["id"])


async def test_a_stranger_who_typed_an_address_first_gets_nothing_when_an_agent_adds_it(
    client: Any, clock: Any
) -> None:
    mallory, mallory_id = await session(client, "Mallory", "ben@example.org")
    cid = await anns_conversation(client)
    a = await alice(client)
    r = await client.post(
        f"/api/agent/conversations/{cid}/members", json={"email": "ben@example.org"}, headers=a
    )
    ben_id = (await r.json())["member"]["id"]
    assert r.status == 201 and ben_id != mallory_id  # a new, separate guest
    await client.post(f"/api/agent/conversations/{cid}/messages", json={"text": "Welcome Ben"}, headers=a)
    clock.advance(minutes=10)
    await tick(client.runtime)

    assert (await client.get(f"/api/guest/conversations/{cid}", headers=mallory)).status == 404
    listed = (await (await client.get("/api/guest/conversations", headers=mallory)).json())["conversations"]
    assert cid not in [c["id"] for c in listed]
    # The mailbox gets an invitation in Convene's words; the conversation's mail is for the new guest.
    (invitation,) = [m for m in mails(client, "ben@example.org") if "invited" in str(m["Subject"])]
    for mail in mails(client, "ben@example.org"):
        assert mallory_id not in str(mail.get("Reply-To", ""))

    r = await client.post("/api/guest/email/redeem", json={"token": link_token(invitation)})
    body = await r.json()
    assert r.status == 200 and body["guest_id"] == ben_id and body["conversation"] == cid
    ben = {"Authorization": f"Bearer {body['token']}"}
    assert (await client.get(f"/api/guest/conversations/{cid}", headers=ben)).status == 200
    r = await client.post("/api/guest/email/redeem", json={"token": link_token(invitation)})
    assert r.status == 401 and (await r.json())["code"] == "invalid_email_link"  # once only

    # Proven now: the next conversation Alice adds the address to finds Ben, not Mallory.
    other = await anns_conversation(client, "cid@example.org")  # another guest's conversation
    r = await client.post(
        f"/api/agent/conversations/{other}/members", json={"email": "BEN@example.org"}, headers=a
    )
    assert (await r.json())["member"]["id"] == ben_id


async def test_a_guest_who_proved_the_address_is_the_one_an_agent_adds(client: Any) -> None:
    ben, ben_id = await session(client, "Ben", "ben@example.org")
    assert (await client.post("/api/guest/email/prove", headers=ben)).status == 202
    await tick(client.runtime)
    (mail,) = mails(client, "ben@example.org")
    assert (
        mail["Subject"] == "Confirm your email address"
        and "Ben" not in mail.get_body(("plain",)).get_content()
    )
    r = await client.post("/api/guest/email/redeem", json={"token": link_token(mail)})
    assert (await r.json())["guest_id"] == ben_id
    cid = await anns_conversation(client)
    r = await client.post(
        f"/api/agent/conversations/{cid}/members",
        json={"email": "ben@example.org"},
        headers=await alice(client),
    )
    assert (await r.json())["member"]["id"] == ben_id
    assert (await client.get(f"/api/guest/conversations/{cid}", headers=ben)).status == 200


async def test_an_unproven_address_gets_no_unread_mail(client: Any, clock: Any) -> None:
    cid = await anns_conversation(client)
    await client.post(
        f"/api/agent/conversations/{cid}/messages", json={"text": "Hello"}, headers=await alice(client)
    )
    clock.advance(hours=1)
    await tick(client.runtime)
    assert mails(client, "ann@example.org") == []


def booked(
    guest_id: str, by: Actor, subject: str = "URGENT: verify your account", n: int = 0
) -> MeetingBooked:
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC) + timedelta(days=n)
    return MeetingBooked(
        conversation_id=f"c-{n}",
        meeting_id=f"m-{n}",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id=guest_id,
        guest_name="Security Team <admin>",
        guest_email="ann@example.org",
        subject=subject,
        start=start,
        end=start + timedelta(minutes=30),
        sequence=0,
        by=by,
    )


async def deliver(client: Any, event: MeetingBooked) -> None:
    address = {"email": "ann@example.org", "name": event.guest_name, "role": "guest"}
    await client.runtime.channels["email"].deliver(
        event, Binding(event.conversation_id, "email", address, id="direct-x")
    )


async def test_an_unproven_address_gets_its_own_confirmations_quoted_at_most_three_a_day(
    client: Any, clock: Any
) -> None:
    _, ann_id = await session(client, "Security Team <admin>", "ann@example.org")
    ann = Actor("guest", ann_id, "Ann")
    for n in range(4):
        await deliver(client, booked(ann_id, ann, n=n))
    sent = mails(client, "ann@example.org")
    assert len(sent) == 3  # the fourth waits for tomorrow
    mail = sent[0]
    assert mail["Subject"] == "Your meeting “URGENT: verify your account” is booked"
    assert str(mail["To"]) == "ann@example.org"  # no display name a stranger chose
    assert mail["Reply-To"] is None  # the mailbox's owner cannot answer as the guest who typed it
    assert "the name given was “Security Team <admin>”" in mail.get_body(("plain",)).get_content()
    clock.advance(hours=24, minutes=1)
    await deliver(client, booked(ann_id, ann, n=5))
    assert len(mails(client, "ann@example.org")) == 4


async def test_an_unproven_address_gets_nothing_an_agent_did(client: Any) -> None:
    _, ann_id = await session(client, "Ann", "ann@example.org")
    await deliver(client, booked(ann_id, Actor("agent", "alice", "Alice")))
    assert mails(client, "ann@example.org") == []


async def test_a_proven_address_gets_the_usual_mail(client: Any) -> None:
    ann, ann_id = await session(client, "Ann", "ann@example.org")
    await client.post("/api/guest/email/prove", headers=ann)
    await tick(client.runtime)
    (proof,) = mails(client, "ann@example.org")
    await client.post("/api/guest/email/redeem", json={"token": link_token(proof)})
    for n in range(4):
        await deliver(client, booked(ann_id, Actor("agent", "alice", "Alice"), subject="Demo", n=n))
    meeting_mails = [m for m in mails(client, "ann@example.org") if "Meeting booked" in str(m["Subject"])]
    assert len(meeting_mails) == 4 and str(meeting_mails[0]["Subject"]).startswith("Meeting booked: Demo")
