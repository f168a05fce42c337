"""``invite`` in Teams carries the invitation's confirmation and advanced settings over the real wire
(Bot Framework activities signed with the local JWKS): the "Add to calendar event" and "Send
confirmation email" toggles (both on at first) and the customer page's time zone mode. What the card
submits is what the invitation stores; a refused card comes back with the toggles as they were sent.
"Add to calendar event" is also the advanced "customer on the calendar event" setting: one toggle.
The clock stands on Monday 23 November 2026, 08:00 UTC (09:00 Berlin)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.invitations import InvitationRow

from .conftest import Teams
from .dialog import Card, Dialog, Press, Say, choices
from .test_teams_invite import FORM, GOOD, invitations
from .test_teams_invite_fields import element

CREATED = "Invitation “Pricing call” for Carl sent by email."


async def test_the_form_offers_both_toggles_on_and_the_customers_zone(teams: Teams) -> None:
    [opened] = await Dialog(teams).verify([(Say("invite"), Card(first=FORM))])
    form = opened.answers[0]
    assert isinstance(form, dict)
    for toggle in ("add_to_calendar", "send_confirmation"):
        found = element(form, toggle)
        assert (found["type"], found["value"], found["valueOff"]) == ("Input.Toggle", "true", "false")
    assert [c["value"] for c in choices(form, "timezone_mode")] == ["customer", "fixed"]
    assert element(form, "timezone_mode")["value"] == "customer"


@pytest.mark.parametrize(
    "values, expected",
    [
        ({}, (True, True, "customer")),  # a card without them (an older one): the defaults
        (
            {"add_to_calendar": "false", "send_confirmation": "false", "timezone_mode": "fixed"},
            (False, False, "fixed"),
        ),
        ({"add_to_calendar": "false", "send_confirmation": "true"}, (False, True, "customer")),
        ({"add_to_calendar": "true", "send_confirmation": "false"}, (True, False, "customer")),
    ],
    ids=["defaults", "all-off-fixed", "mail-only", "calendar-only"],
)
async def test_a_submitted_card_stores_the_toggles_as_sent(
    teams: Teams, values: dict[str, str], expected: tuple[bool, bool, str]
) -> None:
    await Dialog(teams).verify([(Press("invite", {**GOOD, **values}, where="chat"), Card(first=CREATED))])
    async with teams.runtime.storage.session() as s:
        row = (await s.execute(select(InvitationRow))).scalar_one()
    assert (row.add_to_calendar, row.send_confirmation, row.timezone_mode) == expected


async def test_a_bad_zone_mode_comes_back_under_its_field_with_the_toggles_kept_and_nothing_written(
    teams: Teams,
) -> None:
    sent = {**GOOD, "add_to_calendar": "false", "send_confirmation": "false", "timezone_mode": "local"}
    [refused] = await Dialog(teams).verify(
        [
            (
                Press("invite", sent, where="chat"),
                Card(first=FORM, error="The time zone mode is one of customer, fixed."),
            )
        ]
    )
    form = refused.answers[0]
    assert isinstance(form, dict)
    at = next(i for i, e in enumerate(form["body"]) if e.get("id") == "timezone_mode")
    assert form["body"][at + 1]["type"] == "RichTextBlock"
    assert (element(form, "add_to_calendar")["value"], element(form, "send_confirmation")["value"]) == (
        "false",
        "false",
    )
    assert await invitations(teams) == 0
