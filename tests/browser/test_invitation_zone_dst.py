"""A fixed-zone invitation across the start of summer time in its zone: Europe/Berlin moves its clocks
on Sunday 28 March 2027, New York already did on 14 March. A customer in New York sees 09:00 on the
Friday and on the Monday when the invitation's zone is fixed, and 04:00 then 03:00 in their own zone.
The server's clock is driven (Monday 22 March 2027), and the browser's agrees with it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from playwright.async_api import expect

from bot.invitations.commands import CreateInvitation, InvitationDraft
from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_invitation_options import ALICE
from tests.conftest import DrivenClock

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
MONDAY = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
FRIDAY, NEXT_MONDAY = date(2027, 3, 26), date(2027, 3, 29)


@pytest.fixture
def server_clock() -> DrivenClock:
    return DrivenClock(MONDAY)


@pytest.mark.parametrize(
    "mode, friday, monday",
    [("fixed", ["09:00", "09:30"], ["09:00", "09:30"]), ("customer", ["04:00", "04:30"], ["03:00", "03:30"])],
)
async def test_a_fixed_zone_keeps_the_invitations_hours_across_its_summer_time_change(
    browser: Any, server: LiveServer, mode: str, friday: list[str], monday: list[str]
) -> None:
    draft = InvitationDraft(
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        duration=30,
        members=("alice",),
        start_date=FRIDAY,
        end_date=NEXT_MONDAY,
        day_start="09:00",
        day_end="10:00",
        timezone="Europe/Berlin",
        timezone_mode=mode,
        send_email=False,
    )
    created = await server.runtime.bus.handle(CreateInvitation(draft, ALICE))
    carl = await new_page(browser, server, locale="en-GB", timezone_id="America/New_York")
    await carl.clock.set_fixed_time(MONDAY)
    await carl.goto(f"{server.url}/invite/{created.token}")
    slots = carl.get_by_test_id("slot")
    await expect(slots).to_have_text(friday)  # the first day with free times is chosen
    await carl.locator(f'[data-testid="day"][data-day="{NEXT_MONDAY.isoformat()}"]').click()
    await expect(slots).to_have_text(monday)
