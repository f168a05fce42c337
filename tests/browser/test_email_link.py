"""A guest opens the one-time link from an invitation mail: the widget signs them in, proven."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from bot.commands import AddMember, PostMessage, RegisterGuest, StartConversation
from bot.identity import PROOF_KIND
from bot.model import Actor
from bot.tokens import token_hash
from tests.browser.conftest import LiveServer, new_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
ALICE = Actor("agent", "alice", "Alice")


async def test_an_invitation_link_signs_the_guest_in_once(browser: Any, server: LiveServer) -> None:
    runtime = server.runtime
    ann = (await runtime.bus.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    cid = (await runtime.bus.handle(StartConversation(ann.id, "Hi", service="sales"))).conversation.id
    ben = (await runtime.bus.handle(AddMember(cid, ALICE, email="ben@example.org", name="Ben"))).member
    await runtime.bus.handle(PostMessage(cid, ALICE, "Welcome Ben"))
    # The mailed link's token, as the invitation wrote it (the real one is random and sealed).
    async with runtime.uow() as uow:
        expires = runtime.clock.now() + timedelta(days=7)
        await uow.tokens.add(token_hash("invitation-token"), PROOF_KIND, f"{ben.id}|{cid}", expires)
        await uow.commit()

    page = await new_page(browser, server)
    await page.goto(server.url + "/?email_link=invitation-token")
    await expect(page.get_by_test_id("message").filter(has_text="Welcome Ben")).to_be_visible()
    assert "email_link" not in page.url  # used once: not left in the address bar
    async with runtime.uow(read_only=True) as uow:
        assert (await uow.guests.get(ben.id)).email_proven

    other = await new_page(browser, server)
    await other.goto(server.url + "/?email_link=invitation-token")
    await expect(other.get_by_test_id("notice").filter(has_text="expired or was used")).to_have_count(1)
    await expect(other.get_by_test_id("name-input")).to_be_visible()  # not signed in: asked for a name
