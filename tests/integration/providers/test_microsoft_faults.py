"""Graph and identity-platform faults: throttling, outages, rejected credentials, concurrency cap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from adapters.calendars.microsoft.provider import MicrosoftCalendarProvider
from adapters.calendars.retry import RetryPolicy
from scheduling.calendar import CalendarAccount
from scheduling.errors import CalendarDisconnected, CalendarUnavailable

from .fake_microsoft import FakeAuthority, FakeGraph
from .fakes import RecordingSleep

START, END = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC)
BUSY = [
    {
        "status": "busy",
        "start": {"dateTime": "2026-06-01T08:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-06-01T09:00:00", "timeZone": "UTC"},
    }
]


@pytest.fixture(autouse=True)
def alice_busy(fake_graph: FakeGraph) -> None:
    fake_graph.schedule_items["alice@contoso.com"] = BUSY


async def test_429_waits_as_told_then_succeeds(
    microsoft: MicrosoftCalendarProvider,
    fake_graph: FakeGraph,
    ms_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_graph.fail(429, path_contains="getSchedule", **{"Retry-After": "5"})
    assert len(await microsoft.busy(ms_account, ["primary"], START, END)) == 1
    assert sleep.waits == [5.0]
    assert len(fake_graph.seen("POST", "getSchedule")) == 2


async def test_503s_back_off_then_succeed(
    microsoft: MicrosoftCalendarProvider,
    fake_graph: FakeGraph,
    ms_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_graph.fail(503, times=2, path_contains="getSchedule")
    assert len(await microsoft.busy(ms_account, ["primary"], START, END)) == 1
    assert sleep.waits == [0.375, 0.75]


async def test_persistent_500_is_unavailable(
    microsoft: MicrosoftCalendarProvider,
    fake_graph: FakeGraph,
    ms_account: CalendarAccount,
    sleep: RecordingSleep,
) -> None:
    fake_graph.fail(500, times=10, path_contains="getSchedule")
    with pytest.raises(CalendarUnavailable) as caught:
        await microsoft.busy(ms_account, ["primary"], START, END)
    assert caught.value.code == "calendar_unavailable"
    assert len(fake_graph.seen("POST", "getSchedule")) == 4 and len(sleep.waits) == 3


async def test_rejected_app_secret_is_disconnected(
    ms_config: dict[str, object],
    policy: RetryPolicy,
    fake_authority: FakeAuthority,
    ms_account: CalendarAccount,
) -> None:
    provider = MicrosoftCalendarProvider({**ms_config, "ms_client_secret": "wrong"}, policy=policy)
    try:
        with pytest.raises(CalendarDisconnected):
            await provider.busy(ms_account, ["primary"], START, END)
    finally:
        await provider.aclose()
    assert fake_authority.issued == 0


async def test_token_refused_by_graph_gets_a_new_token_then_disconnects(
    microsoft: MicrosoftCalendarProvider,
    fake_graph: FakeGraph,
    fake_authority: FakeAuthority,
    ms_account: CalendarAccount,
) -> None:
    fake_graph.reject_tokens = True
    with pytest.raises(CalendarDisconnected):
        await microsoft.busy(ms_account, ["primary"], START, END)
    assert fake_authority.issued == 4  # a fresh token for every attempt after a 401


async def test_at_most_four_requests_in_flight_per_mailbox(
    microsoft: MicrosoftCalendarProvider, fake_graph: FakeGraph, ms_account: CalendarAccount
) -> None:
    await microsoft.busy(ms_account, ["primary"], START, END)  # resolve the user first
    fake_graph.handler_delay = 0.02
    await asyncio.gather(*(microsoft.busy(ms_account, ["primary"], START, END) for _ in range(12)))
    assert fake_graph.max_in_flight == 4
