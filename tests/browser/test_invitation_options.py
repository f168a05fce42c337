"""An invitation's confirmation and advanced settings in the browser: the inbox dialog offers both
confirmation toggles on and the time zone mode under "Advanced", and sends what the agent chose; the
customer's page of a "fixed" invitation shows its times in the invitation's zone (and says so) to a
customer whose browser is elsewhere, while a "customer" invitation shows them in the customer's zone.
The server's clock is real, so the day is computed here."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.invitations.commands import CreateInvitation, InvitationDraft
from bot.invitations.links import slot_code
from bot.model import Actor
from storage.invitations import InvitationRow
from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_attachments import shots
from tests.browser.test_booking import open_inbox
from tests.browser.test_invitations import BERLIN, weekday_ahead
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
ALICE = Actor("agent", "alice", "Alice")


async def test_the_dialog_sends_the_confirmation_toggles_and_the_zone_mode_the_agent_chose(
    browser: Any, server: LiveServer, tmp_path: Path
) -> None:
    day = weekday_ahead(2)
    alice = await open_inbox(browser, server, "alice", timezone_id="Europe/Berlin")
    await alice.get_by_test_id("invite-open").click()
    dialog = alice.get_by_test_id("invite-dialog")
    await dialog.get_by_test_id("invite-guest-name").fill("Carl")
    await dialog.get_by_test_id("invite-guest-email").fill("carl@customer.example")
    await dialog.get_by_test_id("invite-next").click()
    await dialog.get_by_test_id("invite-subject").fill("Pricing call")
    await dialog.get_by_test_id("invite-next").click()
    await dialog.get_by_test_id("invite-start-date").fill(day.isoformat())
    await dialog.get_by_test_id("invite-end-date").fill(day.isoformat())
    await dialog.get_by_test_id("invite-timezone").fill("Europe/Berlin")
    calendar, mail = (
        dialog.get_by_test_id("invite-add-to-calendar"),
        dialog.get_by_test_id("invite-send-confirmation"),
    )
    await expect(calendar).to_be_checked()
    await expect(mail).to_be_checked()
    await mail.uncheck()
    await dialog.get_by_test_id("invite-advanced").locator("summary").click()
    mode = dialog.get_by_test_id("invite-timezone-mode")
    await expect(mode).to_have_value("customer")
    await mode.select_option("fixed")
    await expect(dialog.get_by_test_id("invite-slot-count")).to_contain_text("slots available")
    await assert_accessible(alice, '[data-testid="invite-dialog"]')
    await alice.screenshot(path=str(shots(tmp_path) / "invite-options-1280.png"))
    await alice.set_viewport_size({"width": 375, "height": 740})
    await alice.screenshot(path=str(shots(tmp_path) / "invite-options-375.png"))
    await alice.set_viewport_size({"width": 1280, "height": 800})
    await dialog.get_by_test_id("invite-create").click()
    await expect(dialog.get_by_test_id("invite-link")).to_have_count(1)
    async with server.runtime.storage.session() as s:
        row = (await s.execute(select(InvitationRow))).scalar_one()
    assert (row.add_to_calendar, row.send_confirmation, row.timezone_mode) == (True, False, "fixed")


async def invitation(server: LiveServer, mode: str) -> tuple[str, datetime]:
    """One of Alice's, 09:00–11:00 Berlin on a weekday ahead, its 09:00 promoted: (link path, 09:00)."""
    day = weekday_ahead(3)
    nine = datetime.combine(day, time(9, 0), BERLIN).astimezone(UTC)
    draft = InvitationDraft(
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        duration=30,
        members=("alice",),
        start_date=day,
        end_date=day,
        day_start="09:00",
        day_end="11:00",
        timezone="Europe/Berlin",
        timezone_mode=mode,
        promoted=(nine,),
        send_email=False,
    )
    created = await server.runtime.bus.handle(CreateInvitation(draft, ALICE))
    return f"/invite/{created.token}", nine


@pytest.mark.parametrize(
    "mode, shown, zone_line",
    [
        (
            "fixed",
            ["09:00", "09:30", "10:00", "10:30"],
            "Times are shown in Europe/Berlin, the invitation's time zone.",
        ),
        (
            "customer",
            ["03:00", "03:30", "04:00", "04:30"],
            "Times are shown in your time zone, America/New_York.",
        ),
    ],
)
async def test_the_customers_page_shows_times_in_the_invitations_zone_when_it_is_fixed(
    browser: Any, server: LiveServer, tmp_path: Path, mode: str, shown: list[str], zone_line: str
) -> None:
    path, nine = await invitation(server, mode)
    carl = await new_page(browser, server, locale="en-GB", timezone_id="America/New_York")
    await carl.goto(server.url + path)
    await expect(carl.get_by_test_id("invite-zone")).to_have_text(zone_line)
    await expect(carl.get_by_test_id("slot")).to_have_text(shown)
    await carl.goto(f"{server.url}{path}/{slot_code(nine)}")  # the promoted link: chosen at once
    await expect(carl.get_by_test_id("invite-chosen-time")).to_contain_text(shown[0])
    await expect(carl.get_by_test_id("invite-zone")).to_have_text(zone_line)
    if mode == "fixed":
        await assert_accessible(carl)
        await carl.screenshot(path=str(shots(tmp_path) / "invite-fixed-zone-1280.png"))
        await carl.set_viewport_size({"width": 375, "height": 740})
        await carl.screenshot(path=str(shots(tmp_path) / "invite-fixed-zone-375.png"))
    await carl.get_by_test_id("invite-confirm").click()
    await expect(carl.get_by_test_id("invite-booked")).to_contain_text("Booked: ")
    await expect(carl.get_by_test_id("invite-booked")).to_contain_text(shown[0])
