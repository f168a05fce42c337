"""``/convene invite`` carries the invitation's confirmation and advanced settings over the real wire
(signed interactions to the app, the local fake Web API): the "Confirmation" checkboxes (Add to calendar
event, Send confirmation email; both ticked at first) and the customer page's time zone mode. What is
submitted is what the invitation stores. "Add to calendar event" is also the advanced "customer on the
calendar event" setting: one checkbox, one field.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.invitations import InvitationRow

from .conftest import SlackDriver
from .test_invite import GOOD, opened, submit

__all__ = ["opened"]  # the fixture: the modal opened by Alice


async def stored(slack: SlackDriver) -> tuple[bool, bool, str]:
    async with slack.runtime.storage.session() as s:
        row = (await s.execute(select(InvitationRow))).scalar_one()
    return row.add_to_calendar, row.send_confirmation, row.timezone_mode


async def test_the_modal_offers_both_confirmation_toggles_ticked_and_the_customers_zone(
    opened: SlackDriver,
) -> None:
    blocks = {b["block_id"]: b for b in opened.last_view()["blocks"] if b.get("type") == "input"}
    confirmation = blocks["confirmation"]["element"]
    assert confirmation["type"] == "checkboxes"
    assert [o["value"] for o in confirmation["initial_options"]] == ["add_to_calendar", "send_confirmation"]
    mode = blocks["timezone_mode"]["element"]
    assert [o["value"] for o in mode["options"]] == ["customer", "fixed"]
    assert mode["initial_option"]["value"] == "customer"


@pytest.mark.parametrize(
    "values, expected",
    [
        ({}, (True, True, "customer")),  # untouched: the defaults
        ({"confirmation": [], "timezone_mode": "fixed"}, (False, False, "fixed")),
        ({"confirmation": ["send_confirmation"]}, (False, True, "customer")),
        ({"confirmation": ["add_to_calendar"]}, (True, False, "customer")),
    ],
    ids=["defaults", "all-off-fixed", "mail-only", "calendar-only"],
)
async def test_a_submission_stores_the_toggles_as_ticked(
    opened: SlackDriver, values: dict[str, Any], expected: tuple[bool, bool, str]
) -> None:
    answer = await submit(opened, "UALICE", {**GOOD, **values})
    assert answer["response_action"] == "update", answer
    assert await stored(opened) == expected
