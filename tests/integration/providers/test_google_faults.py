"""Google throttling and outages: Retry-After honoured, backoff, and never 'free' when unreadable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.calendars.google.provider import GoogleCalendarProvider
from scheduling.calendar import CalendarAccount, Interval
from scheduling.errors import CalendarUnavailable

from .fake_google import FakeGoogle
from .fakes import RecordingSleep

START, END = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)


@pytest.fixture(autouse=True)
def one_event(fake_google: FakeGoogle) -> None:
    fake_google.events["primary"] = [
        {
            "id": "x",
            "start": {"dateTime": "2026-06-01T09:00:00Z"},
            "end": {"dateTime": "2026-06-01T10:00:00Z"},
        }
    ]


async def test_429_waits_as_told_then_succeeds(
    google: GoogleCalendarProvider,
    fake_google: FakeGoogle,
    google_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_google.fail(429, path_contains="/events", **{"Retry-After": "7"})
    busy = await google.busy(google_account, ["primary"], START, END)
    assert busy == [Interval(datetime(2026, 6, 1, 9, tzinfo=UTC), datetime(2026, 6, 1, 10, tzinfo=UTC))]
    assert sleep.waits == [7.0]
    assert len(fake_google.seen("GET", "/events")) == 2


async def test_retry_after_is_capped(
    google: GoogleCalendarProvider,
    fake_google: FakeGoogle,
    google_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_google.fail(503, path_contains="/events", **{"Retry-After": "3600"})
    await google.busy(google_account, ["primary"], START, END)
    assert sleep.waits == [30.0]


async def test_rate_limit_403_is_retried_like_429(
    google: GoogleCalendarProvider,
    fake_google: FakeGoogle,
    google_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    body = {"error": {"code": 403, "errors": [{"reason": "userRateLimitExceeded"}]}}
    fake_google.fail(403, path_contains="/events", body=body)
    assert len(await google.busy(google_account, ["primary"], START, END)) == 1
    assert len(sleep.waits) == 1


async def test_500s_back_off_exponentially_then_succeed(
    google: GoogleCalendarProvider,
    fake_google: FakeGoogle,
    google_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_google.fail(500, times=2, path_contains="/events")
    assert len(await google.busy(google_account, ["primary"], START, END)) == 1
    assert sleep.waits == [0.375, 0.75]  # base 0.5 · 2^n, equal jitter at rand=0.5


async def test_persistent_500_is_unavailable_never_free(
    google: GoogleCalendarProvider,
    fake_google: FakeGoogle,
    google_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_google.fail(500, times=10, path_contains="/events")
    with pytest.raises(CalendarUnavailable) as caught:
        await google.busy(google_account, ["primary"], START, END)
    assert caught.value.code == "calendar_unavailable"
    assert len(fake_google.seen("GET", "/events")) == 4
    assert len(sleep.waits) == 3


async def test_write_failure_after_retries_is_unavailable(
    google: GoogleCalendarProvider, fake_google: FakeGoogle, google_account: CalendarAccount
) -> None:
    fake_google.fail(502, times=10, path_contains="/events/")
    with pytest.raises(CalendarUnavailable):
        await google.delete_event(google_account, "primary", "x")
