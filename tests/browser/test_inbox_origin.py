"""Where a guest came from, end to end in headless Chromium: the widget on someone's page sends that
page's address when the session starts, and the contact panel shows "Website widget" with the page
(without its fragment); a guest of an agent's personal chat link shows as "Personal link"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import guest_says, open_inbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def chat_from(page: Any, url: str, name: str, text: str, *, launcher: bool) -> None:
    await page.goto(url)
    if launcher:
        await page.get_by_test_id("launcher").click()
    await page.get_by_test_id("name-input").fill(name)
    await page.get_by_test_id("start-button").click()
    await guest_says(page, text)


async def test_the_contact_panel_shows_the_page_the_widget_was_on_and_a_personal_link(
    browser: Any, server: LiveServer
) -> None:
    await chat_from(
        await new_page(browser, server),
        f"{server.url}/test-site?service=sales#pricing",
        "Ann",
        "Hello from the pricing page",
        launcher=True,
    )
    await chat_from(
        await new_page(browser, server), f"{server.url}/chat/alice", "Ben", "Hello Alice", launcher=False
    )

    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("conversation-item").filter(has_text="Ann").click()
    await expect(inbox.get_by_test_id("contact-origin")).to_contain_text("Website widget")
    page_link = inbox.get_by_test_id("contact-origin-url")
    await expect(page_link).to_have_text(f"{server.url}/test-site?service=sales")
    await expect(page_link).to_have_attribute("href", f"{server.url}/test-site?service=sales")

    await inbox.get_by_test_id("conversation-item").filter(has_text="Ben").click()
    await expect(inbox.get_by_test_id("contact-name")).to_have_value("Ben")
    await expect(inbox.get_by_test_id("contact-origin")).to_contain_text("Personal link")
    await expect(inbox.get_by_test_id("contact-origin-url")).to_have_text(f"{server.url}/chat/alice")
