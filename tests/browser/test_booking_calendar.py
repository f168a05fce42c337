"""The booking page as guests know it from booking sites, in headless Chromium at a desktop and a
phone size: the month calendar and the day's times in the guest's zone (detected, then changed in
the time-zone picker), the confirm step in view, the confirmation on its own address surviving a
reload with add-to-calendar links and an .ics, reschedule and cancel from the manage link in a fresh
browser, a taken slot offering the next free times, the German catalogue, and the axe check. The
server's clock is real: days are computed here, Alice's availability is the demo's (Europe/Berlin,
Monday to Friday 09:00–17:00 with lunch 13:00–14:00)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from icalendar import Calendar
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_booking import BERLIN, NEW_YORK, free_slots, local_hhmm, next_weekday, slot_at
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]

TOKYO = ZoneInfo("Asia/Tokyo")
VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 375, "height": 740}]
SHOTS = Path("/tmp")


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def google_time(iso: str) -> str:
    return utc(iso).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


async def open_day(page: Any, day: date) -> None:
    """Pages the calendar to ``day``'s month and opens the day. The calendar may already show that month:
    it opens at the next month by itself when this one has no free day left (the last day of a month)."""
    month = f"{day:%B} {day.year}"
    await expect(page.get_by_test_id("slot").first).to_be_visible()  # loaded (and moved on, if it did)
    if month not in (await page.get_by_test_id("month-name").text_content() or ""):
        await page.get_by_test_id("month-next").click()
    await expect(page.get_by_test_id("month-name")).to_contain_text(month)
    button = page.locator(f'[data-testid="day"][data-day="{day.isoformat()}"]')
    await expect(button).not_to_have_attribute("aria-disabled", "true")
    await button.click()
    await expect(button).to_have_attribute("aria-pressed", "true")


async def shown_starts(page: Any) -> list[str]:
    starts: list[str] = (
        await page.get_by_test_id("times")
        .get_by_test_id("slot")
        .evaluate_all("els => els.map(e => e.dataset.start)")
    )
    return starts


async def shown_times(page: Any) -> list[str]:
    texts: list[str] = await page.get_by_test_id("times").get_by_test_id("slot").all_inner_texts()
    return texts


async def book_by_api(server: LiveServer, start: str, subject: str = "Demo") -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        session = {"name": "Ann", "email": "ann@example.org", "timezone": "Europe/Berlin"}
        async with http.post(f"{server.url}/api/guest/sessions", json=session) as r:
            token = (await r.json())["token"]
        body = {"agent": "alice", "start": start, "duration": 30, "subject": subject}
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(f"{server.url}/api/guest/meetings", json=body, headers=headers) as r:
            assert r.status == 201, await r.text()
            booked: dict[str, Any] = await r.json()
            return booked


async def meeting_row(server: LiveServer, meeting_id: str) -> Any:
    async with server.runtime.uow(read_only=True) as uow:
        return await uow.meetings.get(meeting_id)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
async def test_a_guest_changes_the_time_zone_books_and_the_confirmation_survives_a_reload(
    browser: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    size = viewport["width"]
    page = await new_page(browser, server, viewport=viewport, locale="en-GB", timezone_id="America/New_York")
    day = next_weekday(2)
    await page.goto(server.url + "/book/alice?subject=Intro%20call")
    await expect(page.get_by_test_id("zone")).to_have_value("America/New_York")  # detected
    await expect(page.get_by_test_id("host-name")).to_have_text("Alice")
    await expect(page.get_by_test_id("slot").first).to_be_visible()
    await open_day(page, day)
    offered = await free_slots(server, day)  # Berlin 09:00–17:00 is 03:00–11:00 in New York: one day
    assert await shown_starts(page) == offered
    assert await shown_times(page) == [local_hhmm(s, NEW_YORK) for s in offered]
    first = page.get_by_test_id("times").get_by_test_id("slot").first
    label = await first.get_attribute("aria-label")
    assert (
        f"{day:%A}, {day.day} {day:%B} {day.year} at " in label and local_hhmm(offered[0], NEW_YORK) in label
    )
    await assert_accessible(page)
    await page.screenshot(path=SHOTS / f"convene-book-calendar-{size}.png", full_page=True)

    # Another zone: the same day now holds Berlin's day seen from Tokyo (17:00 onwards, plus the
    # previous Berlin evening after midnight), every time re-rendered; the choice is remembered.
    await page.get_by_test_id("zone").fill("Asia/Tokyo")
    await page.get_by_test_id("zone").press("Enter")
    both = await free_slots(server, day - timedelta(days=1)) + offered
    tokyo_day = [s for s in both if utc(s).astimezone(TOKYO).date() == day]
    await expect(page.get_by_test_id("times").get_by_test_id("slot").first).to_have_text(
        local_hhmm(tokyo_day[0], TOKYO)
    )
    assert await shown_starts(page) == tokyo_day
    assert await shown_times(page) == [local_hhmm(s, TOKYO) for s in tokyo_day]
    assert local_hhmm(offered[0], TOKYO) == "17:00"  # Berlin's 09:00 in winter
    assert await page.evaluate("localStorage.getItem('convene:timezone')") == "Asia/Tokyo"

    # Choosing a time opens the confirm step at once, in view, the cursor in the first empty field.
    start = await slot_at(server, day, "10:00")
    await page.locator(f'[data-testid="slot"][data-start="{start}"]').click()
    step = page.get_by_test_id("confirm-step")
    await expect(step).to_be_in_viewport()
    await expect(page.get_by_test_id("name")).to_be_focused()
    await expect(page.get_by_test_id("chosen-time")).to_contain_text("18:00 – 18:30 (Asia/Tokyo)")
    await expect(page.get_by_test_id("subject")).to_have_value("Intro call")
    await page.get_by_test_id("name").fill("Ann")
    await page.get_by_test_id("email").fill("ann@example.org")
    await page.get_by_test_id("note").fill("Please bring the price list.")
    await assert_accessible(page)
    await page.screenshot(path=SHOTS / f"convene-book-confirm-{size}.png", full_page=True)
    await page.get_by_test_id("schedule").click()

    confirmed = page.get_by_test_id("booking-confirmed")
    await expect(confirmed).to_have_text("Booked: Intro call with Alice.")
    assert "/booked/" in page.url
    async with server.runtime.uow(read_only=True) as uow:
        [meeting] = await uow.meetings.upcoming(agents=["alice"])
        notes = [m.text for m in await uow.messages.list(meeting.conversation_id)]
    assert meeting.start == utc(start) and meeting.subject == "Intro call"
    assert "Please bring the price list." in notes  # the note reached the host's conversation

    await page.reload()  # its own address: the same confirmation, no booking form
    await expect(confirmed).to_have_text("Booked: Intro call with Alice.")
    await expect(page.get_by_test_id("schedule")).to_be_hidden()
    await expect(page.get_by_test_id("done-when")).to_contain_text("18:00 – 18:30 (Asia/Tokyo)")
    await expect(page.get_by_test_id("done-when-host")).to_contain_text("10:00 – 10:30 (Europe/Berlin)")
    google = parse_qs(urlsplit(await page.get_by_test_id("cal-google").get_attribute("href")).query)
    end = meeting.end.strftime("%Y%m%dT%H%M%SZ")
    assert google["dates"] == [f"{google_time(start)}/{end}"] and google["text"] == ["Intro call"]
    outlook_href = await page.get_by_test_id("cal-outlook").get_attribute("href")
    assert outlook_href.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    outlook = parse_qs(urlsplit(outlook_href).query)
    assert outlook["startdt"] == [utc(start).strftime("%Y-%m-%dT%H:%M:%SZ")]
    async with page.expect_download() as waiting:
        await page.get_by_test_id("cal-ics").click()
    download = await waiting.value
    event = next(iter(Calendar.from_ical(Path(await download.path()).read_bytes()).walk("VEVENT")))
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (meeting.start, meeting.end)
    await assert_accessible(page)
    await page.screenshot(path=SHOTS / f"convene-book-done-{size}.png", full_page=True)


async def test_the_month_grid_works_from_the_keyboard(browser: Any, server: LiveServer) -> None:
    page = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    await page.goto(server.url + "/book/alice")
    await expect(page.get_by_test_id("slot").first).to_be_visible()
    chosen = page.locator('[data-testid="day"][aria-pressed="true"]')
    first_open = await chosen.get_attribute("data-day")
    await expect(page.locator('[data-testid="day"][tabindex="0"]')).to_have_count(1)  # one tab stop
    await chosen.focus()
    await page.keyboard.press("ArrowDown")  # a week later: a weekday too, inside the window
    week_later = page.locator('[data-testid="day"]:focus')
    later = await week_later.get_attribute("data-day")
    assert later and date.fromisoformat(later) == date.fromisoformat(first_open) + timedelta(days=7)
    await page.keyboard.press("Enter")
    await expect(page.locator(f'[data-testid="day"][data-day="{later}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    offered = await free_slots(server, date.fromisoformat(later))
    assert await shown_starts(page) == offered


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
async def test_the_manage_link_reschedules_and_cancels_without_a_session(
    browser: Any, server: LiveServer, viewport: dict[str, int]
) -> None:
    day = next_weekday(2)
    booked = await book_by_api(server, await slot_at(server, day, "09:00"))
    meeting_id = booked["meeting"]["id"]

    page = await new_page(browser, server, viewport=viewport, locale="en-GB", timezone_id="Europe/Berlin")
    await page.goto(booked["manage_url"])
    await expect(page.get_by_test_id("booking-confirmed")).to_have_text("Booked: Demo with Alice.")
    assert await page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':session'))") == []
    await page.get_by_test_id("manage-reschedule").click()
    await expect(page.locator("#booking")).to_be_visible()
    await expect(page.locator("#title")).to_have_text("Reschedule: Demo")
    await open_day(page, day)
    target = await slot_at(server, day, "11:00")
    await page.locator(f'[data-testid="slot"][data-start="{target}"]').click()
    await expect(page.get_by_test_id("name")).to_be_hidden()  # nothing to type: it is their meeting
    await expect(page.get_by_test_id("schedule")).to_have_text("Move the meeting to this time")
    await expect(page.get_by_test_id("schedule")).to_be_focused()
    await page.screenshot(path=SHOTS / f"convene-book-move-{viewport['width']}.png", full_page=True)
    await page.get_by_test_id("schedule").click()
    await expect(page.get_by_test_id("moved")).to_have_text("Your meeting was moved.")
    await expect(page.get_by_test_id("done-when")).to_contain_text("11:00 – 11:30 (Europe/Berlin)")
    moved = await meeting_row(server, meeting_id)
    assert (moved.start, moved.status) == (utc(target), "booked")

    other = await new_page(browser, server, viewport=viewport, locale="en-GB", timezone_id="Europe/Berlin")
    await other.goto(booked["manage_url"])
    await other.get_by_test_id("manage-cancel").click()
    await expect(other.get_by_test_id("cancel-reason")).to_be_focused()
    await other.get_by_test_id("cancel-reason").fill("Something came up")
    await assert_accessible(other)
    await other.get_by_test_id("manage-cancel-confirm").click()
    await expect(other.get_by_test_id("booking-confirmed")).to_have_text("Cancelled: Demo with Alice.")
    await expect(other.get_by_test_id("manage-reschedule")).to_have_count(0)
    await expect(other.get_by_test_id("book-again")).to_have_attribute("href", "/book/alice")
    assert (await meeting_row(server, meeting_id)).status == "cancelled"
    await other.reload()
    await expect(other.get_by_test_id("booking-confirmed")).to_have_text("Cancelled: Demo with Alice.")
    await other.screenshot(path=SHOTS / f"convene-book-cancelled-{viewport['width']}.png", full_page=True)

    await other.goto(server.url + "/booked/not-a-real-token")
    await expect(other.get_by_test_id("booking-error")).to_contain_text("This link does not open a meeting.")


async def test_a_taken_time_offers_the_next_free_times_as_buttons(browser: Any, server: LiveServer) -> None:
    day = next_weekday(2)
    start = await slot_at(server, day, "09:30")
    ben = await new_page(browser, server, viewport=VIEWPORTS[1], locale="en-GB", timezone_id="Europe/Berlin")
    await ben.goto(server.url + "/book/alice?subject=Demo")
    await open_day(ben, day)
    await ben.locator(f'[data-testid="slot"][data-start="{start}"]').click()
    await ben.get_by_test_id("name").fill("Ben")
    await ben.get_by_test_id("email").fill("ben@example.org")
    await book_by_api(server, start)  # Ann is quicker

    await ben.get_by_test_id("schedule").click()
    await expect(ben.get_by_test_id("booking-error")).to_contain_text("That time was just taken.")
    offers = ben.get_by_test_id("slot-alternative")
    await expect(offers.first).to_be_visible()
    await expect(offers.first).to_be_focused()
    offered = await offers.evaluate_all("els => els.map(e => e.dataset.start)")
    assert start not in offered and offered == sorted(offered)
    assert set(offered) <= set(await free_slots(server, day)) | set(await free_slots(server, next_weekday(3)))
    await assert_accessible(ben)
    await ben.screenshot(path=SHOTS / "convene-book-taken-375.png", full_page=True)
    await offers.first.click()
    await expect(ben.get_by_test_id("chosen-time")).to_contain_text(local_hhmm(offered[0], BERLIN))
    await ben.get_by_test_id("schedule").click()
    await expect(ben.get_by_test_id("booking-confirmed")).to_have_text("Booked: Demo with Alice.")
    async with server.runtime.uow(read_only=True) as uow:
        starts = sorted(m.start for m in await uow.meetings.upcoming(agents=["alice"]))
    assert starts == sorted([utc(start), utc(offered[0])])


async def test_a_german_browser_gets_the_german_page(browser: Any, server: LiveServer) -> None:
    page = await new_page(browser, server, locale="de-DE", timezone_id="Europe/Berlin")
    await page.goto(server.url + "/book/alice?subject=Erstgespr%C3%A4ch")
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await expect(page.locator("#title")).to_have_text("Termin mit Alice buchen")
    await expect(page.get_by_text("Zeitzone", exact=True)).to_be_visible()
    month = datetime.now(BERLIN).date().month
    german_months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                     "Oktober", "November", "Dezember"]  # fmt: skip
    # This month, or the next when nothing is free any more this month (the calendar moves on itself).
    this_or_next = f"{german_months[month - 1]}|{german_months[month % 12]}"
    await expect(page.get_by_test_id("month-name")).to_contain_text(re.compile(this_or_next))
    await page.get_by_test_id("slot").first.click()
    await expect(page.get_by_test_id("schedule")).to_have_text("Bestätigen")
    await expect(page.locator("label[for=name]")).to_have_text("Ihr Name")
    await page.get_by_test_id("name").fill("Jörg")
    await page.get_by_test_id("email").fill("joerg@example.org")
    await assert_accessible(page)
    await page.screenshot(path=SHOTS / "convene-book-de-1280.png", full_page=True)
    await page.get_by_test_id("schedule").click()
    await expect(page.get_by_test_id("booking-confirmed")).to_have_text("Gebucht: Erstgespräch mit Alice.")
    await expect(page.locator("#done-title")).to_have_text("Ihr Termin ist gebucht")
    await expect(page.get_by_test_id("manage-cancel")).to_have_text("Termin absagen")


async def test_an_invitation_without_a_promoted_time_shows_the_same_calendar(
    browser: Any, server: LiveServer
) -> None:
    from bot.invitations.commands import CreateInvitation, InvitationDraft
    from bot.model import Actor

    day = next_weekday(2)
    draft = InvitationDraft(
        guest_name="Carl",
        guest_email="carl@customer.example",
        subject="Pricing call",
        duration=30,
        members=("alice",),
        start_date=day,
        end_date=day,
        day_start="09:00",
        day_end="11:00",
        timezone="Europe/Berlin",
        send_email=False,
    )
    invitation = await server.runtime.bus.handle(CreateInvitation(draft, Actor("agent", "alice", "Alice")))
    page = await new_page(browser, server, viewport=VIEWPORTS[1], locale="en-GB", timezone_id="Europe/Berlin")
    await page.goto(f"{server.url}/invite/{invitation.token}")
    await expect(page.get_by_test_id("invite-title")).to_have_text("Pricing call")
    chosen_day = page.locator('[data-testid="day"][aria-pressed="true"]')
    await expect(chosen_day).to_have_attribute("data-day", day.isoformat())  # the invitation's one day
    assert await shown_times(page) == ["09:00", "09:30", "10:00", "10:30"]
    await page.get_by_test_id("times").get_by_test_id("slot").nth(1).click()
    await expect(page.get_by_test_id("invite-chosen-time")).to_contain_text("09:30")
    await assert_accessible(page)
    await page.screenshot(path=SHOTS / "convene-invite-calendar-375.png", full_page=True)
    await page.get_by_test_id("invite-confirm").click()
    await expect(page.get_by_test_id("invite-booked")).to_contain_text("Booked")


async def test_the_host_card_shows_the_agents_uploaded_picture(browser: Any, server: LiveServer) -> None:
    from io import BytesIO

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (96, 96), (200, 60, 40)).save(png, "PNG")
    headers = {"Authorization": f"Bearer {await server.agent_token('alice')}", "Content-Type": "image/png"}
    async with aiohttp.ClientSession() as http:
        async with http.put(f"{server.url}/api/agent/avatar", data=png.getvalue(), headers=headers) as r:
            assert r.status == 200, await r.text()
            url = (await r.json())["avatar_url"]
    page = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    await page.goto(server.url + "/book/alice")
    picture = page.get_by_test_id("host-card").locator("img")
    await expect(picture).to_have_attribute("src", url)
    await expect(picture).to_have_js_property("complete", True)
    assert await picture.evaluate("img => img.naturalWidth") > 0  # served, not a broken image


async def test_a_move_to_a_time_taken_meanwhile_offers_the_next_free_times(
    browser: Any, server: LiveServer
) -> None:
    day = next_weekday(2)
    booked = await book_by_api(server, await slot_at(server, day, "09:00"))
    page = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    await page.goto(booked["manage_url"])
    await page.get_by_test_id("manage-reschedule").click()
    await open_day(page, day)
    wanted = await slot_at(server, day, "10:30")
    await page.locator(f'[data-testid="slot"][data-start="{wanted}"]').click()
    await book_by_api(server, wanted, subject="Someone else")  # taken before the guest confirms
    await page.get_by_test_id("schedule").click()
    await expect(page.get_by_test_id("booking-error")).to_contain_text("That time was just taken.")
    offers = page.get_by_test_id("slot-alternative")
    await expect(offers.first).to_be_focused()
    offered = await offers.evaluate_all("els => els.map(e => e.dataset.start)")
    assert wanted not in offered
    await offers.first.click()
    await page.get_by_test_id("schedule").click()
    await expect(page.get_by_test_id("moved")).to_have_text("Your meeting was moved.")
    assert (await meeting_row(server, booked["meeting"]["id"])).start == utc(offered[0])
