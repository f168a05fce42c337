"""``/convene invite`` carries every field of the inbox dialog: resource pools, meeting type, location,
conferencing and a description the customer may not see, over the real wire (signed interactions to
the app, the local fake Web API). A submission with all of them stores each on the invitation, a
chosen pool gives the booked meeting a room of the pool, and bad input shows on its own block with
nothing written. The clock stands on Monday 23 November 2026, 08:00 UTC (09:00 Berlin).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.invitations.commands import AddRoom
from bot.invitations.model import repository
from storage.invitations import InvitationRow, MeetingAttendeeRow

from .conftest import SlackDriver
from .test_invite import GOOD, change, invitations, submit

ROOMS = [("Spree", "spree@rooms.example.com", "Berlin"), ("Havel", "havel@rooms.example.com", "Berlin")]
EVERYTHING = {
    **GOOD,
    "pools": ["Berlin"],
    "meeting_type": "in_person",
    "location": "Alexanderplatz 1, Berlin",
    "conferencing": "Dial +49 30 1234 567, PIN 42",
    "description": "Bring the price list.\nInternal: discount up to 10 %.",
    "description_private": ["private"],
    "guest_timezone": "America/New_York",
    "send_email": "copy",
}


@pytest.fixture
async def pooled(slack: SlackDriver) -> SlackDriver:
    """Two rooms in the pool "Berlin", then the modal opened by Alice."""
    for name, email, pool in ROOMS:
        await slack.runtime.bus.handle(AddRoom(name, email, 6, pool=pool, provider="local"))
    r = await slack.command("UALICE", "invite")
    assert r.status == 200
    await slack.settle()
    return slack


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}


async def test_the_modal_offers_every_field_of_the_inbox_dialog_within_slacks_limits(
    pooled: SlackDriver,
) -> None:
    view = pooled.last_view()
    blocks = inputs(view)
    assert {"pools", "meeting_type", "location", "conferencing", "description", "description_private"} <= set(
        blocks
    )
    pools = blocks["pools"]["element"]
    assert pools["type"] == "multi_static_select" and [o["value"] for o in pools["options"]] == ["Berlin"]
    assert blocks["pools"]["dispatch_action"] is True  # a pool changes the count
    kinds = blocks["meeting_type"]["element"]
    assert [o["value"] for o in kinds["options"]] == ["video", "phone", "in_person"]
    assert kinds["initial_option"]["value"] == "video"
    private = blocks["description_private"]["element"]
    assert private["type"] == "checkboxes" and [o["value"] for o in private["options"]] == ["private"]
    assert blocks["description"]["element"]["multiline"] is True
    assert all(blocks[b].get("optional") for b in ("location", "conferencing", "description", "pools"))
    # Slack's limits: 100 blocks, labels of at most 2000 characters, at most 100 options per select.
    assert len(view["blocks"]) <= 100
    assert all(len(b["label"]["text"]) <= 2000 for b in blocks.values())
    assert all(len(b["element"].get("options", [])) <= 100 for b in blocks.values())


async def test_a_submission_with_every_field_stores_each_and_a_pool_room_is_booked(
    pooled: SlackDriver,
) -> None:
    assert (await change(pooled, "UALICE", {"pools": ["Berlin"]})).endswith("in this time frame.")
    answer = await submit(pooled, "UALICE", EVERYTHING)
    assert answer["response_action"] == "update", answer
    async with pooled.runtime.storage.session() as s:
        row = (await s.execute(select(InvitationRow))).scalar_one()
    assert (row.pools, row.meeting_type, row.location) == (
        ["Berlin"],
        "in_person",
        "Alexanderplatz 1, Berlin",
    )
    assert row.conferencing == "Dial +49 30 1234 567, PIN 42"
    assert row.description == "Bring the price list.\nInternal: discount up to 10 %."
    assert row.description_private is True
    assert row.guest_timezone == "America/New_York"
    assert (row.members, row.subject, row.duration) == (["alice", "bob"], "Pricing call", 60)
    token = answer["view"]["blocks"][1]["text"]["text"].strip("`").splitlines()[0].rsplit("/", 1)[1]
    page = await (await pooled.client.get(f"/api/invitations/{token}")).json()
    assert page["invitation"]["description"] == ""  # kept out of what the customer sees
    assert page["invitation"]["location"] == "Alexanderplatz 1, Berlin"
    r = await pooled.client.post(
        f"/api/invitations/{token}/book", json={"start": "2026-11-24T08:00:00Z", "timezone": "Europe/Berlin"}
    )
    assert r.status == 201, await r.text()
    meeting_id = (await r.json())["meeting"]["id"]
    async with pooled.runtime.storage.session() as s:
        keys = set(
            (
                await s.execute(
                    select(MeetingAttendeeRow.attendee).where(MeetingAttendeeRow.meeting_id == meeting_id)
                )
            ).scalars()
        )
    async with pooled.runtime.uow(read_only=True) as uow:
        pool = {f"room:{r.id}" for r in await repository(uow).rooms() if r.pool == "Berlin"}
    assert len(pool) == 2
    assert keys - pool == {"agent:alice", "agent:bob"} and len(keys & pool) == 1, keys  # one room of the pool


REFUSALS = [
    # the field as submitted → the block the refusal shows on, and its sentence
    ({"pools": ["Atlantis"]}, "pools", "There is no resource pool called 'Atlantis'."),
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
]


@pytest.mark.parametrize("values, block, message", REFUSALS)
async def test_bad_input_in_a_new_field_shows_on_its_own_block_and_writes_nothing(
    pooled: SlackDriver, values: dict[str, Any], block: str, message: str
) -> None:
    answer = await submit(pooled, "UALICE", {**EVERYTHING, **values})
    assert answer == {"response_action": "errors", "errors": {block: message}}
    assert await invitations(pooled) == 0
    assert pooled.fake.of("chat.postEphemeral") == []
