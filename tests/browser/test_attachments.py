"""Files, links and emoji in headless Chromium: a guest attaches a picture in the widget and the agent
sees its thumbnail live in the inbox; the agent attaches a PDF and the guest sees a file card that
downloads it. Web addresses in messages are links (http, https, mailto only; hostile text stays text),
the emoji picker inserts at the cursor from the keyboard, refused files are explained in the guest's
language, and axe finds nothing serious with the widget open, the picker open and files shown."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, OtherSite, new_page
from tests.browser.test_chat import (
    agent_replies,
    conversation,
    guest_says,
    open_inbox,
    start_chat,
    thread_message,
)
from tests.browser.test_conversation_picture import png
from tests.integration.test_attachments import EXE, PDF
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("CONVENE_SCREENSHOTS", tmp_path))


async def test_a_picture_and_a_pdf_go_both_ways_live(
    browser: Any, server: LiveServer, tmp_path: Path
) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Ann")
    await guest_says(guest, "Hello, here is the broken part")
    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ann").click()

    await guest.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "part.png", "mimeType": "image/png", "buffer": png()}]
    )
    mine = guest.get_by_test_id("message").filter(has=guest.get_by_test_id("attachment-thumb"))
    await expect(mine).to_have_attribute("data-author-kind", "guest")
    await expect(mine.get_by_test_id("attachment-thumb")).to_have_attribute("data-loaded", "true")
    thumb = inbox.get_by_test_id("attachment-thumb")  # live: nobody reloaded the inbox
    await expect(thumb).to_have_attribute("data-loaded", "true")
    await expect(thumb).to_have_attribute("aria-label", "Open picture part.png")
    image = inbox.get_by_test_id("attachment-image")
    assert await image.evaluate("img => img.naturalWidth") == 300  # the picture's own pixels arrived
    assert (await image.get_attribute("src") or "").startswith("blob:")
    async with inbox.expect_popup() as opening:  # a click opens the picture itself in a new tab
        await thumb.click()
    assert (await opening.value).url == await image.get_attribute("src")

    await inbox.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await expect(inbox.get_by_test_id("attachment-file")).to_contain_text("offer.pdf")
    card = guest.get_by_test_id("attachment-file")
    await expect(card).to_contain_text("offer.pdf")
    await expect(card).to_contain_text("1 KB")
    await expect(card).to_have_attribute("aria-label", "Download offer.pdf (1 KB)")
    async with guest.expect_download() as waiting:
        await card.click()
    download = await waiting.value
    assert download.suggested_filename == "offer.pdf"
    assert Path(await download.path()).read_bytes() == PDF

    await assert_accessible(guest)  # the widget open, with a thumbnail and a file card
    await inbox.get_by_test_id("emoji-button").click()
    await expect(inbox.get_by_test_id("emoji-panel")).to_be_visible()
    await assert_accessible(inbox)  # with a thumbnail, a file card and the emoji grid open
    await guest.screenshot(path=str(shots(tmp_path) / "attachments-widget-1280.png"))
    await inbox.screenshot(path=str(shots(tmp_path) / "attachments-inbox-1280.png"))
    await guest.set_viewport_size({"width": 375, "height": 740})
    await expect(card).to_be_in_viewport()
    assert await guest.evaluate("document.documentElement.scrollWidth") <= 375
    await guest.screenshot(path=str(shots(tmp_path) / "attachments-widget-375.png"))


async def test_addresses_become_links_and_hostile_text_stays_text(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Ben")
    hostile = (
        "See https://example.org/a?b=1. Not javascript:alert(1) <img src=x onerror=alert(2)> (www.x.test)"
    )
    await guest_says(guest, hostile)
    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ben").click()
    text = thread_message(inbox, "See https").get_by_test_id("message-text")
    await expect(text).to_have_text(hostile)  # every character shown as typed
    links = text.locator("a")
    await expect(links).to_have_count(1)
    await expect(links).to_have_attribute("href", "https://example.org/a?b=1")
    await expect(links).to_have_text("https://example.org/a?b=1")  # the sentence's full stop is not in it
    await expect(links).to_have_attribute("target", "_blank")
    await expect(links).to_have_attribute("rel", "noopener noreferrer")
    await expect(text.locator("img")).to_have_count(0)

    await agent_replies(
        inbox, "Write to mailto:alice@example.com or [javascript:alert(3)](javascript:alert(3))"
    )
    reply = thread_message(guest, "Write to").get_by_test_id("message-text")
    await expect(reply.locator("a")).to_have_count(1)
    await expect(reply.locator("a")).to_have_attribute("href", "mailto:alice@example.com")
    await expect(guest.locator("a[href^='javascript']")).to_have_count(0)


async def test_the_emoji_picker_inserts_at_the_cursor_by_keyboard(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Cleo")
    box = guest.get_by_test_id("message-input")
    await box.fill("Hello world")
    await box.evaluate("input => input.setSelectionRange(5, 5)")  # after "Hello"
    button = guest.get_by_test_id("emoji-button")
    await button.focus()
    await guest.keyboard.press("Enter")
    panel = guest.get_by_test_id("emoji-panel")
    await expect(panel).to_be_visible()
    await expect(button).to_have_attribute("aria-expanded", "true")
    await expect(guest.get_by_test_id("emoji").first).to_be_focused()
    await assert_accessible(guest)  # the widget open with the grid open
    await guest.screenshot(path="/tmp/convene-emoji-picker.png")
    await guest.keyboard.press("ArrowRight")
    await guest.keyboard.press("ArrowDown")  # the second row's second emoji: 😅
    await guest.keyboard.press("Enter")
    await expect(panel).to_be_hidden()
    await expect(box).to_have_value("Hello😅 world")
    await expect(box).to_be_focused()
    await guest.keyboard.type("!")  # the cursor sits right after the emoji
    await expect(box).to_have_value("Hello😅! world")

    await button.click()
    await guest.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    await expect(button).to_be_focused()
    await expect(guest.get_by_test_id("widget-panel")).to_be_visible()  # Escape closed only the grid


async def test_a_pasted_screenshot_and_a_dropped_pdf_are_sent(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Eve")
    await guest_says(guest, "Look at this")
    await guest.get_by_test_id("message-input").evaluate(
        """(input, b64) => {
          const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "image.png", { type: "image/png" });
          const data = new DataTransfer();
          data.items.add(file);
          input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        base64.b64encode(png()).decode(),
    )
    await expect(guest.get_by_test_id("attachment-thumb")).to_have_attribute("data-loaded", "true")
    await expect(guest.get_by_test_id("message-input")).to_have_value(
        ""
    )  # the picture was not pasted as text
    dropped = await guest.evaluate_handle(
        """(b64) => {
          const data = new DataTransfer();
          data.items.add(new File([atob(b64)], "form.pdf", { type: "application/pdf" }));
          return data;
        }""",
        base64.b64encode(PDF).decode(),
    )
    await guest.get_by_test_id("messages").dispatch_event("drop", {"dataTransfer": dropped})
    await expect(guest.get_by_test_id("attachment-file")).to_contain_text("form.pdf")


async def test_files_work_from_another_website(
    browser: Any, server: LiveServer, other_site: OtherSite
) -> None:
    """On a partner's site every file call is cross-origin: the upload and the fetch need CORS, the
    preflight included (the token is a header), and the picture shows from a blob: URL."""
    other_site.pages["/shop"] = (
        "<!doctype html><html><head><title>Partner shop</title></head><body><h1>Partner shop</h1>"
        f'<script src="{server.url}/widget.js" data-service="sales" async></script></body></html>'
    )
    guest = await new_page(browser, server)
    await guest.goto(f"{other_site.url}/shop")
    await guest.get_by_test_id("launcher").click()
    await guest.get_by_test_id("name-input").fill("Pia")
    await guest.get_by_test_id("start-button").click()
    await guest_says(guest, "Here is the invoice")
    await guest.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "invoice.png", "mimeType": "image/png", "buffer": png()}]
    )
    await expect(guest.get_by_test_id("attachment-thumb")).to_have_attribute("data-loaded", "true")
    assert await guest.get_by_test_id("attachment-image").evaluate("img => img.naturalWidth") == 300


async def test_a_refused_file_is_explained_to_the_guest_in_their_language_and_to_the_agent(
    browser: Any, server: LiveServer
) -> None:
    guest = await new_page(browser, server, locale="de-DE")
    await guest.goto(server.url + "/test-site?service=sales&lang=")  # a page without a lang of its own
    await guest.get_by_test_id("launcher").click()
    await guest.get_by_test_id("name-input").fill("Dora")
    await guest.get_by_test_id("start-button").click()
    await expect(guest.get_by_test_id("attach-button")).to_have_attribute(
        "aria-label", "Bild oder PDF anhängen"
    )
    await guest_says(guest, "Hallo")
    await guest.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "cat.png", "mimeType": "image/png", "buffer": EXE}]  # a program, renamed
    )
    await expect(guest.get_by_test_id("notice")).to_have_text(
        "Es können nur Bilder (PNG, JPEG, GIF, WebP) und PDF-Dateien gesendet werden."
    )
    await expect(guest.locator('[data-testid="message"][data-status="failed"]')).to_have_count(1)
    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Dora").click()
    await inbox.get_by_test_id("attach-input").set_input_files(
        files=[
            {"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * (10 * 1024 * 1024)}
        ]
    )
    await expect(inbox.get_by_test_id("thread-error")).to_have_text(
        "This file is larger than 10 MB. Please send a smaller one."
    )
    await inbox.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    await expect(inbox.get_by_test_id("thread-error")).to_have_text(
        "Only pictures (PNG, JPEG, GIF, WebP) and PDF files can be sent."
    )
    await expect(inbox.get_by_test_id("attachment-file")).to_have_count(0)
