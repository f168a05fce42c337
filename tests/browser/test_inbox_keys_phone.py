"""The inbox's keyboard shortcuts and its phone layout in headless Chromium, at 1280x800 and 375x740:
j/k move through the list, r focuses the reply, a assigns to me, / searches, ? lists the shortcuts in a
dialog that Escape closes, and none of them fires while typing; on a phone the inbox shows one pane at
a time (list → thread → contact) with a Back button and the thread's actions in thumb reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import open_inbox
from tests.browser.test_inbox_search import guest_conversation
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
SHOTS = Path("/tmp/convene-inbox-ux-shots")
WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 375, "height": 740}


async def three_guests(browser: Any, server: LiveServer) -> list[str]:
    page = await new_page(browser, server)
    return [
        await guest_conversation(page, server, name, [f"Hello from {name}"])
        for name in ("Ann", "Ben", "Cleo")
    ]


def current(inbox: Any) -> Any:
    return inbox.locator(
        '[data-testid="conversation-item"][aria-current="true"] [data-testid="conversation-name"]'
    )


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1280x800", "375x740"])
async def test_keyboard_shortcuts_move_reply_assign_search_and_list_themselves(
    browser: Any, server: LiveServer, size: dict[str, int]
) -> None:
    await three_guests(browser, server)
    inbox = await open_inbox(browser, server, "alice")
    await inbox.set_viewport_size(size)
    await expect(inbox.get_by_test_id("conversation-item")).to_have_count(3)
    names = await inbox.get_by_test_id("conversation-name").all_inner_texts()  # newest first

    await inbox.keyboard.press("j")
    await expect(current(inbox)).to_have_text(names[0])
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text(names[0])
    await inbox.keyboard.press("j")
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text(names[1])
    await inbox.keyboard.press("j")
    await inbox.keyboard.press("k")
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text(names[1])

    await inbox.keyboard.press("r")
    await expect(inbox.get_by_test_id("reply-input")).to_be_focused()
    await inbox.keyboard.type("jak?")  # typing: letters are letters
    await expect(inbox.get_by_test_id("reply-input")).to_have_value("jak?")
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text(names[1])
    await expect(inbox.get_by_test_id("shortcuts-dialog")).to_be_hidden()
    await inbox.get_by_test_id("reply-input").fill("")
    await inbox.get_by_test_id("reply-input").evaluate("node => node.blur()")

    await inbox.keyboard.press("a")
    await expect(inbox.get_by_test_id("assignee")).to_have_text("Alice (Sales)")

    await inbox.keyboard.press("?")
    dialog = inbox.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator("dt")).to_have_text(["j", "k", "r", "e", "a", "/", "?"])
    await assert_accessible(inbox)
    await inbox.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()

    await inbox.keyboard.press("e")  # resolve: a hook for the status work; nothing breaks meanwhile
    await inbox.keyboard.press("/")  # on a phone too: the list pane with the box comes back
    await expect(inbox.get_by_test_id("search-input")).to_be_focused()


async def test_on_a_phone_the_inbox_shows_one_pane_at_a_time_with_a_back_button(
    browser: Any, server: LiveServer
) -> None:
    await three_guests(browser, server)
    inbox = await open_inbox(browser, server, "alice")
    await inbox.set_viewport_size(PHONE)
    list_, thread, contact = (
        inbox.get_by_test_id("conversation-list"),
        inbox.get_by_test_id("thread"),
        inbox.get_by_test_id("contact-panel"),
    )
    await expect(list_).to_be_visible()
    await expect(thread).to_be_hidden()
    await expect(inbox.get_by_test_id("thread-back")).to_be_hidden()
    await shoot(inbox, "phone-list")

    await inbox.get_by_test_id("conversation-item").filter(has_text="Ben").click()
    await expect(thread).to_be_visible()
    await expect(list_).to_be_hidden()
    await expect(contact).to_be_hidden()
    await expect(inbox.get_by_test_id("thread-back")).to_be_visible()
    await expect(inbox.get_by_test_id("assignee")).to_be_visible()  # the header keeps the assignee
    await expect(inbox.get_by_test_id("agent-meetings")).to_be_hidden()  # folded away
    await expect(inbox.get_by_test_id("assign-form")).to_be_hidden()
    bar = await inbox.get_by_test_id("phone-actions").bounding_box()
    assert bar is not None and bar["y"] > 740 / 2  # in the bottom half: thumb reach
    width = await inbox.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing wider than the phone
    await shoot(inbox, "phone-thread")

    await inbox.get_by_test_id("phone-meetings").click()
    await expect(inbox.get_by_test_id("agent-meetings")).to_be_visible()
    await inbox.get_by_test_id("phone-meetings").click()
    await inbox.get_by_test_id("phone-assign-me").click()
    await expect(inbox.get_by_test_id("assignee")).to_have_text("Alice (Sales)")

    await inbox.get_by_test_id("phone-contact").click()
    await expect(contact).to_be_visible()
    await expect(thread).to_be_hidden()
    await expect(inbox.get_by_test_id("contact-name")).to_have_value("Ben")
    await shoot(inbox, "phone-contact")
    await inbox.get_by_test_id("contact-close").click()
    await expect(thread).to_be_visible()
    await inbox.get_by_test_id("thread-back").click()
    await expect(list_).to_be_visible()
    await expect(thread).to_be_hidden()


async def test_the_inbox_passes_the_accessibility_check_wide_and_on_a_phone(
    browser: Any, server: LiveServer
) -> None:
    await three_guests(browser, server)
    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("conversation-item").first.click()
    await expect(inbox.get_by_test_id("contact-panel")).to_be_visible()
    await assert_accessible(inbox)
    await shoot(inbox, "wide-thread", sizes=[WIDE])
    await inbox.set_viewport_size(PHONE)
    await assert_accessible(inbox)
    await inbox.get_by_test_id("thread-back").click()
    await assert_accessible(inbox)


async def shoot(page: Any, name: str, sizes: list[dict[str, int]] | None = None) -> None:
    SHOTS.mkdir(exist_ok=True)
    for size in sizes or [page.viewport_size]:
        await page.set_viewport_size(size)
        await page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))
