"""A personal link's time frame (``/book/{agent}?start=&end=``) is a rule, not a hint.

The booking page passes the link's days with the booking; the engine refuses a start outside them
(``outside_link_window``), so editing the request cannot book a day the agent did not offer. The
frame never reaches past the booking horizon: an over-long frame is clipped to it (the page shows
the days that are bookable, not nothing), and a frame that starts in the past starts today.
Days are the host's: the agent's time zone decides which day a start falls on.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput


def clip(link_start: date | None, link_end: date | None, *, today: date, last: date) -> tuple[date, date]:
    """The bookable days of a link: its frame within [today, the horizon's day]."""
    start = max(link_start, today) if link_start else today
    end = min(link_end, last) if link_end else last
    return start, end


def check(
    start_at: datetime,
    link_start: date | None,
    link_end: date | None,
    *,
    tz: str,
    today: date,
    last: date,
) -> None:
    if link_start is None and link_end is None:
        return
    first, final = clip(link_start, link_end, today=today, last=last)
    day = start_at.astimezone(ZoneInfo(tz)).date()
    if not first <= day <= final:
        raise InvalidInput(
            f"This link offers times from {first:%d.%m.%Y} to {final:%d.%m.%Y}; "
            f"{day:%d.%m.%Y} is outside it.",
            code="outside_link_window",
            field="start",
        )
