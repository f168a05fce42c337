"""The widget on a third-party website (another origin: another port on 127.0.0.1), for an agent and
for a service: the guest chats, schedules, reschedules and cancels there. Every call the widget makes
(guest API, slots, booking options, meetings) is cross-origin, so each needs CORS, preflight
included for the bearer token, Idempotency-Key, PATCH and DELETE."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, OtherSite, new_page
from tests.browser.test_booking import GUEST, book_in_widget, meeting, next_weekday, system_notice
from tests.browser.test_chat import guest_says

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def starts(server: LiveServer, kind: str, slug: str) -> list[str]:
    """Free starts on the next weekday (never today: a slot minutes away could pass mid-test)."""
    day = next_weekday(1)
    query = {"start": day.isoformat(), "end": day.isoformat(), "tz": "Europe/Berlin"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/api/{kind}/{slug}/slots", params=query) as response:
            assert response.status == 200, await response.text()
            return [slot["start"] for slot in (await response.json())["slots"]]


@pytest.mark.parametrize("attribute, slug", [("agent", "alice"), ("service", "sales")])
async def test_guest_chats_schedules_reschedules_and_cancels_from_another_website(
    browser: Any, server: LiveServer, other_site: OtherSite, attribute: str, slug: str
) -> None:
    other_site.pages["/shop"] = (
        "<!doctype html><html><head><title>Partner shop</title></head><body><h1>Partner shop</h1>"
        f'<script src="{server.url}/widget.js" data-{attribute}="{slug}" async></script></body></html>'
    )
    guest = await new_page(browser, server, **GUEST)
    seen: list[Any] = []
    guest.on("request", lambda r: r.url.startswith(server.url + "/api/") and seen.append(r))
    await guest.goto(f"{other_site.url}/shop")
    await guest.get_by_test_id("launcher").click()
    await guest.get_by_test_id("name-input").fill("Pia")
    await guest.get_by_test_id("email-input").fill("pia@example.org")
    await guest.get_by_test_id("start-button").click()
    await guest_says(guest, "Could we talk about a bulk order?")

    free = await starts(server, f"{attribute}s", slug)
    first, later = free[1], free[-2]
    assert await book_in_widget(guest, "Bulk order", first) == first
    await system_notice(guest, "Meeting booked: Bulk order")

    await meeting(guest, "Bulk order").get_by_test_id("meeting-reschedule").click()
    await expect(guest.get_by_test_id("booking-title")).to_have_text("Reschedule: Bulk order")
    await guest.locator(f'[data-testid="booking-slot"][data-start="{later}"]').click()
    await guest.get_by_test_id("booking-submit").click()
    await system_notice(guest, "Meeting rescheduled by Pia: Bulk order")

    await meeting(guest, "Bulk order").get_by_test_id("meeting-cancel").click()
    await guest.get_by_test_id("meeting-cancel-confirm").click()
    await system_notice(guest, "Meeting cancelled by Pia: Bulk order")
    await expect(guest.get_by_test_id("meeting-item")).to_have_count(0)
    await guest.screenshot(path=f"/tmp/convene-widget-elsewhere-{attribute}.png")

    # Everything went across origins: from the partner's page to the Convene host.
    origins = {(await r.all_headers()).get("origin") for r in seen if r.method != "OPTIONS"}
    assert origins == {other_site.url}
    paths = {r.url.split("?")[0].removeprefix(server.url) for r in seen}
    assert f"/api/{attribute}s/{slug}/slots" in paths
    methods = {r.method for r in seen if "/api/guest/meetings/" in r.url}
    assert {"PATCH", "DELETE"} <= methods
