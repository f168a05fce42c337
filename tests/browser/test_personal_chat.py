"""An agent's personal chat link, /chat/{agent}, in the browser at desktop and phone sizes: the widget
rendered as the whole page (no launcher, nothing to close), where a guest starts a conversation with
that agent, schedules a meeting from it, and finds the same conversation again on return; the page
keeps the strict CSP (no inline script or style)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_booking import GUEST, next_weekday, open_inbox, slot_at
from tests.browser.test_chat import guest_says
from tests.browser.test_csp import CspWatch

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


@pytest.mark.parametrize(
    "viewport, name, hhmm",
    [({"width": 1280, "height": 800}, "Pia", "14:00"), ({"width": 375, "height": 740}, "Quinn", "14:30")],
)
async def test_a_guest_chats_and_schedules_from_an_agents_personal_chat_link(
    browser: Any, server: LiveServer, viewport: dict[str, int], name: str, hhmm: str
) -> None:
    page = await new_page(browser, server, **GUEST, viewport=viewport)
    watch = await CspWatch.on(page)
    await page.goto(f"{server.url}/chat/alice")

    panel = page.get_by_test_id("widget-panel")
    await expect(panel).to_be_visible()
    await expect(page.get_by_test_id("launcher")).to_be_hidden()  # the page is the chat
    box = await panel.bounding_box()
    assert box is not None and box["height"] >= viewport["height"] - 1  # it fills the page
    assert box["width"] >= min(viewport["width"], 760) - 1

    await page.get_by_test_id("name-input").fill(name)
    await page.get_by_test_id("email-input").fill(f"{name.lower()}@example.org")
    await page.get_by_test_id("start-button").click()
    await guest_says(page, f"Hello Alice, {name} here.")
    await expect(page.get_by_test_id("widget-title")).to_have_text("Alice")  # a one-on-one

    day = next_weekday(3)
    start = await slot_at(server, day, hhmm)
    await page.get_by_test_id("schedule-meeting").click()
    await page.get_by_test_id("booking-subject").fill("Kickoff")
    await page.locator(f'[data-testid="booking-slot"][data-start="{start}"]').click()
    await page.get_by_test_id("booking-submit").click()
    await expect(page.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Kickoff")
    await page.screenshot(path=f"/tmp/convene-personal-chat-{viewport['width']}.png")

    # Back later: the same conversation with Alice, not a new one.
    await page.reload()
    await expect(page.get_by_test_id("message-input")).to_be_visible()
    await expect(page.get_by_test_id("messages")).to_contain_text(f"Hello Alice, {name} here.")
    await watch.assert_strict(pages=1)


async def test_the_settings_dialog_shows_both_personal_links_one_booking_calendar_and_the_sources(
    browser: Any, server: LiveServer
) -> None:
    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("settings-open").click()
    await expect(inbox.get_by_test_id("settings-chat-url")).to_have_text(f"{server.url}/chat/alice")
    await expect(inbox.get_by_test_id("settings-booking-url")).to_have_text(f"{server.url}/book/alice")
    calendar = inbox.get_by_test_id("settings-booking-calendar")
    assert await calendar.evaluate("e => e.multiple") is False  # one calendar, not several
    await expect(calendar).to_have_value("primary")
    await expect(inbox.get_by_test_id("settings-sources")).to_have_text(
        "Time zone: set in Convene. Working hours: set in Convene."  # the built-in calendar
    )
    await inbox.get_by_test_id("settings-save").click()  # saving sends the one calendar back
    await expect(inbox.get_by_test_id("settings-saved")).to_be_visible()
    await expect(inbox.get_by_test_id("settings-sources")).to_be_visible()  # still there after saving
    assert "null" not in str(await inbox.get_by_test_id("settings-dialog").text_content())
    await inbox.screenshot(path="/tmp/convene-settings-links.png")
