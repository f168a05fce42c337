"""The agent's personal booking page in headless Chromium: preset subject, slots in the guest's
zone, sign-in and booking in one click, and clear messages for bad links."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def test_a_guest_books_from_the_personal_link(browser: Any, server: LiveServer) -> None:
    page = await new_page(browser, server)
    await page.goto(server.url + "/book/alice?subject=Intro%20call")
    await expect(page.get_by_test_id("subject")).to_have_value("Intro call")
    await expect(page.get_by_test_id("duration")).to_have_value("30")
    first = page.get_by_test_id("slot").first
    await expect(first).to_be_visible()
    start = await first.get_attribute("data-start")
    await first.click()
    await page.get_by_test_id("name").fill("Ann")
    await page.get_by_test_id("email").fill("ann@example.org")
    await page.get_by_test_id("schedule").click()
    confirmed = page.get_by_test_id("booking-confirmed")
    await expect(confirmed).to_contain_text("Booked: Intro call with Alice")
    await expect(page.get_by_test_id("booking-error")).to_be_hidden()
    async with server.runtime.uow(read_only=True) as uow:
        meetings = await uow.meetings.upcoming(agents=["alice"])
    assert [(m.subject, m.start.isoformat().replace("+00:00", "Z")) for m in meetings] == [
        ("Intro call", start)
    ]
    # The widget finds the same guest session on this host.
    session = await page.evaluate("localStorage.getItem(`convene:${location.origin}:session`)")
    assert '"token"' in session


@pytest.mark.parametrize(
    "query, message, slots_shown",
    [
        ("?start=32.13.2026", 'The start date "32.13.2026" is not a date', True),
        ("?end=tomorrow", 'The end date "tomorrow" is not a date', True),
        ("?start=10.01.2030&end=01.01.2030", "The end date lies before the start date", False),
    ],
)
async def test_bad_link_parameters_show_a_clear_message(
    browser: Any, server: LiveServer, query: str, message: str, slots_shown: bool
) -> None:
    page = await new_page(browser, server)
    await page.goto(server.url + "/book/alice" + query)
    await expect(page.get_by_test_id("booking-error")).to_contain_text(message)
    if slots_shown:
        await expect(page.get_by_test_id("slot").first).to_be_visible()
    else:
        await expect(page.get_by_test_id("slots")).to_contain_text("No free times")


async def test_an_unknown_agent_has_no_booking_page(browser: Any, server: LiveServer) -> None:
    page = await new_page(browser, server)
    await page.goto(server.url + "/book/nobody")
    await expect(page.get_by_test_id("booking-error")).to_contain_text(
        "There is no booking page at this address."
    )


async def test_a_slot_taken_meanwhile_names_the_next_free_times(browser: Any, server: LiveServer) -> None:
    first_guest, second_guest = await new_page(browser, server), await new_page(browser, server)
    for page, name in ((first_guest, "Ann"), (second_guest, "Ben")):
        await page.goto(server.url + "/book/alice?subject=Demo")
        await expect(page.get_by_test_id("slot").first).to_be_visible()
        await page.get_by_test_id("slot").first.click()
        await page.get_by_test_id("name").fill(name)
        await page.get_by_test_id("email").fill(f"{name.lower()}@example.org")
    await first_guest.get_by_test_id("schedule").click()
    await expect(first_guest.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Demo")
    await second_guest.get_by_test_id("schedule").click()
    error = second_guest.get_by_test_id("booking-error")
    await expect(error).to_contain_text("That time was just taken. The next free times:")
    await expect(second_guest.get_by_test_id("booking-confirmed")).to_be_hidden()
    async with server.runtime.uow(read_only=True) as uow:
        assert len(await uow.meetings.upcoming(agents=["alice"])) == 1
