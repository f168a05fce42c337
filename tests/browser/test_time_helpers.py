"""The front-end's pure time helpers (static/lib/time.js) and the slot picker's day list, run in
headless Chromium against the real Intl time zone data, on both sides of each DST change of 2026:
Europe/Berlin (29 March, 25 October) and America/New_York (8 March, 1 November)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from adapters.web.app import STATIC
from tests.browser.conftest import free_port

pytestmark = [pytest.mark.browser]

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    """A blank page on an origin that serves static/ (the modules need no database)."""

    async def blank(request: web.Request) -> web.Response:
        return web.Response(text="<!doctype html><title>time</title>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", blank)
    app.router.add_static("/static/", STATIC)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    context = await browser.new_context(locale="en-GB", timezone_id="Asia/Tokyo")  # not a zone under test
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    await tab.goto(f"http://127.0.0.1:{port}/")
    try:
        yield tab
    finally:
        await context.close()
        await runner.cleanup()
    assert errors == []


async def each(page: Any, expression: str, rows: list[tuple[Any, ...]]) -> list[Any]:
    """``expression`` applied to every row's arguments in the page, with the module as ``T``."""
    script = f"""async (rows) => {{
        const T = await import("/static/lib/time.js");
        return rows.map((args) => ({expression})(...args));
    }}"""
    return list(await page.evaluate(script, [list(row) for row in rows]))


DAY_KEYS = [  # an instant, a zone, the calendar date there
    ("2026-03-28T23:30:00Z", BERLIN, "2026-03-29"),  # 00:30 CET, the night of the change
    ("2026-03-29T00:30:00Z", BERLIN, "2026-03-29"),  # 01:30 CET, half an hour before it
    ("2026-03-29T22:30:00Z", BERLIN, "2026-03-30"),  # 00:30 CEST: the next day already
    ("2026-10-24T22:00:00Z", BERLIN, "2026-10-25"),  # 00:00 CEST
    ("2026-10-25T22:59:00Z", BERLIN, "2026-10-25"),  # 23:59 CET: the 25-hour day's last minute
    ("2026-03-08T04:59:00Z", NEW_YORK, "2026-03-07"),  # 23:59 EST
    ("2026-03-08T05:00:00Z", NEW_YORK, "2026-03-08"),  # 00:00 EST
    ("2026-11-01T03:59:00Z", NEW_YORK, "2026-10-31"),  # 23:59 EDT
    ("2026-11-01T04:00:00Z", NEW_YORK, "2026-11-01"),  # 00:00 EDT
    ("2026-11-02T04:59:00Z", NEW_YORK, "2026-11-01"),  # 23:59 EST
]


async def test_an_instant_falls_on_the_viewers_calendar_day_around_each_change(page: Any) -> None:
    rows = [(instant, zone) for instant, zone, _ in DAY_KEYS]
    assert await each(page, "T.dayKey", rows) == [day for *_, day in DAY_KEYS]


TIMES = [  # an instant, a zone, the time people see there
    ("2026-03-29T00:59:00Z", BERLIN, "01:59"),
    ("2026-03-29T01:00:00Z", BERLIN, "03:00"),  # 02:00–02:59 never happens
    ("2026-10-25T00:30:00Z", BERLIN, "02:30"),  # CEST
    ("2026-10-25T01:30:00Z", BERLIN, "02:30"),  # CET: the same wall time an hour later
    ("2026-03-08T06:59:00Z", NEW_YORK, "01:59"),
    ("2026-03-08T07:00:00Z", NEW_YORK, "03:00"),
    ("2026-11-01T05:30:00Z", NEW_YORK, "01:30"),  # EDT
    ("2026-11-01T06:30:00Z", NEW_YORK, "01:30"),  # EST
]


async def test_a_time_is_formatted_in_the_viewers_zone_not_the_browsers(page: Any) -> None:
    rows = [(instant, zone, "en-GB") for instant, zone, _ in TIMES]
    assert await each(page, "T.formatTime", rows) == [time for *_, time in TIMES]
    assert await each(page, "T.formatDay", [("2026-03-28T23:30:00Z", BERLIN, "en-GB")]) == ["Sun 29 Mar"]


SAME_TIME_NEXT_DAY = [  # an instant, a zone, days to add, the same wall time then (UTC)
    ("2026-03-28T08:00:00Z", BERLIN, 1, "2026-03-29T07:00:00.000Z"),  # 09:00 → 09:00, 23 h later
    ("2026-10-24T07:00:00Z", BERLIN, 1, "2026-10-25T08:00:00.000Z"),  # 09:00 → 09:00, 25 h later
    ("2026-03-07T14:00:00Z", NEW_YORK, 1, "2026-03-08T13:00:00.000Z"),
    ("2026-10-31T13:00:00Z", NEW_YORK, 1, "2026-11-01T14:00:00.000Z"),
    ("2026-03-23T08:00:00Z", BERLIN, -7, "2026-03-16T08:00:00.000Z"),  # a week back across nothing
    ("2026-03-30T07:00:00Z", BERLIN, -7, "2026-03-23T08:00:00.000Z"),  # a week back across the change
]


async def test_adding_days_keeps_the_wall_time_across_each_change(page: Any) -> None:
    rows = [(instant, days, zone) for instant, zone, days, _ in SAME_TIME_NEXT_DAY]
    got = await each(page, "(i, n, z) => T.addDaysKeepingTime(i, n, z).toISOString()", rows)
    assert got == [then for *_, then in SAME_TIME_NEXT_DAY]


CALENDAR = [  # an expression on day keys, its value: dates have no zone, so no change moves them
    ("T.addDays('2026-03-28', 1)", "2026-03-29"),
    ("T.addDays('2026-10-25', 1)", "2026-10-26"),
    ("T.addDays('2026-03-08', -1)", "2026-03-07"),
    ("T.addDays('2026-10-26', 7)", "2026-11-02"),
    ("T.daysBetween('2026-03-01', '2026-04-01')", 31),
    ("T.weekStart('2026-03-29')", "2026-03-23"),  # a Sunday: its Monday
    ("T.weekStart('2026-11-01', 0)", "2026-11-01"),  # weeks that start on Sunday
    ("T.addMonths('2026-10-25', 1)", "2026-11-25"),
    ("T.addMonths('2026-01-31', 1)", "2026-02-28"),
    ("T.monthStart('2026-03-29')", "2026-03-01"),
    ("T.parseDottedDay('29.03.2026')", "2026-03-29"),
    ("T.parseDottedDay('31.02.2026')", None),
]


async def test_week_and_month_arithmetic_counts_calendar_days(page: Any) -> None:
    got = await each(page, "(expression) => eval(expression)", [(e,) for e, _ in CALENDAR])
    assert got == [value for _, value in CALENDAR]


WALL_TIMES = [  # a day, a wall time, a zone: the instant, as the engine (Python, fold=0) reads it
    ("2026-03-29", "09:00", BERLIN, "2026-03-29T07:00:00.000Z"),
    ("2026-03-29", "02:30", BERLIN, "2026-03-29T01:30:00.000Z"),  # skipped: 03:30 CEST
    ("2026-10-25", "02:30", BERLIN, "2026-10-25T00:30:00.000Z"),  # twice: the first
    ("2026-03-08", "02:30", NEW_YORK, "2026-03-08T07:30:00.000Z"),
    ("2026-11-01", "01:30", NEW_YORK, "2026-11-01T05:30:00.000Z"),
    ("2026-11-01", "09:00", NEW_YORK, "2026-11-01T14:00:00.000Z"),
]


async def test_a_wall_time_becomes_the_instant_the_engine_would_pick(page: Any) -> None:
    rows = [(day, hhmm, zone) for day, hhmm, zone, _ in WALL_TIMES]
    got = await each(page, "(d, t, z) => T.zonedInstant(d, t, z).toISOString()", rows)
    assert got == [instant for *_, instant in WALL_TIMES]


def hourly(first_utc_hour: str, count: int) -> list[str]:
    from datetime import datetime, timedelta

    start = datetime.fromisoformat(first_utc_hour.replace("Z", "+00:00"))
    return [(start + timedelta(hours=n)).isoformat().replace("+00:00", "Z") for n in range(count)]


@pytest.mark.parametrize(
    "zone, slots, days",
    [
        (
            BERLIN,
            hourly("2026-03-28T22:00:00Z", 6),
            [("Sat 28 Mar", ["23:00"]), ("Sun 29 Mar", ["00:00", "01:00", "03:00", "04:00", "05:00"])],
        ),
        (
            BERLIN,
            hourly("2026-10-24T22:00:00Z", 5),
            [("Sun 25 Oct", ["00:00", "01:00", "02:00", "02:00", "03:00"])],
        ),
        (
            NEW_YORK,
            hourly("2026-03-08T04:00:00Z", 5),
            [("Sat 7 Mar", ["23:00"]), ("Sun 8 Mar", ["00:00", "01:00", "03:00", "04:00"])],
        ),
        (
            NEW_YORK,
            hourly("2026-11-01T03:00:00Z", 5),
            [("Sat 31 Oct", ["23:00"]), ("Sun 1 Nov", ["00:00", "01:00", "01:00", "02:00"])],
        ),
    ],
)
async def test_the_slot_pickers_day_list_crosses_the_change_without_losing_a_slot(
    page: Any, zone: str, slots: list[str], days: list[tuple[str, list[str]]]
) -> None:
    shown = await page.evaluate(
        """async ([zone, slots]) => {
            const { slotPicker } = await import("/static/lib/slots.js");
            const picker = slotPicker({ timeZone: zone, locale: "en-GB", fetchSlots: async () => slots });
            document.body.replaceChildren(picker.element);
            await picker.open({ from: "2026-01-01" });
            return [...picker.element.querySelectorAll(".day")].map((day) => [
                day.querySelector(".day-name").textContent,
                [...day.querySelectorAll(".slot")].map((b) => b.textContent),
            ]);
        }""",
        [zone, slots],
    )
    assert [tuple(day) for day in shown] == days
    starts = await page.locator(".slot").evaluate_all("els => els.map(e => e.dataset.start)")
    assert starts == slots  # every instant once, in order, as the API sent it


async def test_the_last_bookable_day_comes_from_the_server_never_a_constant(page: Any) -> None:
    rows = [
        ({"window_end": "2026-12-30T09:10:00Z"}, BERLIN, "2026-12-30"),
        ({"window_end": "2026-12-30T23:30:00Z"}, BERLIN, "2026-12-31"),  # already the 31st in Berlin
        ({"window_end": "2026-12-30"}, NEW_YORK, "2026-12-30"),
        ({"horizon_days": 10}, BERLIN, "2026-03-08"),  # from "now" below
        ({"durations": [30]}, BERLIN, None),  # an older server: the picker falls back to the slots
    ]
    got = await page.evaluate(
        """async (rows) => {
            const T = await import("/static/lib/time.js");
            const now = new Date("2026-02-26T12:00:00Z");
            return rows.map(([info, zone]) => T.lastBookableDay(info, zone, now));
        }""",
        [[info, zone] for info, zone, _ in rows],
    )
    assert got == [day for *_, day in rows]


MONTH_PICKER_DST = [  # the booking calendar in October 2026 (Berlin's change on Sunday the 25th)
    (
        BERLIN,
        # 00:30 CEST on the 25th, 02:30 CEST and 02:30 CET (the hour that happens twice), 23:30 CET,
        # then 00:00 CET on the 26th: the 25-hour day holds four times, the 26th one.
        [
            "2026-10-24T22:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-25T22:30:00Z",
            "2026-10-25T23:00:00Z",
        ],
        {"2026-10-25": ["00:30", "02:30", "02:30", "23:30"], "2026-10-26": ["00:00"]},
    ),
    (
        NEW_YORK,  # the same instants five or six hours earlier: the 24th and the 25th there
        [
            "2026-10-24T22:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-25T22:30:00Z",
            "2026-10-25T23:00:00Z",
        ],
        {"2026-10-24": ["18:30", "20:30", "21:30"], "2026-10-25": ["18:30", "19:00"]},
    ),
]


@pytest.mark.parametrize("zone, slots, days", MONTH_PICKER_DST, ids=["berlin", "new-york"])
async def test_the_month_calendar_marks_each_day_of_the_change_with_its_own_times(
    page: Any, zone: str, slots: list[str], days: dict[str, list[str]]
) -> None:
    """A 25-hour day is one calendar day: one cell, its times all there, none leaking next door."""
    shown = await page.evaluate(
        """async ([zone, slots]) => {
            const { monthPicker, monthGrid } = await import("/static/lib/month-picker.js");
            const picker = monthPicker({ t: (key) => key, timeZone: zone, locale: "en-GB",
                                         fetchSlots: async () => slots });
            document.body.replaceChildren(picker.element);
            await picker.open({ from: "2026-10-01", first: "2026-10-01", last: "2026-10-31" });
            const open = [...document.querySelectorAll(".day.open")].map((b) => b.dataset.day);
            const times = {};
            for (const day of open) {
                document.querySelector(`[data-day="${day}"]`).click();
                times[day] = [...document.querySelectorAll(".times .slot")].map((b) => b.textContent);
            }
            const grid = monthGrid("2026-10-01", 1);
            return { times, grid: [grid[0], grid[41], new Set(grid).size],
                     cells: document.querySelectorAll(".day").length };
        }""",
        [zone, slots],
    )
    assert shown["times"] == days
    assert shown["grid"] == ["2026-09-28", "2026-11-08", 42]  # six weeks from a Monday, no day twice
    assert shown["cells"] == 31  # October's days, the long Sunday once


async def test_meeting_lengths_are_said_in_the_viewers_language(page: Any) -> None:
    rows = [(minutes, locale) for locale in ("en", "en-GB", "de-DE") for minutes in (30, 60, 90)]
    assert await each(page, "(minutes, locale) => T.formatDuration(minutes, locale)", rows) == [
        "30 min", "1 hr", "1 hr 30 min",
        "30 min", "1 hr", "1 hr 30 min",  # the language counts, not the region ("30 mins")
        "30 Min.", "1 Std.", "1 Std., 30 Min.",
    ]  # fmt: skip
