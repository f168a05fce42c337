"""Teams' platform rules for everything the bot sends: per-conversation limits and retries.

Teams throttles a bot per conversation (7 messages a second, 60 in 30 seconds) and answers 429 with
Retry-After when exceeded; 412 (a concurrent update of the same card), 502 and 504 are transient too.
We wait our turn before sending and retry those a few times; anything else, or running out of attempts,
raises, and the outbox tries the whole delivery again later.

403 and 404 mean the bot is no longer in that conversation (removed from the team, the channel or
thread deleted): no retry mends that, so they raise ``PermanentDeliveryError`` and the outbox makes the
notice a dead letter after a few attempts. Everything else (429, 5xx, the network) stays transient.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from msrest.exceptions import HttpOperationError

from bot.delivery_failures import PermanentDeliveryError

T = TypeVar("T")
RETRYABLE = {412, 429, 502, 504}
GONE = {403, 404}  # the bot was removed from the conversation, or it no longer exists
WINDOWS = ((1.0, 7), (30.0, 60))  # (seconds, sends allowed) per conversation
MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0


class ConversationLimiter:
    """A sliding window per conversation; ``acquire`` waits until one more send fits every window."""

    def __init__(
        self,
        windows: tuple[tuple[float, int], ...] = WINDOWS,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.windows = windows
        self.now = now
        self.sleep = sleep
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def delay(self, key: str) -> float:
        """How long the next send to this conversation must wait (0: now)."""
        sent, now = self._sent[key], self.now()
        longest = max(w for w, _ in self.windows)
        while sent and sent[0] <= now - longest:
            sent.popleft()
        wait = 0.0
        for window, allowed in self.windows:
            recent = [t for t in sent if t > now - window]
            if len(recent) >= allowed:
                wait = max(wait, recent[-allowed] + window - now)
        return wait

    async def acquire(self, key: str) -> None:
        async with self._locks[key]:
            while (wait := self.delay(key)) > 0:
                await self.sleep(wait)
            self._sent[key].append(self.now())


def status_of(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(status) if status else None


def retry_after(error: BaseException) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


async def send_with_retries(
    limiter: ConversationLimiter,
    conversation_key: str,
    call: Callable[[], Awaitable[T]],
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await limiter.acquire(conversation_key)
        try:
            return await call()
        except HttpOperationError as error:
            status = status_of(error)
            if status in GONE:
                raise PermanentDeliveryError(
                    f"Teams answered {status} for conversation {conversation_key}: the bot is not in it"
                ) from error
            if status not in RETRYABLE or attempt == MAX_ATTEMPTS:
                raise
            wait = retry_after(error)
            if wait is None:
                wait = min(MAX_WAIT_SECONDS, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
            await sleep(min(wait, MAX_WAIT_SECONDS))
    raise AssertionError("unreachable")
