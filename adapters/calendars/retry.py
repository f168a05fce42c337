"""Retries, throttling and per-mailbox concurrency shared by the Google and Microsoft providers.

Both APIs throttle (HTTP 429, 503, Google's 403 ``rateLimitExceeded``) and both fail transiently. The
rule everywhere: honour ``Retry-After`` (capped), otherwise back off exponentially with jitter, give
up after a few attempts and raise ``CalendarUnavailable`` — a calendar we could not read is never
reported as free.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from scheduling.errors import CalendarUnavailable

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class TransientError(Exception):
    """One failed attempt that may succeed if tried again (internal to the providers)."""

    def __init__(self, detail: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.retry_after = retry_after


class CalendarHTTPError(CalendarUnavailable):
    """A non-retryable HTTP answer. Callers handle the statuses they expect (404 on delete, 403 on a
    calendar we may only see as free/busy); anything else reaches the engine as ``CalendarUnavailable``."""

    def __init__(self, status: int, message: str = "", **details: object) -> None:
        super().__init__(None, message or f"calendar API answered HTTP {status}", status=status, **details)
        self.status = status


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    # Injectable so tests drive time instead of sleeping.
    sleep: Sleep = asyncio.sleep
    rand: Callable[[], float] = random.random

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> RetryPolicy:
        base = float(config.get("calendar_retry_base_seconds") or 0.5)
        return cls(base_delay=base, **overrides)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # The server told us when; waiting longer than the cap would stall a guest's page, so past
            # the cap we try anyway and let the final failure become CalendarUnavailable.
            return min(retry_after, self.max_retry_after)
        # "Equal jitter": half fixed, half random, so many workers do not retry in lockstep.
        ceiling = min(self.max_delay, self.base_delay * (2.0**attempt))
        return ceiling / 2 + self.rand() * ceiling / 2

    async def run(self, operation: Callable[[], Awaitable[T]], what: str) -> T:
        last: TransientError | None = None
        for attempt in range(self.attempts):
            try:
                return await operation()
            except TransientError as error:
                last = error
                if attempt + 1 < self.attempts:
                    wait = self.delay(attempt, error.retry_after)
                    await self.sleep(wait)
        assert last is not None
        raise CalendarUnavailable(
            None,
            f"{what} failed after {self.attempts} attempts: {last}",
            status=last.status,
            attempts=self.attempts,
        )


class MailboxLimiter:
    """At most ``limit`` requests in flight per mailbox: Graph allows 4 concurrent requests per
    mailbox per app, and Google's per-user quota punishes bursts the same way."""

    def __init__(self, limit: int = 4) -> None:
        self._limit = limit
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    def __call__(self, mailbox: str) -> asyncio.Semaphore:
        key = mailbox.lower()
        if key not in self._semaphores:
            self._semaphores[key] = asyncio.Semaphore(self._limit)
        return self._semaphores[key]
