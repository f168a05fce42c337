"""A guest on the demo site and an agent in the web inbox talk to each other, live, in two browsers."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def open_widget(page: Any, server: LiveServer) -> None:
    await page.goto(server.url + "/")
    await page.get_by_test_id("launcher").click()


async def start_chat(page: Any, server: LiveServer, name: str, email: str = "") -> None:
    await open_widget(page, server)
    await page.get_by_test_id("name-input").fill(name)
    if email:
        await page.get_by_test_id("email-input").fill(email)
    await page.get_by_test_id("start-button").click()
    await expect(page.get_by_test_id("message-input")).to_be_visible()


async def guest_says(page: Any, text: str, *, acked: bool = True) -> None:
    await page.get_by_test_id("message-input").fill(text)
    await page.get_by_test_id("send-button").click()
    bubble = page.get_by_test_id("message").filter(has_text=text)
    await expect(bubble).to_have_attribute("data-author-kind", "guest")
    if acked:  # the server acknowledged it: stored
        await expect(bubble).to_have_attribute("data-status", "sent")


async def open_inbox(browser: Any, server: LiveServer, slug: str) -> Any:
    page = await new_page(browser, server)
    await page.goto(await server.login_link(slug))  # the one-time link from the email
    await expect(page).to_have_url(server.url + "/inbox")
    await expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    return page


async def agent_replies(page: Any, text: str) -> None:
    await page.get_by_test_id("reply-input").fill(text)
    await page.get_by_test_id("reply-send").click()


def conversation(inbox: Any, guest_name: str) -> Any:
    return inbox.get_by_test_id("conversation-item").filter(has_text=guest_name)


def thread_message(page: Any, text: str) -> Any:
    return page.get_by_test_id("message").filter(has_text=text)


async def test_guest_writes_agent_takes_it_and_replies_live(browser: Any, server: LiveServer) -> None:
    inbox = await open_inbox(browser, server, "alice")
    await expect(inbox.get_by_test_id("list-empty")).to_be_visible()

    guest = await new_page(browser, server)
    await open_widget(guest, server)
    await guest.get_by_test_id("name-input").fill("Ann")
    await guest.screenshot(path="/tmp/convene-widget-intro.png")
    await start_chat(guest, server, "Ann", "ann@example.org")
    await guest_says(guest, "Do you ship anvils to Arizona?")
    await expect(guest.get_by_test_id("widget-title")).to_have_text("Sales")

    item = conversation(inbox, "Ann")
    await expect(item).to_have_count(1)  # appeared without a reload
    await expect(item.get_by_test_id("conversation-preview")).to_have_text("Do you ship anvils to Arizona?")
    await expect(item.get_by_test_id("unread-count")).to_have_text("1")
    await guest_says(guest, "And rocket skates?")
    await expect(item.get_by_test_id("unread-count")).to_have_text("2")

    await item.click()
    await expect(thread_message(inbox, "Do you ship anvils to Arizona?")).to_have_attribute(
        "data-author-kind", "guest"
    )
    await expect(item.get_by_test_id("unread-count")).to_be_hidden()
    await expect(inbox.get_by_test_id("assignee")).to_have_text("Sales (anyone)")
    await inbox.get_by_test_id("assign-me").click()
    await expect(inbox.get_by_test_id("assignee")).to_have_text("Alice (Sales)")

    await agent_replies(inbox, "Yes, we do! Same-day delivery.")
    await expect(thread_message(inbox, "Same-day delivery")).to_have_attribute("data-status", "sent")

    # The guest sees the reply and the assignment notice without reloading.
    reply = thread_message(guest, "Yes, we do! Same-day delivery.")
    await expect(reply).to_have_attribute("data-author-kind", "agent")
    await expect(reply.get_by_test_id("message-author")).to_have_text("Alice")
    notice = thread_message(guest, "Alice took this conversation (Sales).")
    await expect(notice).to_have_attribute("data-author-kind", "system")
    kinds = await guest.get_by_test_id("message").evaluate_all("els => els.map(e => e.dataset.authorKind)")
    assert kinds == ["system", "guest", "guest", "system", "agent"]

    # The host page styles buttons yellow; the Shadow DOM keeps the widget its own.
    launcher_bg = await guest.get_by_test_id("launcher").evaluate("b => getComputedStyle(b).backgroundColor")
    assert launcher_bg != "rgb(255, 255, 0)"

    await inbox.screenshot(path="/tmp/convene-inbox.png")
    await guest.screenshot(path="/tmp/convene-widget.png")


async def test_agent_hands_over_to_another_service_member(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Ben")
    await guest_says(guest, "I need a quote for 40 anvils")

    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ben").click()
    await expect(inbox.get_by_test_id("assign-service")).to_have_value("sales")
    await inbox.get_by_test_id("assign-agent").select_option("bob")
    await inbox.get_by_test_id("assign-button").click()
    await expect(inbox.get_by_test_id("assignee")).to_have_text("Bob (Sales)")
    await expect(thread_message(guest, "Alice assigned this conversation to Bob (Sales).")).to_be_visible()

    # "Mine" lists only what is assigned to me.
    await inbox.get_by_test_id("scope-mine").click()
    await expect(inbox.get_by_test_id("conversation-item")).to_have_count(0)
    await inbox.get_by_test_id("scope-all").click()
    await expect(conversation(inbox, "Ben")).to_have_count(1)
    await inbox.set_viewport_size({"width": 420, "height": 800})  # a phone: list above the thread
    await inbox.screenshot(path="/tmp/convene-inbox-narrow.png")


async def test_internal_notes_stay_with_agents(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Cleo")
    await guest_says(guest, "Hello?")
    inbox = await open_inbox(browser, server, "bob")
    await conversation(inbox, "Cleo").click()
    await inbox.get_by_test_id("internal-note").check()
    await agent_replies(inbox, "Big customer, be nice")
    await expect(thread_message(inbox, "Big customer, be nice")).to_have_attribute("data-internal", "true")
    await agent_replies(inbox, "Hi Cleo!")
    await expect(thread_message(guest, "Hi Cleo!")).to_be_visible()
    await expect(thread_message(guest, "Big customer")).to_have_count(0)


async def test_reload_keeps_the_session_and_the_history(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Dana")
    await guest_says(guest, "First question")
    await guest.reload()
    await guest.get_by_test_id("launcher").click()
    await expect(guest.get_by_test_id("name-input")).to_be_hidden()
    await expect(thread_message(guest, "Dana started a conversation with Sales.")).to_be_visible()
    await expect(thread_message(guest, "First question")).to_have_count(1)
    await guest_says(guest, "Second question")

    inbox = await open_inbox(browser, server, "alice")
    await expect(conversation(inbox, "Dana")).to_have_count(1)  # one conversation, continued
    await conversation(inbox, "Dana").click()
    await expect(inbox.get_by_test_id("message").filter(has_text="question")).to_have_count(2)


async def test_html_in_messages_is_shown_as_text(browser: Any, server: LiveServer) -> None:
    attack = "<img src=x onerror=alert(1)>"
    guest = await new_page(browser, server)
    await start_chat(guest, server, "<b>Eve</b>")
    await guest_says(guest, attack)
    await expect(guest.get_by_test_id("message-text").filter(has_text=attack)).to_have_text(attack)

    inbox = await open_inbox(browser, server, "alice")
    item = conversation(inbox, "<b>Eve</b>")
    await expect(item.get_by_test_id("conversation-name")).to_have_text("<b>Eve</b>")
    await expect(item.get_by_test_id("conversation-preview")).to_have_text(attack)
    await item.click()
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text("<b>Eve</b>")
    await expect(inbox.get_by_test_id("message-text").filter(has_text=attack)).to_have_text(attack)
    await agent_replies(inbox, "<script>alert(2)</script>ok")
    await expect(guest.get_by_test_id("message-text").filter(has_text="ok")).to_have_text(
        "<script>alert(2)</script>ok"
    )

    for page in (guest, inbox):
        assert await page.locator("img").count() == 0  # CSS locators pierce the widget's shadow root
        assert await page.locator("b").count() == 0
        assert await page.locator(".text script, .msg script").count() == 0
    # no_page_errors: an alert() would have been recorded as an opened dialog.
