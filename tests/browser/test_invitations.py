"""An invitation end to end in two browsers: Alice creates it in the inbox with Bob, a room and two
promoted slots; the customer opens the first promoted link from the ``.eml`` in another browser context
and books with one click; both members' and the room's calendars hold the event; the inbox moves the
invitation from Invitations to Meetings. The server's clock is real, so the day is computed here."""

from __future__ import annotations

import email
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from bot.invitations.model import Room
from storage.models import LocalEventRow
from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_booking import open_inbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
BERLIN = ZoneInfo("Europe/Berlin")


def weekday_ahead(days: int) -> date:
    day = datetime.now(BERLIN).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def until(server: LiveServer, found: Callable[[], Awaitable[Any]]) -> Any:
    """Drives the outbox and the job table (as the workers do) until ``found`` answers: no sleeping."""
    for _ in range(500):
        value = await found()
        if value:
            return value
        await server.runtime.dispatcher.handed_delivered()  # what this process delivers from memory
        await server.runtime.dispatcher.dispatch_once()
        await server.runtime.jobs.run_due()
    raise AssertionError("the work never finished")


async def test_an_invitation_created_in_the_inbox_is_booked_with_one_click_from_its_email(
    browser: Any, server: LiveServer
) -> None:
    async with server.runtime.uow() as uow:
        await uow.invitations.add_room(Room("Oslo", "oslo@rooms.example.com", 8, id="oslo"))
        await uow.commit()
    day = weekday_ahead(2)
    alice = await open_inbox(browser, server, "alice", timezone_id="Europe/Berlin")
    await alice.get_by_test_id("invite-open").click()
    dialog = alice.get_by_test_id("invite-dialog")
    await dialog.get_by_test_id("invite-guest-name").fill("Carl")
    await dialog.get_by_test_id("invite-guest-email").fill("carl@customer.example")
    await dialog.get_by_test_id("invite-next").click()
    await dialog.get_by_test_id("invite-subject").fill("Pricing call")
    await dialog.get_by_test_id("invite-duration").fill("30")
    await expect(dialog.locator('[data-testid="invite-member"][value="alice"]')).to_be_checked()
    await dialog.locator('[data-testid="invite-member"][value="bob"]').check()
    await dialog.locator('[data-testid="invite-room"][value="oslo"]').check()
    await dialog.get_by_test_id("invite-next").click()
    await dialog.get_by_test_id("invite-start-date").fill(day.isoformat())
    await dialog.get_by_test_id("invite-end-date").fill(day.isoformat())
    await dialog.get_by_test_id("invite-day-start").fill("09:00")
    await dialog.get_by_test_id("invite-day-end").fill("11:00")
    await dialog.get_by_test_id("invite-timezone").fill("Europe/Berlin")
    await expect(dialog.get_by_test_id("invite-slot-count")).to_have_text("4 slots available")
    await dialog.get_by_test_id("invite-promote").check()
    slots = dialog.get_by_test_id("invite-slot")
    await expect(slots).to_have_count(4)
    await slots.nth(0).check()
    await slots.nth(2).check()
    await dialog.get_by_test_id("invite-create").click()
    await expect(dialog.get_by_test_id("invite-link")).to_have_count(3)
    await expect(dialog.get_by_test_id("invite-copy")).to_be_visible()
    await dialog.get_by_test_id("invite-close").click()
    await expect(alice.get_by_test_id("invitation-item")).to_have_count(1)

    folder = Path(server.runtime.settings.data_dir) / "outbox"

    async def invitation_mail() -> Any:
        return sorted(folder.glob("invitation.*.eml"))

    mail = email.message_from_bytes(
        (await until(server, invitation_mail))[0].read_bytes(), policy=policy.default
    )
    text = mail.get_body(("plain",)).get_content()
    promoted = re.findall(r"^- .*: (http\S+/invite/\S+/\d{8}T\d{4}Z)$", text, re.M)
    assert len(promoted) == 2
    assert f"{day:%a %d %b %Y}, 09:00 (Europe/Berlin, 30 min)" in text

    carl = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    await carl.goto(promoted[0])
    await expect(carl.get_by_test_id("invite-title")).to_have_text("Pricing call")
    confirm = carl.get_by_test_id("invite-confirm")
    await expect(confirm).to_be_enabled()
    await expect(carl.get_by_test_id("invite-chosen-time")).to_contain_text("09:00")
    await confirm.click()
    await expect(carl.get_by_test_id("invite-booked")).to_contain_text("Booked")

    async def calendars() -> Any:
        async with server.runtime.storage.session() as s:
            rows = (await s.execute(select(LocalEventRow.agent, LocalEventRow.title))).all()
        return sorted(rows) if len(rows) >= 3 else None

    assert await until(server, calendars) == [
        ("alice", "Pricing call"),
        ("bob", "Pricing call"),
        ("room:oslo", "Pricing call"),
    ]
    await alice.get_by_test_id("invitations-tab-open").click()
    await expect(alice.get_by_test_id("invitations-empty")).to_be_visible()
    await alice.get_by_test_id("invitations-tab-booked").click()
    booked = alice.get_by_test_id("invitation-item")
    await expect(booked).to_have_count(1)
    await expect(booked).to_have_attribute("data-status", "booked")
    await expect(booked).to_contain_text("Pricing call")
