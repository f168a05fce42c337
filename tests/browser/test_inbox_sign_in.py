"""Signing in to the web inbox: one-time links, the email form, signing out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import open_inbox
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def test_without_a_token_the_inbox_asks_for_an_email(browser: Any, server: LiveServer) -> None:
    page = await new_page(browser, server)
    await page.goto(server.url + "/inbox")
    await page.get_by_test_id("login-email").fill("alice@example.com")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("login-sent")).to_contain_text("Check your email")


async def test_a_used_link_does_not_sign_in_twice(browser: Any, server: LiveServer) -> None:
    link = await server.login_link("carol")
    first = await new_page(browser, server)
    await first.goto(link)
    await expect(first.get_by_test_id("agent-name")).to_have_text("Carol")
    second = await new_page(browser, server)
    await second.goto(link)
    await expect(second.get_by_test_id("login-message")).to_contain_text("expired or was used")
    await expect(second.get_by_test_id("login-form")).to_be_visible()


async def test_the_session_survives_a_reload_until_signing_out(browser: Any, server: LiveServer) -> None:
    page = await open_inbox(browser, server, "dave")
    await page.reload()
    await expect(page.get_by_test_id("agent-name")).to_have_text("Dave")
    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    await page.reload()
    await expect(page.get_by_test_id("login-form")).to_be_visible()


async def test_signing_out_ends_the_token_on_the_server_too(browser: Any, server: LiveServer) -> None:
    page = await open_inbox(browser, server, "bob")
    token = await page.evaluate("localStorage.getItem('convene.agent.token')")
    assert token
    me = await page.request.get(server.url + "/api/agent/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200
    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    # A copy of the token (another tab, a stolen one) no longer works.
    me = await page.request.get(server.url + "/api/agent/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 401 and (await me.json())["code"] == "invalid_token"


async def test_the_sign_in_page_and_the_inbox_pass_the_accessibility_check(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server)
    await page.goto(server.url + "/inbox")
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    await assert_accessible(page)
    inbox = await open_inbox(browser, server, "alice")
    await assert_accessible(inbox)
