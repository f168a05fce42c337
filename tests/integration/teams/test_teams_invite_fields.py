"""``invite`` in Teams carries every field of the inbox dialog: resource pools, meeting type, location,
conferencing and a description the customer may not see, over the real wire (Bot Framework
activities signed with the local JWKS). A submitted card with all of them stores each on the
invitation and a chosen pool gives the booked meeting a room of the pool; bad input comes back as the
form with the values kept and the engine's sentence right under its field, with nothing written.
The clock stands on Monday 23 November 2026, 08:00 UTC (09:00 Berlin)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.invitations.commands import AddRoom
from bot.invitations.model import repository
from storage.invitations import InvitationRow, MeetingAttendeeRow

from .conftest import Teams
from .dialog import Card, Dialog, Press, Say, card_lines, choices
from .test_teams_invite import FORM, GOOD, invitations

EVERYTHING = {
    **GOOD,
    "pools": "Berlin",
    "meeting_type": "phone",
    "location": "Alexanderplatz 1, Berlin",
    "conferencing": "https://meet.example.com/pricing",
    "description": "Bring the price list.\nInternal: discount up to 10 %.",
    "description_private": "true",
    "guest_timezone": "America/New_York",
    "send_email": "copy",
}


@pytest.fixture
async def pooled(teams: Teams) -> Teams:
    for name in ("Spree", "Havel"):
        await teams.runtime.bus.handle(
            AddRoom(name, f"{name.lower()}@rooms.example.com", 6, pool="Berlin", provider="local")
        )
    return teams


def element(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    return next(e for e in card["body"] if e.get("id") == input_id)


async def test_the_form_offers_every_field_of_the_inbox_dialog(pooled: Teams) -> None:
    [opened] = await Dialog(pooled).verify([(Say("invite"), Card(first=FORM))])
    form = opened.answers[0]
    assert isinstance(form, dict)
    assert [c["value"] for c in choices(form, "pools")] == ["Berlin"]
    assert element(form, "pools")["isMultiSelect"] is True
    assert [c["value"] for c in choices(form, "meeting_type")] == ["video", "phone", "in_person"]
    assert element(form, "meeting_type")["value"] == "video"
    assert element(form, "description")["isMultiline"] is True
    toggle = element(form, "description_private")
    assert (toggle["type"], toggle["value"], toggle["valueOn"]) == ("Input.Toggle", "false", "true")
    assert {"location", "conferencing"} <= {e.get("id") for e in form["body"]}


async def test_a_submitted_form_with_every_field_stores_each_and_a_pool_room_is_booked(pooled: Teams) -> None:
    [created] = await Dialog(pooled).verify(
        [
            (
                Press("invite", EVERYTHING, where="chat"),
                Card(first="Invitation “Pricing call” for Carl created: send these links yourself."),
            )
        ]
    )
    async with pooled.runtime.storage.session() as s:
        row = (await s.execute(select(InvitationRow))).scalar_one()
    assert (row.pools, row.meeting_type, row.location) == (["Berlin"], "phone", "Alexanderplatz 1, Berlin")
    assert row.conferencing == "https://meet.example.com/pricing"
    assert row.description == "Bring the price list.\nInternal: discount up to 10 %."
    assert row.description_private is True
    assert row.guest_timezone == "America/New_York"
    card = created.answers[0]
    assert isinstance(card, dict)
    token = card_lines(card)[1].rsplit("/", 1)[1]
    page = await (await pooled.client.get(f"/api/invitations/{token}")).json()
    assert page["invitation"]["description"] == ""  # kept out of what the customer sees
    r = await pooled.client.post(f"/api/invitations/{token}/book", json={"start": "2026-11-24T08:00:00Z"})
    assert r.status == 201, await r.text()
    meeting_id = (await r.json())["meeting"]["id"]
    async with pooled.runtime.storage.session() as s:
        query = select(MeetingAttendeeRow.attendee).where(MeetingAttendeeRow.meeting_id == meeting_id)
        keys = set((await s.execute(query)).scalars())
    async with pooled.runtime.uow(read_only=True) as uow:
        pool = {f"room:{r.id}" for r in await repository(uow).rooms() if r.pool == "Berlin"}
    assert keys - pool == {"agent:alice", "agent:bob"} and len(keys & pool) == 1, keys


REFUSALS = [
    # the field as submitted → the input the sentence shows under
    ({"pools": "Atlantis"}, "pools", "There is no resource pool called 'Atlantis'."),
    (
        {"meeting_type": "carrier_pigeon"},
        "meeting_type",
        "The meeting type is one of video, phone, in_person.",
    ),
    ({"location": "x" * 5001}, "location", "The location is longer than 5,000 characters."),
    ({"conferencing": "x" * 5001}, "conferencing", "The conferencing is longer than 5,000 characters."),
    ({"description": "x" * 5001}, "description", "The description is longer than 5,000 characters."),
    (
        {"guest_timezone": "Mars/Olympus"},
        "guest_timezone",
        "'Mars/Olympus' is not a known time zone (use Area/City).",
    ),
    ({"guest_email": "carl-at-example"}, "guest_email", None),
]


@pytest.mark.parametrize("values, field, message", REFUSALS)
async def test_bad_input_comes_back_under_its_field_with_the_values_kept_and_nothing_written(
    pooled: Teams, values: dict[str, str], field: str, message: str | None
) -> None:
    sent = {**EVERYTHING, **values}
    [refused] = await Dialog(pooled).verify(
        [(Press("invite", sent, where="chat"), Card(first=FORM, error=message or True))]
    )
    form = refused.answers[0]
    assert isinstance(form, dict)
    at = next(i for i, e in enumerate(form["body"]) if e.get("id") == field)
    under = form["body"][at + 1]
    assert under["type"] == "RichTextBlock" and under["inlines"][0]["color"] == "attention"
    kept = ("guest_name", "guest_email", "location", "conferencing", "description", "description_private")
    kept += ("guest_timezone", "meeting_type")
    assert {k: element(form, k)["value"] for k in kept} == {k: sent[k] for k in kept}
    assert await invitations(pooled) == 0
