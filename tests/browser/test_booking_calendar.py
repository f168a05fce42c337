"""scratch"""
from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def test_scratch(browser: Any, server: LiveServer) -> None:
    for vp in ({"width": 1280, "height": 800}, {"width": 375, "height": 740}):
        page = await new_page(browser, server, viewport=vp, locale="en-GB", timezone_id="Europe/London")
        await page.goto(server.url + "/book/alice?subject=Intro%20call")
        await expect(page.get_by_test_id("slot").first).to_be_visible()
        await page.screenshot(path=f"/tmp/book/a-{vp['width']}.png", full_page=True)
        await page.get_by_test_id("slot").nth(2).click()
        await page.get_by_test_id("name").fill("Ann")
        await page.get_by_test_id("email").fill("ann@example.org")
        await page.screenshot(path=f"/tmp/book/b-{vp['width']}.png", full_page=True)
        await page.get_by_test_id("schedule").click()
        await expect(page.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Intro call with Alice")
        await page.reload()
        await expect(page.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Intro call with Alice")
        await page.screenshot(path=f"/tmp/book/c-{vp['width']}.png", full_page=True)
