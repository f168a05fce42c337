"""How far ahead the slot picker pages comes from the server's booking info (window_end or
horizon_days), not from a number copied into the browser; an older server that says neither leaves
"later" enabled while pages still have free times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def widget_with_booking_info(browser: Any, server: LiveServer, change: Any) -> Any:
    """Alice's widget, her booking info edited on the way by ``change(info)``."""
    page = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")

    async def edit(route: Any) -> None:
        response = await route.fetch()
        info = await response.json()
        info.pop("window_end", None)
        info.pop("horizon_days", None)
        await route.fulfill(response=response, json=change(info))

    await page.route("**/api/agents/alice/booking", edit)
    await page.goto(server.url + "/test-site?agent=alice")
    await page.get_by_test_id("launcher").click()
    await page.get_by_test_id("schedule-meeting").click()
    await expect(page.get_by_test_id("booking-slot").first).to_be_visible()
    return page


async def test_later_stops_at_the_window_end_the_server_names(browser: Any, server: LiveServer) -> None:
    last = datetime.now(ZoneInfo("Europe/Berlin")).date() + timedelta(days=10)
    page = await widget_with_booking_info(
        browser, server, lambda info: {**info, "window_end": last.isoformat()}
    )
    await expect(page.get_by_test_id("booking-next")).to_be_enabled()
    await page.get_by_test_id("booking-next").click()  # days 7–13: the window ends inside this page
    await expect(page.get_by_test_id("booking-range")).to_contain_text(f"{last + timedelta(days=3):%-d %b}")
    await expect(page.get_by_test_id("booking-next")).to_be_disabled()
    await expect(page.get_by_test_id("booking-prev")).to_be_enabled()


async def test_later_stops_after_the_horizon_days_the_server_names(browser: Any, server: LiveServer) -> None:
    page = await widget_with_booking_info(browser, server, lambda info: {**info, "horizon_days": 6})
    await expect(page.get_by_test_id("booking-next")).to_be_disabled()  # today + 6 is on the first page


async def test_without_a_horizon_later_stays_open_while_there_are_free_times(
    browser: Any, server: LiveServer
) -> None:
    page = await widget_with_booking_info(browser, server, lambda info: info)
    await page.get_by_test_id("booking-next").click()
    await expect(page.get_by_test_id("booking-slot").first).to_be_visible()
    await expect(page.get_by_test_id("booking-next")).to_be_enabled()
