"""The links guests get by mail, followed in Chromium from the real ``.eml`` files in the outbox folder:
each opens the guest's own conversation (and its meeting), on a phone too, never the demo site with an
empty widget."""

from __future__ import annotations

import email
import email.policy
import html
import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from bot.assistant.people import INVITATION_TOKEN
from bot.commands import AddMember, PostMessage, RegisterGuest, StartConversation
from bot.model import Actor
from bot.tokens import token_hash
from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_booking import book_in_widget, meeting
from tests.browser.test_chat import guest_says, start_chat
from tests.browser.test_invitations import until

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
ALICE = Actor("agent", "alice", "Alice")
PHONE = {"width": 375, "height": 740}


async def mails_to(server: LiveServer, address: str) -> list[EmailMessage]:
    await server.runtime.dispatcher.handed_delivered()  # what this process delivers from memory
    while await server.runtime.dispatcher.dispatch_once():
        pass
    folder = Path(server.runtime.settings.data_dir) / "outbox"
    parsed = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]
    return [m for m in parsed if address in str(m["To"])]  # type: ignore[misc]


def button_link(mail: EmailMessage) -> str:
    """The main link of a mail: its HTML button, which the plain-text part carries too."""
    page = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    found = re.search(r'<a class="button" href="([^"]+)"', page)
    assert found is not None, page
    link = html.unescape(found.group(1))
    assert link in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return link


async def test_the_link_in_a_meeting_mail_opens_the_guest_s_conversation_and_meeting_on_a_phone(
    browser: Any, server: LiveServer
) -> None:
    ann = await new_page(browser, server, locale="en-GB", timezone_id="America/New_York")
    await start_chat(ann, server, "Ann", "ann@example.org")
    await guest_says(ann, "Do you ship anvils to Arizona?")
    await book_in_widget(ann, "Anvil demo")

    async def booked_mails() -> list[EmailMessage]:  # written once the calendar job has run
        return [m for m in await mails_to(server, "ann@example.org") if "Anvil demo" in str(m["Subject"])]

    booked = await until(server, booked_mails)
    assert booked, "the guest was mailed about her meeting"
    manage = button_link(booked[-1])  # the meeting's own page: reschedule or cancel, on any device
    assert re.fullmatch(re.escape(server.url) + r"/booked/[\w-]+", manage)
    text = booked[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [link] = re.findall(re.escape(server.url) + r"/c/[\w-]+", text)  # her conversation, not the demo site

    fresh = await new_page(browser, server, viewport=PHONE, timezone_id="America/New_York")
    await fresh.goto(manage)
    await expect(fresh.get_by_test_id("manage-reschedule")).to_be_visible()
    await expect(fresh.get_by_test_id("manage-cancel")).to_be_visible()

    await ann.set_viewport_size(PHONE)
    await ann.goto(link)
    await expect(ann.get_by_test_id("message").filter(has_text="anvils to Arizona")).to_be_visible()
    await expect(meeting(ann, "Anvil demo")).to_be_visible()

    # Another device, not signed in: the same page offers to continue with her email (not an empty chat).
    other = await new_page(browser, server, viewport=PHONE)
    await other.goto(link)
    await expect(other.get_by_test_id("continue-toggle")).to_be_visible()


async def test_the_link_in_an_invitation_mail_opens_that_conversation_on_a_new_device(
    browser: Any, server: LiveServer
) -> None:
    ann = await new_page(browser, server, locale="en-GB")
    await start_chat(ann, server, "Ann", "ann@example.org")
    await guest_says(ann, "Can my colleague join?")
    session = await ann.evaluate(
        "() => JSON.parse(localStorage.getItem(`convene:${location.origin}:session`))"
    )
    async with server.runtime.uow(read_only=True) as uow:
        conversations = await uow.conversations.list_for_guest(session["guest_id"])
    cid = conversations[0].id
    await server.runtime.bus.handle(AddMember(cid, ALICE, email="ben@example.org", name="Ben"))
    await server.runtime.bus.handle(PostMessage(cid, ALICE, "Welcome Ben"))

    async def invited_mails() -> list[EmailMessage]:
        return [m for m in await mails_to(server, "ben@example.org") if "invited" in str(m["Subject"])]

    # until: a worker of the server may be delivering it right now (the bus woke it after the commit)
    invited = await until(server, invited_mails)
    assert len(invited) == 1
    link = button_link(invited[0])
    assert link.startswith(f"{server.url}/c/{cid}?email_link=")

    ben = await new_page(browser, server, viewport=PHONE)
    await ben.goto(link)
    await expect(ben.get_by_test_id("message").filter(has_text="Welcome Ben")).to_be_visible()
    await expect(ben.get_by_test_id("message").filter(has_text="Can my colleague join?")).to_be_visible()
    assert ben.url == f"{server.url}/c/{cid}"  # the one-time token is not left in the address bar


async def test_the_assistant_s_one_time_join_link_opens_the_conversation_page_not_the_demo_site(
    browser: Any, server: LiveServer
) -> None:
    runtime = server.runtime
    ann = (await runtime.bus.handle(RegisterGuest("Ann", "ann@example.org"))).guest
    cid = (await runtime.bus.handle(StartConversation(ann.id, "Agenda?", service="sales"))).conversation.id
    await runtime.bus.handle(PostMessage(cid, ALICE, "Welcome to the planning"))
    # The link's token as the assistant's invitation wrote it (the real one is random: bot/assistant/people).
    async with runtime.uow() as uow:
        expires = runtime.clock.now() + timedelta(days=1)
        await uow.tokens.add(token_hash("join-token"), INVITATION_TOKEN, f"{ann.id} {cid}", expires)
        await uow.commit()

    page = await new_page(browser, server, viewport=PHONE)
    await page.goto(f"{server.url}/assistant/join?token=join-token")
    await page.get_by_role("button", name="Join the conversation").click()  # a GET alone spends nothing
    await expect(page).to_have_url(f"{server.url}/c/{cid}")
    await expect(page.get_by_test_id("message").filter(has_text="Welcome to the planning")).to_be_visible()
