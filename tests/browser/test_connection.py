"""Connections break: the widget and the inbox say so, come back by themselves, and lose or double nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import (
    agent_replies,
    conversation,
    guest_says,
    open_inbox,
    start_chat,
    thread_message,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def stored_texts(server: LiveServer, conversation_id: str) -> list[str]:
    async with server.runtime.uow(read_only=True) as uow:
        found = await uow.messages.list(conversation_id, after_seq=0, limit=500, include_internal=True)
    return [m.text for m in found]


async def test_server_outage_shows_reconnecting_and_delivers_each_message_once(
    browser: Any, server: LiveServer
) -> None:
    guest = await new_page(browser, server)
    await start_chat(guest, server, "Finn")
    await guest_says(guest, "Before the outage")
    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Finn").click()
    await expect(thread_message(inbox, "Before the outage")).to_be_visible()
    conversation_id = await conversation(inbox, "Finn").get_attribute("data-conversation-id")

    await server.drop()
    for page in (guest, inbox):
        status = page.get_by_test_id("connection-status")
        await expect(status).to_have_attribute("data-state", "reconnecting")
        await expect(status).to_have_text("Reconnecting…")
        await expect(status).to_be_visible()
    await guest_says(guest, "Typed during the outage", acked=False)
    await expect(thread_message(guest, "Typed during the outage")).to_have_attribute("data-status", "pending")
    await agent_replies(inbox, "Answered during the outage")
    await expect(thread_message(inbox, "Answered during the outage")).to_have_attribute(
        "data-status", "pending"
    )

    await server.listen()
    await expect(guest.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    await expect(guest.get_by_test_id("connection-status")).to_be_hidden()
    await expect(inbox.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    await expect(thread_message(guest, "Typed during the outage")).to_have_attribute("data-status", "sent")
    await expect(thread_message(inbox, "Answered during the outage")).to_have_attribute("data-status", "sent")
    for page in (guest, inbox):
        for text in ("Typed during the outage", "Answered during the outage"):
            await expect(thread_message(page, text)).to_have_count(1)
    texts = await stored_texts(server, conversation_id)
    assert texts.count("Typed during the outage") == 1
    assert texts.count("Answered during the outage") == 1


class Cable:
    """The guest's own network, cut and mended by the test: HTTP through Playwright's offline mode,
    the WebSocket through a route (offline mode does not touch WebSockets)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.connected = True
        self.routes: list[tuple[Any, Any]] = []

    async def install(self) -> None:
        await self.page.route_web_socket(re.compile(r"/api/guest/ws$"), self._route)

    async def _route(self, ws: Any) -> None:
        if not self.connected:
            await ws.close(code=4000, reason="offline")
            return
        self.routes.append((ws, ws.connect_to_server()))

    async def cut(self) -> None:
        self.connected = False
        await self.page.context.set_offline(True)
        for page_side, server_side in self.routes:
            await server_side.close()
            await page_side.close(code=4000, reason="offline")
        self.routes.clear()

    async def mend(self) -> None:
        self.connected = True
        await self.page.context.set_offline(False)


async def test_guest_back_online_catches_up_on_what_was_missed(browser: Any, server: LiveServer) -> None:
    guest = await new_page(browser, server)
    cable = Cable(guest)
    await cable.install()
    await start_chat(guest, server, "Gus")
    await guest_says(guest, "Anyone there?")
    inbox = await open_inbox(browser, server, "bob")
    await conversation(inbox, "Gus").click()
    await expect(thread_message(inbox, "Anyone there?")).to_be_visible()

    await cable.cut()
    await expect(guest.get_by_test_id("connection-status")).to_have_text("Reconnecting…")
    await agent_replies(inbox, "Bob here, how can I help?")  # no live frame reaches the guest now
    await expect(thread_message(inbox, "Bob here")).to_have_attribute("data-status", "sent")
    await guest_says(guest, "Sorry, my train went into a tunnel", acked=False)
    await expect(thread_message(guest, "Bob here")).to_have_count(0)

    await cable.mend()
    await expect(guest.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    await expect(thread_message(guest, "Bob here, how can I help?")).to_have_attribute(
        "data-author-kind", "agent"
    )
    await expect(thread_message(guest, "tunnel")).to_have_attribute("data-status", "sent")
    await expect(thread_message(inbox, "tunnel")).to_have_count(1)
    kinds = await guest.get_by_test_id("message").evaluate_all("els => els.map(e => e.dataset.authorKind)")
    assert kinds == ["system", "guest", "agent", "guest"]
