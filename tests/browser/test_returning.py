"""Returning guests and conversations agents create, in real browsers.

Ann chats and books on one browser; on a second one she asks to continue with her email, opens the
link from the mail (the ``.eml`` in the outbox folder) and has the same conversation and meeting.
Alice creates a conversation with "+", turns its link on, and Eve joins through ``/join/…``.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from adapters.web.limits import LIMITS
from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_booking import book_in_widget, meeting
from tests.browser.test_chat import guest_says, open_inbox, start_chat

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
SHOTS = Path("/tmp/convene-returning-shots")


async def mailed_link(server: LiveServer, to: str, subject: str) -> str:
    """The link in the newest mail to ``to``: waits for the answer's background work and the outbox."""
    await server.runner.app[LIMITS].settle()
    await server.runtime.dispatcher.handed_delivered()  # what this process delivers from memory
    while await server.runtime.dispatcher.dispatch_once():
        pass
    folder = Path(server.runtime.settings.data_dir) / "outbox"
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]
    found = [m for m in mails if to in str(m["To"]) and m["Subject"] == subject]
    assert found, [str(m["Subject"]) for m in mails]
    text = found[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://\S+email_link=[\w-]+", text)
    assert link is not None and "works once, for 30 minutes" in text
    return link.group(0)


async def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width, height in [(1280, 800), (375, 740)]:
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
    await page.set_viewport_size({"width": 1280, "height": 800})


async def test_a_guest_continues_on_a_second_browser_after_proving_the_email(
    browser: Any, server: LiveServer
) -> None:
    first = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    await start_chat(first, server, "Ann", "ann@example.org")
    await guest_says(first, "Do you ship anvils to Arizona?")
    await book_in_widget(first, "Anvil demo")

    second = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    await second.goto(server.url + "/")
    await second.get_by_test_id("launcher").click()
    await second.get_by_test_id("continue-toggle").click()
    await second.get_by_test_id("continue-email").fill("ann@example.org")
    await second.get_by_test_id("continue-button").click()
    await expect(second.get_by_test_id("continue-status")).to_contain_text("30 minutes")
    await second.goto(await mailed_link(server, "ann@example.org", "Continue your conversation"))
    await expect(second.get_by_test_id("message").filter(has_text="anvils to Arizona")).to_be_visible()
    await expect(meeting(second, "Anvil demo")).to_be_visible()
    await guest_says(second, "Writing from my phone now.")
    await expect(first.get_by_test_id("message").filter(has_text="from my phone")).to_be_visible()


async def test_an_agent_creates_a_conversation_turns_its_link_on_and_a_third_person_joins(
    browser: Any, server: LiveServer
) -> None:
    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("new-conversation").click()
    await inbox.get_by_test_id("new-name").fill("Rocket skates launch")
    await inbox.get_by_test_id("new-description").fill("Plans for the spring launch")
    await inbox.get_by_test_id("new-agent-bob").check()
    await inbox.get_by_test_id("new-emails").fill("dan@example.org")
    await expect(inbox.get_by_test_id("new-by-link")).not_to_be_checked()  # off unless chosen
    await shoot(inbox, "new-dialog")
    await inbox.get_by_test_id("new-create").click()
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text("Rocket skates launch")
    await expect(
        inbox.get_by_test_id("message").filter(has_text="Alice created the conversation")
    ).to_be_visible()
    await expect(inbox.get_by_test_id("conversation-link")).to_have_count(0)
    await inbox.get_by_test_id("link-toggle").check()
    url = inbox.get_by_test_id("conversation-link-url")
    await expect(url).to_have_value(re.compile(r"/join/[\w-]+$"))
    join_url = await url.input_value()
    await expect(inbox.get_by_test_id("conversation-link")).to_be_visible()
    await shoot(inbox, "inbox-link")

    eve = await new_page(browser, server, locale="en-GB")
    await eve.goto(join_url)
    await shoot(eve, "join-page")
    await eve.get_by_test_id("join-name").fill("Eve")
    await eve.get_by_test_id("join-email").fill("eve@example.org")
    await eve.get_by_test_id("join-button").click()
    await expect(eve).to_have_url(re.compile(r"/c/[\w-]+$"))
    await expect(eve.get_by_test_id("message").filter(has_text="Plans for the spring launch")).to_be_visible()
    await shoot(eve, "conversation-page")
    await expect(inbox.get_by_test_id("message").filter(has_text="Eve joined by link")).to_be_visible()

    # Turning the link off kills it: a fourth person is refused.
    await inbox.get_by_test_id("link-toggle").uncheck()
    await expect(inbox.get_by_test_id("conversation-link")).to_have_count(0)
    late = await new_page(browser, server)
    await late.goto(join_url)
    await late.get_by_test_id("join-name").fill("Fay")
    await late.get_by_test_id("join-email").fill("fay@example.org")
    await late.get_by_test_id("join-button").click()
    await expect(late.get_by_test_id("join-error")).to_contain_text("invalid")
