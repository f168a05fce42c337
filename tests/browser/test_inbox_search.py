"""The inbox's search, saved replies and contact panel in headless Chromium: `/` finds a message and
opens it in its thread, scrolled to and highlighted; `/` in the composer inserts a saved reply, filled
in; the contact beside the thread shows the guest and saves a new name and a note; all of it fits
1280x800 and 375x740."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import open_inbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def guest_conversation(page: Any, server: LiveServer, name: str, texts: list[str]) -> str:
    r = await page.request.post(server.url + "/api/guest/sessions", data={"name": name})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await page.request.post(
        server.url + "/api/guest/conversations",
        data={"service": "sales", "text": texts[0], "client_id": "0"},
        headers=headers,
    )
    conversation: str = (await r.json())["conversation"]["id"]
    for i, text in enumerate(texts[1:], 1):
        await page.request.post(
            server.url + f"/api/guest/conversations/{conversation}/messages",
            data={"text": text, "client_id": str(i)},
            headers=headers,
        )
    return conversation


async def test_search_finds_a_message_and_opens_it_scrolled_to_and_highlighted(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server)
    texts = ["My parcel is late", "It was <b>ordered</b> in March"] + [f"filler line {i}" for i in range(40)]
    await guest_conversation(page, server, "Ann", texts)
    inbox = await open_inbox(browser, server, "alice")
    await inbox.keyboard.press("/")
    await expect(inbox.get_by_test_id("search-input")).to_be_focused()
    await inbox.keyboard.type("order")
    result = inbox.get_by_test_id("search-result").filter(has_text="March")
    await expect(result).to_have_count(1)
    await expect(result.locator("mark")).to_have_text("ordered")
    await expect(result.get_by_test_id("search-snippet")).to_have_text("It was <b>ordered</b> in March")
    await result.click()
    found = inbox.locator('[data-testid="message"][data-found="true"]')
    await expect(found.get_by_test_id("message-text")).to_have_text("It was <b>ordered</b> in March")
    await expect(found).to_be_in_viewport()


async def test_a_saved_reply_is_added_in_the_settings_and_inserted_with_a_slash(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server)
    await guest_conversation(page, server, "Ann", ["Hello?"])
    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("settings-open").click()
    await inbox.get_by_test_id("saved-reply-title").fill("Greeting")
    await inbox.get_by_test_id("saved-reply-body").fill("Hello {guest_name}, this is {agent_name}.")
    await inbox.get_by_test_id("saved-reply-save").click()
    await expect(inbox.get_by_test_id("saved-reply-item")).to_contain_text("Greeting")
    await inbox.get_by_test_id("settings-close").click()

    await inbox.get_by_test_id("conversation-list").get_by_text("Ann").first.click()
    composer = inbox.get_by_test_id("reply-input")
    await composer.click()
    await inbox.keyboard.type("Sure. /gree")
    await expect(inbox.get_by_test_id("saved-reply-option")).to_have_count(1)
    await inbox.keyboard.press("Enter")
    await expect(composer).to_have_value("Sure. Hello Ann, this is Alice.")
    await expect(inbox.get_by_test_id("saved-reply-picker")).to_be_hidden()
    await inbox.keyboard.press("Enter")  # now Enter sends, as before
    await expect(inbox.get_by_test_id("message-text").last).to_have_text("Sure. Hello Ann, this is Alice.")


async def test_the_contact_panel_shows_the_guest_and_saves_a_new_name_and_a_note(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server)
    await guest_conversation(page, server, "Ann", ["Hello?"])
    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("conversation-list").get_by_text("Ann").first.click()
    panel = inbox.get_by_test_id("contact-panel")
    await expect(panel).to_be_visible()
    await expect(inbox.get_by_test_id("contact-name")).to_have_value("Ann")
    await expect(inbox.get_by_test_id("contact-origin")).to_have_text("Website widget")
    await inbox.get_by_test_id("contact-name").fill("Ann Lee")
    await inbox.get_by_test_id("contact-note").fill("Prefers <i>mornings</i>")
    await inbox.get_by_test_id("contact-save").click()
    await expect(inbox.get_by_test_id("contact-saved")).to_be_visible()
    await inbox.reload()
    await expect(inbox.get_by_test_id("contact-name")).to_have_value("Ann Lee")
    await expect(inbox.get_by_test_id("contact-note")).to_have_value("Prefers <i>mornings</i>")


@pytest.mark.parametrize("width, height", [(1280, 800), (375, 740)])
async def test_the_inbox_with_search_results_and_the_contact_fits_the_screen(
    browser: Any, server: LiveServer, width: int, height: int, tmp_path: Path
) -> None:
    page = await new_page(browser, server)
    await guest_conversation(page, server, "Ann", ["Where is my invoice?", "The invoice number is 42"])
    inbox = await new_page(browser, server, viewport={"width": width, "height": height})
    await inbox.goto(await server.login_link("alice"))
    await expect(inbox.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    await inbox.get_by_test_id("search-input").fill("invoice")
    await expect(inbox.get_by_test_id("search-result")).to_have_count(2)
    folder = Path(os.environ.get("CONVENE_SCREENSHOTS", tmp_path))
    scroll_width = await inbox.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width  # nothing pushes the page sideways
    await inbox.screenshot(path=str(folder / f"inbox-search-{width}.png"))
    await inbox.get_by_test_id("search-result").first.click()
    await expect(inbox.locator('[data-found="true"]')).to_be_in_viewport()
    if width < 768:  # a phone shows one pane at a time: the contact is one tap away
        await inbox.get_by_test_id("phone-contact").click()
    await expect(inbox.get_by_test_id("contact-panel")).to_be_visible()
    assert await inbox.evaluate("document.documentElement.scrollWidth") <= width
    await inbox.screenshot(path=str(folder / f"inbox-contact-{width}.png"), full_page=True)
