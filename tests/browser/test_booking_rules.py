"""Issue 11's booking rules in the browser: the widget asks a guest who chatted without an email for
one when they book (the invitation goes there), and a personal link whose frame runs past the
booking horizon shows the bookable days, clipped, instead of an empty page. The server's clock is
real, so days are computed here."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_booking import BERLIN, GUEST, alice_widget, next_weekday, slot_at
from tests.browser.test_chat import guest_says

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def test_the_widget_asks_for_the_email_when_a_guest_who_skipped_it_books(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server, **GUEST)
    await alice_widget(page, server)
    await page.get_by_test_id("name-input").fill("Nora")  # no email: chatting does not need one
    await page.get_by_test_id("start-button").click()
    await guest_says(page, "Hello, can we meet?")

    day = next_weekday(2)
    start = await slot_at(server, day, "10:00")
    await page.get_by_test_id("schedule-meeting").click()
    await page.get_by_test_id("booking-subject").fill("Intro call")
    await page.locator(f'[data-testid="booking-slot"][data-start="{start}"]').click()
    await expect(page.get_by_test_id("booking-email-required")).to_be_hidden()
    await page.get_by_test_id("booking-submit").click()

    # Refused by the engine (email_required): the widget asks for it right there, nothing is booked.
    asked = page.get_by_test_id("booking-email-required")
    await expect(asked).to_be_visible()
    await expect(asked).to_be_focused()
    await expect(page.get_by_test_id("booking-error")).to_contain_text("email address")
    await expect(page.get_by_test_id("booking-confirmed")).to_be_hidden()
    await page.screenshot(path="/tmp/convene-widget-email-required.png")

    await asked.fill("nora@example.org")
    await page.get_by_test_id("booking-submit").click()
    await expect(page.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Intro call")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
async def test_a_link_frame_past_the_horizon_is_clipped_not_empty(
    browser: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    page = await new_page(browser, server, **GUEST, viewport=viewport)
    first = next_weekday(2)
    far = datetime.now(BERLIN).date() + timedelta(days=120)  # four months: beyond the one-month horizon
    await page.goto(f"{server.url}/book/alice?start={first:%d.%m.%Y}&end={far:%d.%m.%Y}&subject=Review")
    slots = page.get_by_test_id("slot")
    await expect(slots.first).to_be_visible()
    await expect(page.get_by_test_id("booking-error")).to_be_hidden()
    await page.screenshot(path=f"/tmp/convene-link-clipped-{viewport['width']}.png")

    await slots.first.click()
    await page.get_by_test_id("name").fill("Olga")
    await page.get_by_test_id("email").fill("olga@example.org")
    await page.get_by_test_id("schedule").click()
    await expect(page.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Review")
