"""Conversation status in the inbox, in headless Chromium: the filters' counts and lists follow what
another agent does (in a second browser) without a reload; Resolve, Reopen and Snooze in the thread
header; a snooze that ends (on a driven clock) brings the conversation back with a notice. Screens at
1280x800 and 375x740 pass the accessibility check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, live_server, new_page
from tests.browser.test_chat import open_inbox
from tests.browser.test_inbox_search import guest_conversation
from tests.conftest import DrivenClock
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def count(inbox: Any, name: str) -> Any:
    return inbox.locator(f'[data-count="{name}"]')


def item(inbox: Any, name: str) -> Any:
    return inbox.get_by_test_id("conversation-item").filter(has_text=name)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "375x740"])
async def test_counts_and_lists_follow_another_agent_live(
    browser: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    page = await new_page(browser, server)
    await guest_conversation(page, server, "Ann", ["Where is my parcel?"])
    await guest_conversation(page, server, "Ben", ["A quote, please"])
    alice = await open_inbox(browser, server, "alice")
    await alice.set_viewport_size(viewport)
    await alice.get_by_test_id("scope-all").click()
    await expect(count(alice, "services")).to_have_text("2")
    await expect(count(alice, "unassigned")).to_have_text("2")
    await expect(count(alice, "mine")).to_have_text("0")

    bob = await open_inbox(browser, server, "bob")  # a second browser profile
    await item(bob, "Ann").click()
    await bob.get_by_test_id("status-resolve").click()
    await expect(bob.get_by_test_id("conversation-status")).to_have_text("· Resolved")
    await expect(bob.get_by_test_id("status-reopen")).to_be_visible()
    await expect(bob.get_by_test_id("status-resolve")).to_be_hidden()

    # Alice's inbox follows without a reload.
    await expect(count(alice, "resolved")).to_have_text("1")
    await expect(count(alice, "services")).to_have_text("1")
    await expect(item(alice, "Ann")).to_have_count(0)
    await expect(alice.get_by_test_id("list-empty")).to_be_hidden()  # Ben is still there
    await alice.get_by_test_id("scope-snoozed").click()
    await expect(alice.get_by_test_id("list-empty")).to_have_text("Nothing is snoozed.")
    await alice.get_by_test_id("scope-resolved").click()
    await expect(item(alice, "Ann")).to_have_count(1)
    await expect(alice.get_by_test_id("scope-resolved")).to_have_attribute("aria-selected", "true")

    await item(bob, "Ben").click()
    await bob.get_by_test_id("assign-agent").select_option("alice")
    await bob.get_by_test_id("assign-button").click()
    await expect(count(alice, "mine")).to_have_text("1")
    await expect(count(alice, "unassigned")).to_have_text("0")
    await alice.get_by_test_id("scope-mine").click()
    await expect(item(alice, "Ben")).to_have_count(1)

    # Reopening brings Ann back to everyone's open filters.
    await expect(item(bob, "Ann")).to_have_count(0)  # resolved: gone from Bob's open list too
    await bob.get_by_test_id("scope-resolved").click()
    await item(bob, "Ann").click()
    await bob.get_by_test_id("status-reopen").click()
    await expect(count(alice, "resolved")).to_have_text("0")
    await expect(count(alice, "services")).to_have_text("2")
    await item(alice, "Ben").click()
    await expect(alice.get_by_test_id("status-resolve")).to_be_visible()
    name = f"{viewport['width']}x{viewport['height']}"
    await alice.screenshot(path=f"/tmp/convene-status-{name}.png")
    await assert_accessible(alice)
    await alice.get_by_test_id("status-snooze").click()
    await expect(alice.get_by_test_id("snooze-tomorrow")).to_be_in_viewport()
    await alice.screenshot(path=f"/tmp/convene-status-{name}-snooze.png")


@pytest.fixture
async def clocked_server(sqlite_url: str, make_settings: Any) -> AsyncIterator[LiveServer]:
    """The browser tests' server, on a clock the test moves (its job runner reads it)."""
    clock = DrivenClock(datetime.now(UTC).replace(microsecond=0))
    async with live_server(sqlite_url, make_settings, clock) as live:
        yield live


async def test_a_snooze_ends_on_time_and_brings_the_conversation_back(
    clocked_server: LiveServer, browser: Any
) -> None:  # the server first: the browser closes its sockets before the server stops
    server = clocked_server
    page = await new_page(browser, server)
    await guest_conversation(page, server, "Ann", ["Call me later"])
    alice = await open_inbox(browser, server, "alice")
    await item(alice, "Ann").click()
    await alice.get_by_test_id("assign-me").click()
    await expect(count(alice, "mine")).to_have_text("1")

    await alice.get_by_test_id("status-snooze").click()
    await alice.get_by_test_id("snooze-until").fill("2020-01-01T09:00")  # in the past: refused
    await alice.get_by_test_id("snooze-custom-submit").click()
    await expect(alice.get_by_test_id("thread-error")).to_have_text("The snooze must end in the future.")
    await expect(count(alice, "snoozed")).to_have_text("0")

    await alice.get_by_test_id("snooze-hour").click()
    await expect(alice.get_by_test_id("conversation-status")).to_contain_text("Snoozed until")
    await expect(alice.get_by_test_id("thread-error")).to_be_hidden()
    await expect(count(alice, "snoozed")).to_have_text("1")
    await expect(count(alice, "mine")).to_have_text("0")
    await expect(alice.get_by_test_id("status-notice")).to_be_hidden()
    await alice.set_viewport_size(DESKTOP)
    await alice.get_by_test_id("status-snooze").click()
    await alice.screenshot(path="/tmp/convene-status-snooze-menu.png")
    await assert_accessible(alice)
    await alice.get_by_test_id("status-snooze").click()

    server.runtime.clock.advance(minutes=61)  # type: ignore[attr-defined]
    server.runtime.jobs.wake()
    await expect(alice.get_by_test_id("status-notice")).to_have_text(
        "A snoozed conversation of yours is open again. Show it"
    )
    await expect(count(alice, "mine")).to_have_text("1")
    await expect(count(alice, "snoozed")).to_have_text("0")
    await expect(alice.get_by_test_id("conversation-status")).to_have_text("")
    await expect(
        alice.get_by_test_id("message-text").filter(
            has_text="The snooze ended: the conversation is open again."
        )
    ).to_be_visible()
    await alice.get_by_test_id("status-notice-open").click()
    await expect(alice.get_by_test_id("status-notice")).to_be_hidden()
    await expect(alice.get_by_test_id("conversation-title")).to_have_text("Ann")
    await assert_accessible(alice)
