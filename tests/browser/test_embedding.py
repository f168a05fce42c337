"""The widget embedded on someone else's website (another origin): CORS, a personal link, styles."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, OtherSite, new_page
from tests.browser.test_chat import conversation, guest_says, open_inbox, thread_message

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]

PARTNER_PAGE = """<!doctype html>
<html><head><title>Alice's consulting</title>
<style>div, p, span { color: red !important; font-size: 40px !important; } </style></head>
<body><h1>Book time with Alice</h1>
<script src="{convene}/widget.js" data-agent="alice" async></script>
</body></html>"""


async def test_widget_on_another_origin_opens_a_personal_chat(
    browser: Any, server: LiveServer, other_site: OtherSite
) -> None:
    other_site.pages["/"] = PARTNER_PAGE.replace("{convene}", server.url)
    partner_site = other_site.url + "/"
    guest = await new_page(browser, server)
    calls: list[Any] = []
    guest.on("request", lambda r: "/api/guest/" in r.url and calls.append(r))
    await guest.goto(partner_site)
    await guest.get_by_test_id("launcher").click()
    await guest.get_by_test_id("name-input").fill("Zoe")
    await guest.get_by_test_id("start-button").click()
    await guest_says(guest, "Can we meet next week?")
    await expect(guest.get_by_test_id("widget-title")).to_have_text("Alice")  # a one-on-one
    # Cross-origin calls with a bearer token: only CORS (preflight included) lets them through.
    origins = {(await call.all_headers()).get("origin") for call in calls}
    assert origins == {partner_site.rstrip("/")}

    # The host page's CSS does not reach into the widget.
    text = thread_message(guest, "Can we meet next week?").get_by_test_id("message-text")
    assert await text.evaluate("e => getComputedStyle(e).fontSize") != "40px"

    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Zoe").click()
    await expect(thread_message(inbox, "Can we meet next week?")).to_be_visible()
    await expect(inbox.get_by_test_id("assignee")).to_have_text("Alice")


async def test_widget_actions_hook_adds_buttons(browser: Any, server: LiveServer) -> None:
    """The booking UI's "Schedule a meeting" button lives in this toolbar; pages may add more."""
    guest = await new_page(browser, server)
    await guest.goto(server.url + "/")
    await guest.get_by_test_id("launcher").click()
    await expect(guest.get_by_test_id("widget-actions").get_by_test_id("schedule-meeting")).to_be_visible()
    await guest.evaluate(
        """() => window.Convene.widget.addAction({
            id: "hello", label: "Say hello", run: (ctx) => ctx.notice("target: " + ctx.target.service),
        })"""
    )
    await guest.get_by_test_id("action-hello").click()
    await expect(guest.get_by_test_id("notice")).to_have_text("target: sales")
