"""Meetings in two browsers: a guest books from the widget and from Alice's personal link, moves and
changes meetings in the widget; Alice schedules, moves and cancels from the inbox and edits her
scheduling settings; every change shows up live on the other side. The server's clock is real, so
the days are computed here and the slots come from the slots API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page, watch_page
from tests.browser.test_chat import conversation, guest_says, thread_message

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]

BERLIN = ZoneInfo("Europe/Berlin")  # alice's zone in the demo data
NEW_YORK = ZoneInfo("America/New_York")
ALICE_SITE = "/test-site?agent=alice"  # a page embedding the widget for Alice, on the server's origin
GUEST = {"locale": "en-GB", "timezone_id": "Europe/Berlin"}


def next_weekday(min_days: int) -> date:
    """The first Monday–Friday at least ``min_days`` after today in Berlin (within a week)."""
    day = datetime.now(BERLIN).date() + timedelta(days=min_days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def free_slots(server: LiveServer, day: date, duration: int = 30) -> list[str]:
    query = {
        "start": day.isoformat(),
        "end": day.isoformat(),
        "duration": str(duration),
        "tz": "Europe/Berlin",
    }
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/api/agents/alice/slots", params=query) as response:
            assert response.status == 200, await response.text()
            return [slot["start"] for slot in (await response.json())["slots"]]


async def slot_at(server: LiveServer, day: date, hhmm: str) -> str:
    """The UTC ISO of Alice's free slot starting at ``hhmm`` Berlin time on ``day``."""
    hour, minute = map(int, hhmm.split(":"))
    wanted = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
    for start in await free_slots(server, day):
        if datetime.fromisoformat(start.replace("Z", "+00:00")) == wanted:
            return start
    raise AssertionError(f"{hhmm} on {day} is not free")


def local_hhmm(start: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(zone).strftime("%H:%M")


async def alice_widget(page: Any, server: LiveServer) -> None:
    await page.goto(server.url + ALICE_SITE)
    await page.get_by_test_id("launcher").click()


async def guest_chats(browser: Any, server: LiveServer, name: str, **options: Any) -> Any:
    page = await new_page(browser, server, **{**GUEST, **options})
    await alice_widget(page, server)
    await page.get_by_test_id("name-input").fill(name)
    await page.get_by_test_id("email-input").fill(f"{name.lower()}@example.org")
    await page.get_by_test_id("start-button").click()
    await guest_says(page, f"Hello Alice, this is {name}.")
    return page


async def open_inbox(browser: Any, server: LiveServer, slug: str, **options: Any) -> Any:
    page = await new_page(browser, server, locale="en-GB", **options)
    await page.goto(await server.login_link(slug))
    await expect(page).to_have_url(server.url + "/inbox")
    await expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    return page


async def book_in_widget(page: Any, subject: str, start: str | None = None, *, duration: str = "30") -> str:
    await page.get_by_test_id("schedule-meeting").click()
    await page.get_by_test_id("booking-subject").fill(subject)
    await page.get_by_test_id("booking-duration").select_option(duration)
    slot = page.locator(f'[data-testid="booking-slot"][data-start="{start}"]') if start else None
    slot = slot or page.get_by_test_id("booking-slot").first
    chosen = str(await slot.get_attribute("data-start"))
    await slot.click()
    await page.get_by_test_id("booking-submit").click()
    await expect(page.get_by_test_id("booking-confirmed")).to_contain_text(f"Booked: {subject}")
    return chosen


def meeting(page: Any, subject: str) -> Any:
    return page.get_by_test_id("meeting-item").filter(has_text=subject)


def agent_meeting(page: Any, subject: str) -> Any:
    return page.get_by_test_id("agent-meeting").filter(has_text=subject)


async def system_notice(page: Any, text: str) -> None:
    await expect(thread_message(page, text)).to_have_attribute("data-author-kind", "system")


async def test_guest_books_from_widget_and_link_moves_it_and_alice_reschedules_and_cancels(
    browser: Any, server: LiveServer
) -> None:
    guest = await guest_chats(browser, server, "Ann")

    # 1. From the widget: subject, duration, a free slot in the guest's zone, Schedule.
    tomorrow_or_so = next_weekday(1)  # never today: a slot minutes away could pass mid-test
    later_that_day = f'[data-start^="{tomorrow_or_so.isoformat()}T1"]'  # 11:00 Berlin and later
    first = await book_in_widget(guest, "Anvil demo", await slot_at(server, tomorrow_or_so, "09:00"))
    await system_notice(guest, "Meeting booked: Anvil demo")
    await expect(meeting(guest, "Anvil demo").get_by_test_id("meeting-when")).to_contain_text(
        local_hhmm(first, BERLIN)
    )

    # 2. From Alice's personal link, in another tab: the dates and subject come from the URL.
    day = next_weekday(8)
    link = server.url + "/book/alice"
    tab = await guest.context.new_page()
    watch_page(tab, server)
    await tab.goto(f"{link}?start={day:%d.%m.%Y}&end={day:%d.%m.%Y}&subject=Contract%20review")
    await expect(tab.get_by_test_id("subject")).to_have_value("Contract review")
    offered = await tab.get_by_test_id("slot").evaluate_all("els => els.map(e => e.dataset.start)")
    assert offered == await free_slots(server, day)  # exactly that day, nothing else
    await tab.get_by_test_id("slot").first.click()
    await tab.get_by_test_id("schedule").click()
    await expect(tab.get_by_test_id("booking-confirmed")).to_contain_text(
        "Booked: Contract review with Alice"
    )
    await tab.screenshot(path="/tmp/convene-booking-page.png")
    await tab.close()
    # The widget saw it live: same guest, same conversation with Alice.
    await system_notice(guest, "Meeting booked: Contract review")
    await expect(guest.get_by_test_id("meeting-item")).to_have_count(2)

    # 3. The guest reschedules from the widget's calendar list.
    await meeting(guest, "Anvil demo").get_by_test_id("meeting-reschedule").click()
    await expect(guest.get_by_test_id("booking-title")).to_have_text("Reschedule: Anvil demo")
    target = guest.get_by_test_id("booking-slot").and_(guest.locator(later_that_day)).first
    moved = str(await target.get_attribute("data-start"))
    assert moved != first
    await target.click()
    await guest.get_by_test_id("booking-submit").click()
    await system_notice(guest, "Meeting rescheduled by Ann: Anvil demo")
    await expect(meeting(guest, "Anvil demo").get_by_test_id("meeting-when")).to_contain_text(
        local_hhmm(moved, BERLIN)
    )
    await guest.screenshot(path="/tmp/convene-booking-widget.png")

    # 4. Alice, in the inbox, sees both meetings in the thread header; she moves one and cancels the other.
    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Ann").click()
    await expect(inbox.get_by_test_id("agent-meeting")).to_have_count(2)
    await agent_meeting(inbox, "Anvil demo").get_by_test_id("agent-meeting-reschedule").click()
    later = inbox.get_by_test_id("agent-slot").and_(inbox.locator(later_that_day)).nth(3)
    by_alice = str(await later.get_attribute("data-start"))
    await later.click()
    await inbox.get_by_test_id("agent-booking-submit").click()
    await expect(agent_meeting(inbox, "Anvil demo").get_by_test_id("agent-meeting-when")).to_contain_text(
        local_hhmm(by_alice, BERLIN)
    )
    await agent_meeting(inbox, "Contract review").get_by_test_id("agent-meeting-cancel").click()
    await inbox.screenshot(path="/tmp/convene-booking-inbox-confirm.png")
    await inbox.get_by_test_id("agent-meeting-cancel-confirm").click()
    await expect(inbox.get_by_test_id("agent-meeting")).to_have_count(1)
    await system_notice(inbox, "Meeting cancelled by Alice: Contract review")

    # 5. The guest saw both of Alice's changes live, without a reload.
    await system_notice(guest, "Meeting rescheduled by Alice: Anvil demo")
    await system_notice(guest, "Meeting cancelled by Alice: Contract review")
    await expect(guest.get_by_test_id("meeting-item")).to_have_count(1)
    await expect(meeting(guest, "Anvil demo").get_by_test_id("meeting-when")).to_contain_text(
        local_hhmm(by_alice, BERLIN)
    )
    await inbox.screenshot(path="/tmp/convene-booking-inbox.png")
    await guest.screenshot(path="/tmp/convene-booking-widget-live.png")


async def test_same_slot_from_two_browsers_second_gets_alternatives(browser: Any, server: LiveServer) -> None:
    day = next_weekday(1)
    wanted = await slot_at(server, day, "11:00")
    amy = await new_page(browser, server, **GUEST)
    bea = await new_page(browser, server, **GUEST)
    for page, name in ((amy, "Amy"), (bea, "Bea")):
        # No chat first: the scheduling view asks for the name itself.
        await alice_widget(page, server)
        await page.get_by_test_id("schedule-meeting").click()
        await page.get_by_test_id("booking-name").fill(name)
        await page.get_by_test_id("booking-email").fill(f"{name.lower()}@example.org")  # for the invitation
        await page.get_by_test_id("booking-subject").fill(f"{name}'s order")
        await page.locator(f'[data-testid="booking-slot"][data-start="{wanted}"]').click()

    await amy.get_by_test_id("booking-submit").click()
    await expect(amy.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Amy's order")
    await system_notice(amy, "Meeting booked: Amy's order")

    await bea.get_by_test_id("booking-submit").click()
    await expect(bea.get_by_test_id("booking-error")).to_have_text(
        "That time is no longer free; here are the next free times."
    )
    alternatives = bea.get_by_test_id("booking-alternatives").get_by_test_id("booking-slot")
    offered = await alternatives.evaluate_all("els => els.map(e => e.dataset.start)")
    assert offered and wanted not in offered and offered == sorted(offered)
    await bea.screenshot(path="/tmp/convene-booking-slot-taken.png")
    await alternatives.first.click()
    await bea.get_by_test_id("booking-submit").click()
    await expect(bea.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Bea's order")
    await expect(meeting(bea, "Bea's order").get_by_test_id("meeting-when")).to_contain_text(
        local_hhmm(offered[0], BERLIN)
    )


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=99.99.2026", 'The start date "99.99.2026" is not a date like 24.11.2026'),
        ("start=01.01.2026&end=31.02.2026", 'The end date "31.02.2026" is not a date like 30.11.2026'),
        ("start=tomorrow", 'The start date "tomorrow" is not a date'),
    ],
)
async def test_booking_page_explains_invalid_dates(
    browser: Any, server: LiveServer, query: str, message: str
) -> None:
    page = await new_page(browser, server, **GUEST)
    await page.goto(f"{server.url}/book/alice?{query}&subject=Hi")
    await expect(page.get_by_test_id("booking-error")).to_contain_text(message)
    await expect(page.get_by_test_id("subject")).to_have_value("Hi")  # the page still works
    await expect(page.get_by_test_id("slot").first).to_be_visible()
    if query.startswith("start=99"):
        await page.screenshot(path="/tmp/convene-booking-invalid-date.png")


async def test_guest_sees_new_york_time_while_alice_sees_berlin_time(
    browser: Any, server: LiveServer
) -> None:
    day = next_weekday(1)
    start = await slot_at(server, day, "10:00")  # Alice's 10:00 in Berlin
    new_york = local_hhmm(start, NEW_YORK)
    assert new_york in {"04:00", "05:00"}

    guest = await guest_chats(browser, server, "Nina", timezone_id="America/New_York")
    await guest.get_by_test_id("schedule-meeting").click()
    slot = guest.locator(f'[data-testid="booking-slot"][data-start="{start}"]')
    await expect(slot).to_have_text(new_york)
    await expect(guest.get_by_test_id("booking-panel")).to_contain_text("America/New_York")
    await guest.screenshot(path="/tmp/convene-booking-new-york.png")
    await guest.get_by_test_id("booking-close").click()

    # Alice's browser says Tokyo; the inbox still shows her scheduling zone, Berlin.
    inbox = await open_inbox(browser, server, "alice", timezone_id="Asia/Tokyo")
    await conversation(inbox, "Nina").click()
    await inbox.get_by_test_id("agent-schedule").click()
    await inbox.get_by_test_id("agent-booking-subject").fill("Time zones")
    agent_slot = inbox.locator(f'[data-testid="agent-slot"][data-start="{start}"]')
    await expect(agent_slot).to_have_text("10:00")
    await agent_slot.click()
    await inbox.get_by_test_id("agent-booking-submit").click()
    when = agent_meeting(inbox, "Time zones").get_by_test_id("agent-meeting-when")
    await expect(when).to_contain_text("10:00")
    await expect(when).to_contain_text(f"{new_york} for the guest (America/New_York)")
    await inbox.screenshot(path="/tmp/convene-booking-inbox-berlin.png")

    # The guest's list and thread update live, in New York time.
    await system_notice(guest, "Meeting booked: Time zones")
    await expect(meeting(guest, "Time zones").get_by_test_id("meeting-when")).to_contain_text(new_york)


async def test_alice_edits_settings_and_both_sides_change_the_length(
    browser: Any, server: LiveServer
) -> None:
    inbox = await open_inbox(browser, server, "alice")
    await inbox.get_by_test_id("settings-open").click()
    await expect(inbox.get_by_test_id("settings-timezone")).to_have_value("Europe/Berlin")
    await expect(inbox.get_by_test_id("settings-hours-mon")).to_have_value("09:00-17:00")
    await expect(inbox.get_by_test_id("settings-hours-sat")).to_have_value("")
    await expect(inbox.get_by_test_id("settings-lunch")).to_have_value("13:00-14:00")
    refused = [
        ("settings-durations", "10, 30", "durations must be a whole number from 15 to 360, not 10."),
        ("settings-timezone", "Mars/Olympus", "timezone 'Mars/Olympus' is not a known IANA time zone."),
        ("settings-hours-tue", "17:00-09:00", "working_hours.tue ends at 09:00 before it starts at 17:00."),
    ]
    for testid, value, message in refused:
        before = await inbox.get_by_test_id(testid).input_value()
        await inbox.get_by_test_id(testid).fill(value)
        await inbox.get_by_test_id("settings-save").click()
        await expect(inbox.get_by_test_id("settings-error")).to_have_text(message)
        await inbox.get_by_test_id(testid).fill(before)
    await inbox.screenshot(path="/tmp/convene-booking-settings-error.png")
    await inbox.get_by_test_id("settings-durations").fill("30, 60")
    await inbox.get_by_test_id("settings-reminder").fill("30")
    await inbox.get_by_test_id("settings-save").click()
    await expect(inbox.get_by_test_id("settings-saved")).to_be_visible()
    await expect(inbox.get_by_test_id("settings-error")).to_be_hidden()
    await inbox.get_by_test_id("settings-close").click()

    # The guest is offered the new length and changes a booked meeting to it.
    guest = await guest_chats(browser, server, "Otto")
    start = await slot_at(server, next_weekday(1), "09:00")
    await guest.get_by_test_id("schedule-meeting").click()
    await expect(guest.get_by_test_id("booking-duration").locator("option")).to_have_text(["30 min", "1 hr"])
    await guest.get_by_test_id("booking-close").click()
    await book_in_widget(guest, "Rocket skates", start)
    await meeting(guest, "Rocket skates").get_by_test_id("meeting-duration").click()
    await guest.get_by_test_id("meeting-duration-select").select_option("60")
    await expect(guest.get_by_test_id("meeting-duration-select")).to_have_value("60")
    await guest.get_by_test_id("meeting-duration-save").click()
    await system_notice(guest, "Meeting changed by Otto to 60 minutes: Rocket skates")

    # Alice sees it in her inbox and shortens it again; the guest sees that live, and then cancels.
    await conversation(inbox, "Otto").click()
    item = agent_meeting(inbox, "Rocket skates")
    await expect(item.get_by_test_id("agent-meeting-when")).to_contain_text(
        f"{local_hhmm(start, BERLIN)}–{(datetime.fromisoformat(start.replace('Z', '+00:00')) + timedelta(minutes=60)).astimezone(BERLIN):%H:%M}"
    )
    await item.get_by_test_id("agent-meeting-duration").click()
    await inbox.get_by_test_id("agent-meeting-duration-select").select_option("30")
    await expect(inbox.get_by_test_id("agent-meeting-duration-select")).to_have_value("30")
    await inbox.get_by_test_id("agent-meeting-duration-save").click()
    await system_notice(guest, "Meeting changed by Alice to 30 minutes: Rocket skates")
    await meeting(guest, "Rocket skates").get_by_test_id("meeting-cancel").click()
    await guest.get_by_test_id("meeting-cancel-confirm").click()
    await system_notice(guest, "Meeting cancelled by Otto: Rocket skates")
    await expect(guest.get_by_test_id("meeting-item")).to_have_count(0)
    await expect(inbox.get_by_test_id("agent-meeting")).to_have_count(0)  # live in the inbox too


async def test_service_widget_books_with_a_free_member_and_shows_the_notice(
    browser: Any, server: LiveServer
) -> None:
    """The demo site's widget is for Sales: slots are the union over its members, the meeting goes to
    one of them, and the notice shows in the widget's thread."""
    day = next_weekday(1)
    query = {"start": day.isoformat(), "end": day.isoformat(), "tz": "Europe/Berlin"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/api/services/sales/slots", params=query) as response:
            slots = (await response.json())["slots"]
    start = slots[2]["start"]
    guest = await new_page(browser, server, **GUEST)
    await guest.goto(server.url + "/")
    await guest.get_by_test_id("launcher").click()
    await guest.get_by_test_id("name-input").fill("Sam")
    await guest.get_by_test_id("email-input").fill("sam@example.org")
    await guest.get_by_test_id("start-button").click()
    await guest_says(guest, "Can someone from sales call me?")
    await guest.get_by_test_id("schedule-meeting").click()
    await expect(guest.get_by_test_id("booking-duration").locator("option")).to_have_text(["30 min"])
    await book_in_widget(guest, "Bulk anvils", start)
    await system_notice(guest, "Meeting booked: Bulk anvils")
    agent = await meeting(guest, "Bulk anvils").get_by_test_id("meeting-when").text_content()
    assert agent is not None and agent.endswith(("Alice", "Bob"))
    await guest.screenshot(path="/tmp/convene-booking-service.png")


async def test_meeting_booked_elsewhere_shows_in_the_widget_live(browser: Any, server: LiveServer) -> None:
    """A Support widget's guest books Alice from her personal link: that meeting lives in the
    guest's conversation with Alice, yet the widget lists it and shows its notices live."""
    guest = await new_page(browser, server, **GUEST)
    await guest.goto(server.url + "/test-site?service=support")
    await guest.get_by_test_id("launcher").click()
    await guest.get_by_test_id("name-input").fill("Tom")
    await guest.get_by_test_id("email-input").fill("tom@example.org")
    await guest.get_by_test_id("start-button").click()
    await guest_says(guest, "My rocket skates will not stop.")
    day = next_weekday(1)
    tab = await guest.context.new_page()
    watch_page(tab, server)
    await tab.goto(f"{server.url}/book/alice?start={day:%d.%m.%Y}&end={day:%d.%m.%Y}&subject=Brakes")
    await tab.get_by_test_id("slot").first.click()
    await tab.get_by_test_id("schedule").click()
    await expect(tab.get_by_test_id("booking-confirmed")).to_contain_text("Booked: Brakes with Alice")

    notice = guest.get_by_test_id("notice").filter(has_text="Meeting booked: Brakes")
    await expect(notice).to_have_count(1)
    await expect(meeting(guest, "Brakes")).to_be_visible()
    await expect(guest.get_by_test_id("notice")).to_have_count(1)  # not "Tom started a conversation…"
    await meeting(guest, "Brakes").get_by_test_id("meeting-cancel").click()
    await guest.get_by_test_id("meeting-cancel-confirm").click()
    await expect(
        guest.get_by_test_id("notice").filter(has_text="Meeting cancelled by Tom: Brakes")
    ).to_have_count(1)
    await expect(guest.get_by_test_id("meeting-item")).to_have_count(0)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_widget_on_another_site_may_change_meetings(server: LiveServer, method: str) -> None:
    """The widget reschedules and cancels from other origins: the preflight must allow it."""
    headers = {"Origin": "https://partner.example", "Access-Control-Request-Method": method}
    async with aiohttp.ClientSession() as http:
        async with http.options(f"{server.url}/api/guest/meetings/some-id", headers=headers) as response:
            assert response.status == 204
            assert method in response.headers["Access-Control-Allow-Methods"]
