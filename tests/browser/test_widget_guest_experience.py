"""What guests see in the widget (issue 14): the team and its working hours, typing both ways, "Seen",
a preview beside the closed launcher, the look the embedding page asks for, dark mode, phones, German,
and the keyboard. The server's clock is driven (the demo team works 9–17 in Berlin, Monday to Friday)
and the browser's clock is fixed to the same instant, so "back Monday at 09:00" never depends on when
the suite runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import conversation, guest_says, open_inbox
from tests.conftest import DrivenClock
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]

MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: the team is at work
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)  # 12:00 in Berlin: back Monday 9:00
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = "/tmp/convene-widget-{}.png"


@pytest.fixture
def server_clock() -> DrivenClock:
    return DrivenClock(MONDAY_MORNING)


async def guest_page(browser: Any, server: LiveServer, clock: DrivenClock, **options: Any) -> Any:
    page = await new_page(browser, server, **{"viewport": DESKTOP, "timezone_id": "Europe/Berlin", **options})
    await page.clock.set_fixed_time(clock.now())  # Date.now() agrees with the server's driven clock
    return page


async def visit(page: Any, server: LiveServer, query: str = "service=sales") -> None:
    await page.goto(f"{server.url}/test-site?{query}")
    await expect(page.get_by_test_id("launcher")).to_be_visible()


async def start_chatting(page: Any, name: str, email: str = "") -> None:
    await page.get_by_test_id("launcher").click()
    await page.get_by_test_id("name-input").fill(name)
    if email:
        await page.get_by_test_id("email-input").fill(email)
    await page.get_by_test_id("start-button").click()
    await expect(page.get_by_test_id("message-input")).to_be_visible()


def shadow_focus(page: Any) -> Any:
    return page.evaluate(
        "() => { const a = document.querySelector('#convene-widget').shadowRoot.activeElement;"
        " return a ? (a.dataset.testid || a.tagName) : null; }"
    )


async def test_the_team_and_a_quick_reply_promise_show_during_working_hours(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock)
    await visit(guest, server)
    await guest.get_by_test_id("launcher").click()
    await expect(guest.get_by_test_id("presence-line")).to_have_text("We typically reply in a few minutes")
    members = guest.get_by_test_id("team-member")
    await expect(members).to_have_count(2)
    await expect(members.first.get_by_role("img", name="Alice")).to_be_visible()
    await expect(members.first).to_have_attribute("data-available", "true")
    await expect(guest.get_by_test_id("away-notice")).to_be_hidden()
    await guest.screenshot(path=SHOTS.format("open"))
    await assert_accessible(guest)


async def test_outside_working_hours_an_away_notice_names_the_next_opening_and_asks_for_an_email(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    server_clock.set(SATURDAY)
    guest = await guest_page(browser, server, server_clock)
    await visit(guest, server)
    await guest.get_by_test_id("launcher").click()
    notice = guest.get_by_test_id("away-notice")
    await expect(notice.get_by_test_id("away-text")).to_have_text(
        "We're away right now. We'll be back Monday at 9:00 AM."
    )
    await expect(guest.get_by_test_id("presence-line")).to_have_text("Back Monday at 9:00 AM")
    await expect(notice.get_by_test_id("away-ask")).to_contain_text("Leave your email below")

    await start_chatting_open(guest, "Ann")  # no email yet: the notice asks for one
    await guest_says(guest, "Do you deliver on Sundays?")
    await guest.get_by_test_id("away-email").fill("ann@example.org")
    await guest.get_by_test_id("away-email-send").click()
    await expect(guest.get_by_test_id("away-email-status")).to_contain_text("ann@example.org")
    await expect(guest.get_by_test_id("away-email-form")).to_be_hidden()
    async with server.runtime.uow(read_only=True) as uow:  # the address is kept for this guest
        stored = await uow.guests.latest_typed("ann@example.org")
    assert stored is not None and stored.name == "Ann"
    await guest.screenshot(path=SHOTS.format("away"))
    await assert_accessible(guest)

    # Monday 09:00 in Berlin: the team is back, and says so after the next look.
    server_clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await guest.clock.set_fixed_time(server_clock.now())
    await guest.reload()
    await guest.get_by_test_id("launcher").click()
    await expect(guest.get_by_test_id("presence-line")).to_have_text("We typically reply in a few minutes")
    await expect(guest.get_by_test_id("away-notice")).to_be_hidden()


async def test_typing_shows_both_ways_and_an_internal_note_never_reaches_the_guest(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock)
    typing_frames: list[str] = []

    def watch(ws: Any) -> None:
        ws.on(
            "framereceived", lambda payload: '"typing"' in str(payload) and typing_frames.append(str(payload))
        )

    guest.on("websocket", watch)
    await visit(guest, server)
    await start_chatting(guest, "Ann")
    await guest_says(guest, "Is the anvil in stock?")

    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ann").click()
    await expect(inbox.get_by_test_id("reply-input")).to_be_enabled()

    # Guest → agent.
    await guest.get_by_test_id("message-input").press_sequentially("Also")
    await expect(inbox.get_by_test_id("typing-indicator")).to_have_text("Ann is typing…")
    await inbox.screenshot(path=SHOTS.format("inbox-typing"))

    # An internal note first, then a reply: the guest hears of the reply only. Both signals go over
    # the agent's one socket in this order, so a leaked note signal would have arrived first.
    await inbox.get_by_test_id("internal-note").check()
    await inbox.get_by_test_id("reply-input").press_sequentially("VIP")
    await inbox.get_by_test_id("internal-note").uncheck()
    await inbox.get_by_test_id("reply-input").press_sequentially(" yes")
    await expect(guest.get_by_test_id("typing-indicator")).to_have_text("Alice is typing…")
    assert len(typing_frames) == 1 and '"internal"' not in typing_frames[0]
    await guest.screenshot(path=SHOTS.format("typing"))
    await assert_accessible(guest)  # the open chat: thread, "Seen", the typing line

    # The reply arrives: the line goes at once.
    await inbox.get_by_test_id("reply-input").fill("Yes, in stock.")
    await inbox.get_by_test_id("reply-send").click()
    await expect(guest.get_by_test_id("message").filter(has_text="Yes, in stock.")).to_be_visible()
    await expect(guest.get_by_test_id("typing-indicator")).to_be_hidden()


async def test_seen_appears_when_an_agent_opens_the_conversation_and_stays_after_a_reload(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock)
    await visit(guest, server)
    await start_chatting(guest, "Ann")
    await guest_says(guest, "Hello?")
    await guest_says(guest, "Anyone there?")
    await expect(guest.get_by_test_id("seen")).to_have_count(0)

    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ann").click()  # opening it reads it
    seen = guest.get_by_test_id("seen")
    await expect(seen).to_have_text("Seen")
    # Under the guest's last message.
    assert "Anyone there?" in await seen.evaluate("e => e.previousElementSibling.textContent")

    await guest.reload()
    await guest.get_by_test_id("launcher").click()
    await expect(guest.get_by_test_id("seen")).to_have_text("Seen")
    await inbox.close()  # nobody has it open any more
    await guest_says(guest, "One more thing")  # not read yet: no "Seen" under it
    await expect(guest.get_by_test_id("seen")).to_have_count(0)


async def test_a_new_message_while_closed_shows_a_preview_and_blinks_the_hidden_tab_title(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock)
    await visit(guest, server)
    await start_chatting(guest, "Ann")
    await guest_says(guest, "Can I order 40 anvils?")
    await guest.get_by_test_id("close-button").click()
    await expect(guest.get_by_test_id("widget-panel")).to_be_hidden()
    await guest.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
        " Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )

    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ann").click()
    long_reply = "Of course! " + "We have plenty of anvils in the warehouse, " * 4 + "ready to ship."
    await inbox.get_by_test_id("reply-input").fill(long_reply)
    await inbox.get_by_test_id("reply-send").click()

    preview = guest.get_by_test_id("launcher-preview")
    await expect(preview).to_be_visible()
    text = await preview.get_by_test_id("preview-text").text_content()
    assert text.startswith("Of course! We have plenty") and text.endswith("…") and len(text) <= 91
    await expect(guest.get_by_test_id("unread-badge")).to_have_text("1")
    await expect(guest).to_have_title("(1) New message")
    await expect(guest.get_by_test_id("announcer")).to_contain_text("Alice: Of course!")
    await guest.screenshot(path=SHOTS.format("preview"))
    await assert_accessible(guest)

    await guest.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
        " Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    await expect(guest).to_have_title("Test site")
    await guest.get_by_test_id("preview-dismiss").click()
    await expect(preview).to_be_hidden()
    await expect(guest.get_by_test_id("widget-panel")).to_be_hidden()


async def test_on_a_phone_the_open_widget_fills_the_screen_with_16px_inputs_and_the_confirm_button_in_view(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock, viewport=PHONE, is_mobile=True, has_touch=True)
    await visit(guest, server)
    await guest.get_by_test_id("launcher").click()
    panel = await guest.get_by_test_id("widget-panel").bounding_box()
    assert panel == {"x": 0, "y": 0, "width": 375, "height": 740}
    await expect(guest.get_by_test_id("close-button")).to_be_visible()
    for testid in ("name-input", "email-input"):
        size = await guest.get_by_test_id(testid).evaluate("e => getComputedStyle(e).fontSize")
        assert size == "16px"
    await guest.screenshot(path=SHOTS.format("phone"))
    await assert_accessible(guest)

    await start_chatting_open(guest, "Ann")
    assert await guest.get_by_test_id("message-input").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    await guest_says(guest, "Hello from my phone")
    await guest.screenshot(path=SHOTS.format("phone-chat"))
    await guest.get_by_test_id("schedule-meeting").click()
    submit = guest.get_by_test_id("booking-submit")
    await expect(submit).to_be_visible()
    box = await submit.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740
    await guest.screenshot(path=SHOTS.format("phone-booking"))

    await guest.get_by_test_id("booking-close").click()
    await guest.get_by_test_id("close-button").click()
    await expect(guest.get_by_test_id("widget-panel")).to_be_hidden()
    await expect(guest.get_by_test_id("launcher")).to_be_visible()


async def start_chatting_open(page: Any, name: str) -> None:
    await page.get_by_test_id("name-input").fill(name)
    await page.get_by_test_id("start-button").click()
    await expect(page.get_by_test_id("message-input")).to_be_visible()


async def test_the_german_catalogue_and_dates_follow_the_pages_language(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    server_clock.set(SATURDAY)
    guest = await guest_page(browser, server, server_clock, locale="en-US")
    await visit(guest, server, "service=sales&lang=de")
    launcher = guest.get_by_test_id("launcher")
    await expect(launcher).to_have_attribute("aria-label", "Chat öffnen")
    await launcher.click()
    await expect(guest.get_by_test_id("start-button")).to_have_text("Chat starten")
    await expect(guest.get_by_test_id("presence-line")).to_have_text("Wieder da Montag um 9:00")
    await expect(guest.get_by_test_id("away-text")).to_have_text(
        "Wir sind gerade nicht da. Wir sind Montag um 9:00 wieder erreichbar."
    )
    await expect(guest.get_by_test_id("widget-title")).to_have_text("Schreiben Sie uns")
    await guest.screenshot(path=SHOTS.format("german"))
    await assert_accessible(guest)


async def test_the_embedding_scripts_colour_corner_title_and_greeting_apply(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock)
    query = "service=sales&color=%230a7c4a&position=left&title=Talk+to+Acme&greeting=Howdy!+Ask+us+anything."
    await visit(guest, server, query)
    launcher = guest.get_by_test_id("launcher")
    assert await launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(10, 124, 74)"
    box = await launcher.bounding_box()
    assert box is not None and box["x"] < 100  # bottom left
    await launcher.click()
    await expect(guest.get_by_test_id("widget-title")).to_have_text("Talk to Acme")
    await expect(guest.get_by_test_id("greeting")).to_have_text("Howdy! Ask us anything.")
    panel = await guest.get_by_test_id("widget-panel").bounding_box()
    assert panel is not None and panel["x"] < 100
    await guest.screenshot(path=SHOTS.format("colour"))
    await assert_accessible(guest)


async def test_dark_mode_follows_the_visitors_setting(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock, color_scheme="dark")
    await visit(guest, server)
    await start_chatting(guest, "Ann")
    await guest_says(guest, "Hello from the dark side")
    panel = guest.get_by_test_id("widget-panel")
    assert await panel.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(27, 31, 43)"
    await guest.screenshot(path=SHOTS.format("dark"))
    await assert_accessible(guest)


async def test_escape_closes_focus_stays_inside_and_returns_to_the_launcher(
    browser: Any, server: LiveServer, server_clock: DrivenClock
) -> None:
    guest = await guest_page(browser, server, server_clock)
    await visit(guest, server)
    await guest.get_by_test_id("launcher").focus()
    await guest.keyboard.press("Enter")
    await expect(guest.get_by_test_id("widget-panel")).to_be_visible()
    assert await shadow_focus(guest) == "name-input"
    inside = await guest.get_by_test_id("widget-panel").evaluate(
        "(panel) => [...panel.querySelectorAll('button, input, textarea, select, [tabindex]')]"
        ".filter(e => e.getClientRects().length).map(e => e.dataset.testid || e.tagName)"
    )
    for _ in range(len(inside) + 2):  # round the panel and past its end: focus never leaves it
        await guest.keyboard.press("Tab")
        assert await shadow_focus(guest) in inside
    await guest.keyboard.press("Shift+Tab")
    assert await shadow_focus(guest) in inside
    await guest.keyboard.press("Escape")
    await expect(guest.get_by_test_id("widget-panel")).to_be_hidden()
    assert await shadow_focus(guest) == "launcher"
