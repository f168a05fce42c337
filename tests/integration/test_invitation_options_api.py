"""An invitation's confirmation and advanced settings over HTTP, on SQLite and PostgreSQL: the API takes
and returns ``add_to_calendar``, ``send_confirmation`` and ``timezone_mode`` (defaults on, on,
"customer"), refuses bad values with a code and a field and writes nothing, and a booking honours them
in the mails: no booking mail to the customer without the confirmation, no customer in the .ics of the
team's mails without the calendar event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from alembic import command
from sqlalchemy import func, select

from adapters.web.app import make_app
from storage.invitations import InvitationRow
from storage.migrate import alembic_config
from tests.integration.meetings_support import agent, drain, meeting_mails, vevent

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
TUE_0900 = "2026-11-24T08:00:00Z"
CARL = "Carl <carl@customer.example>"


@pytest.fixture
async def client(seeded: Any, clock: Any) -> Any:
    clock.set(NOW)
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


def body(**changes: Any) -> dict[str, Any]:
    base = {
        "guest_name": "Carl",
        "guest_email": "carl@customer.example",
        "subject": "Pricing call",
        "duration": 60,
        "members": ["alice", "bob"],
        "start_date": "2026-11-24",
        "end_date": "2026-11-24",
        "send_email": False,
    }
    return {**base, **changes}


async def create(client: Any, **changes: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/agent/invitations", json=body(**changes), headers=await agent(client.runtime, "alice")
    )
    assert r.status == 201, await r.text()
    return dict((await r.json())["invitation"])


def options(invitation: dict[str, Any]) -> tuple[Any, Any, Any]:
    return invitation["add_to_calendar"], invitation["send_confirmation"], invitation["timezone_mode"]


async def book(client: Any, invitation: dict[str, Any]) -> str:
    token = invitation["links"]["any"].rsplit("/", 1)[1]
    r = await client.post(f"/api/invitations/{token}/book", json={"start": TUE_0900})
    assert r.status == 201, await r.text()
    await drain(client.runtime)
    return token


async def test_the_options_default_to_on_and_customer_and_round_trip_through_the_api(client: Any) -> None:
    plain = await create(client)
    assert options(plain) == (True, True, "customer")
    chosen = await create(client, add_to_calendar=False, send_confirmation=False, timezone_mode="fixed")
    assert options(chosen) == (False, False, "fixed")
    alice = await agent(client.runtime, "alice")
    listed = {
        i["id"]: i
        for i in (await (await client.get("/api/agent/invitations", headers=alice)).json())["invitations"]
    }
    assert options(listed[plain["id"]]) == (True, True, "customer")
    assert options(listed[chosen["id"]]) == (False, False, "fixed")
    token = chosen["links"]["any"].rsplit("/", 1)[1]
    view = await (await client.get(f"/api/invitations/{token}")).json()
    assert (view["invitation"]["timezone_mode"], view["invitation"]["timezone"]) == ("fixed", "Europe/Berlin")


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"add_to_calendar": "yes"}, "invalid_boolean", "add_to_calendar"),
        ({"send_confirmation": None}, "invalid_boolean", "send_confirmation"),
        ({"send_confirmation": 0}, "invalid_boolean", "send_confirmation"),
        ({"timezone_mode": "local"}, "invalid_timezone_mode", "timezone_mode"),
        ({"timezone_mode": 7}, "invalid_field", "timezone_mode"),
    ],
)
async def test_bad_options_are_refused_with_a_code_and_field_and_nothing_written(
    client: Any, changes: dict[str, Any], code: str, field: str
) -> None:
    r = await client.post(
        "/api/agent/invitations", json=body(**changes), headers=await agent(client.runtime, "alice")
    )
    answer = await r.json()
    assert (r.status, answer["code"], answer.get("field")) == (400, code, field)
    async with client.runtime.storage.session() as s:
        assert (await s.execute(select(func.count()).select_from(InvitationRow))).scalar_one() == 0


async def test_with_the_confirmation_email_on_the_customer_gets_the_booking_mail_with_an_ics(
    client: Any,
) -> None:
    await book(client, await create(client))
    mails = {m.to: m for m in meeting_mails(client.runtime)}
    assert sorted(mails) == ["Alice <alice@example.com>", "Bob <bob@example.com>", CARL]
    assert mails[CARL].method == "REQUEST" and vevent(mails[CARL].ics)["SUMMARY"] == "Pricing call"


async def test_with_the_confirmation_email_off_the_customers_outbox_has_no_meeting_mail(client: Any) -> None:
    await book(client, await create(client, send_confirmation=False))
    mails = meeting_mails(client.runtime)
    assert sorted(m.to for m in mails) == ["Alice <alice@example.com>", "Bob <bob@example.com>"]
    for mail in mails:  # still an attendee of the events: the team's .ics lists the customer
        assert "mailto:carl@customer.example" in [str(a) for a in attendees(mail)]


def attendees(mail: Any) -> list[Any]:
    found = vevent(mail.ics).get("ATTENDEE") or []
    return found if isinstance(found, list) else [found]


async def test_with_the_calendar_event_off_the_teams_ics_leaves_the_customer_out(client: Any) -> None:
    await book(client, await create(client, add_to_calendar=False))
    mails = {m.to: m for m in meeting_mails(client.runtime)}
    assert CARL in mails  # the confirmation is still on
    for who in ("Alice <alice@example.com>", "Bob <bob@example.com>"):
        emails = [str(a).lower() for a in attendees(mails[who])]
        assert "mailto:carl@customer.example" not in emails, who


async def test_migration_0024_gives_existing_invitations_the_defaults(client: Any) -> None:
    invitation = await create(client, add_to_calendar=False, send_confirmation=False, timezone_mode="fixed")
    engine, config = client.runtime.storage.engine, alembic_config()

    def run(connection: Any, step: Any, revision: str) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    async with engine.begin() as connection:  # as before 0024: no such columns
        await connection.run_sync(run, command.downgrade, "0018")
    async with engine.begin() as connection:
        await connection.run_sync(run, command.upgrade, "heads")
    async with client.runtime.storage.session() as s:
        row = await s.get(InvitationRow, invitation["id"])
    assert row is not None
    assert (row.add_to_calendar, row.send_confirmation, row.timezone_mode) == (True, True, "customer")


async def test_a_move_from_the_inbox_keeps_the_customer_off_the_teams_ics_when_not_on_the_event(
    client: Any,
) -> None:
    await book(client, await create(client, add_to_calendar=False))
    alice = await agent(client.runtime, "alice")
    (meeting,) = (await (await client.get("/api/agent/meetings", headers=alice)).json())["meetings"]
    r = await client.patch(
        f"/api/agent/meetings/{meeting['id']}", json={"start": "2026-11-24T13:00:00Z"}, headers=alice
    )
    assert r.status == 200, await r.text()
    await drain(client.runtime)
    team = [m for m in meeting_mails(client.runtime) if m.to != CARL]
    assert len(team) == 4  # booked and moved, to Alice and to Bob
    for mail in team:
        assert "mailto:carl@customer.example" not in [str(a).lower() for a in attendees(mail)], mail.subject
