"""Abuse limits: how many times a key (an IP, an address, a guest, a socket) may act in a window.

Pure rules over the clock port, kept in memory per process: no database work, so a refusal costs
one dictionary lookup. Each key's window opens at its first hit and closes ``seconds`` later; at
most ``count`` hits fit inside it. That is O(1) in time and memory per key (a sliding log would
keep one timestamp per hit); the price is that a client may spend ``count`` at the end of one
window and ``count`` again at the start of the next. Closed windows are forgotten in the order
they opened, so memory holds only the keys active in the last window.

A limit with ``count <= 0`` is off.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from bot.errors import DomainError
from bot.ports import Clock
from bot.settings import Settings


class RateLimited(DomainError):
    """Too many requests: try again in ``retry_after`` whole seconds."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"Too many requests; try again in {self.retry_after} s.", retry_after=self.retry_after
        )


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: float

    @property
    def off(self) -> bool:
        return self.count <= 0 or self.seconds <= 0


def _seconds(clock: Clock) -> float:
    now: datetime = clock.now()
    return now.timestamp()


class _Window:
    __slots__ = ("hits", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.hits = 0


class RateLimiter:
    """One limit over many keys."""

    def __init__(self, limit: Limit, clock: Clock) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: OrderedDict[str, _Window] = OrderedDict()  # oldest window first

    def wait(self, key: str, now: float | None = None) -> float:
        """Seconds until ``key`` may act again; 0 when it may act now. Counts nothing."""
        if self.limit.off:
            return 0.0
        now = _seconds(self.clock) if now is None else now
        return self._wait_in(self._current(key, now), now)

    def record(self, key: str, now: float | None = None) -> None:
        if self.limit.off:
            return
        now = _seconds(self.clock) if now is None else now
        self._count_in(key, self._current(key, now), now)

    def _wait_in(self, window: _Window | None, now: float) -> float:
        if window is None or window.hits < self.limit.count:
            return 0.0
        return window.start + self.limit.seconds - now

    def _count_in(self, key: str, window: _Window | None, now: float) -> None:
        if window is None:
            window = self._windows[key] = _Window(now)
        window.hits += 1

    def hit(self, key: str) -> float:
        """Count one hit if it fits and answer 0; otherwise count nothing and answer the wait."""
        now = _seconds(self.clock)
        wait = self.wait(key, now)
        if wait <= 0:
            self.record(key, now)
        return wait

    def __len__(self) -> int:
        return len(self._windows)

    def _current(self, key: str, now: float) -> _Window | None:
        self._forget_closed(now)
        window = self._windows.get(key)
        if window is not None and now - window.start >= self.limit.seconds:
            del self._windows[key]
            return None
        return window

    def _forget_closed(self, now: float) -> None:
        # Amortised O(1): each window is dropped once. A clock set back only delays forgetting.
        windows = self._windows
        while windows:
            key, window = next(iter(windows.items()))
            if now - window.start < self.limit.seconds:
                return
            del windows[key]


class Limiters:
    """Several limits over one key (10 a second and 300 an hour): a hit counts only if all allow it,
    so a refused message never uses up the hour."""

    def __init__(self, *limiters: RateLimiter) -> None:
        self.limiters = [limiter for limiter in limiters if not limiter.limit.off]

    def hit(self, key: str) -> float:
        if not self.limiters:
            return 0.0
        now = _seconds(self.limiters[0].clock)
        # Each limiter's window is looked up once (every message of every guest passes here).
        windows = [(limiter, limiter._current(key, now)) for limiter in self.limiters]
        wait = max(limiter._wait_in(window, now) for limiter, window in windows)
        if wait <= 0:
            for limiter, window in windows:
                limiter._count_in(key, window, now)
        return wait

    def check(self, key: str) -> None:
        """Count a hit or raise ``RateLimited``."""
        wait = self.hit(key)
        if wait > 0:
            raise RateLimited(wait)


class FrameGate:
    """One WebSocket's frames: at most ``limit`` a window; frames past it are dropped.

    ``admit`` answers what to do with a frame: ``"pass"``, ``"warn"`` (the first frame dropped in a
    window: tell the client once), ``"drop"`` (silently) or ``"close"``. A socket is closed once it
    has dropped ``close_after`` frames without a calm window between them (a window in which
    nothing was dropped forgives the count): a client that floods for long enough is cut off,
    one that bursts now and then is not.
    """

    __slots__ = ("clock", "close_after", "dropped", "dropped_here", "hits", "limit", "start")

    def __init__(self, limit: Limit, close_after: int, clock: Clock) -> None:
        self.limit = limit
        self.close_after = close_after
        self.clock = clock
        self.start = -math.inf
        self.hits = 0
        self.dropped_here = 0  # in the current window
        self.dropped = 0  # since the last calm window

    def admit(self) -> str:
        if self.limit.off:
            return "pass"
        now = _seconds(self.clock)
        if now - self.start >= self.limit.seconds:
            if self.dropped_here == 0:
                self.dropped = 0
            self.start, self.hits, self.dropped_here = now, 0, 0
        if self.hits < self.limit.count:
            self.hits += 1
            return "pass"
        self.dropped_here += 1
        self.dropped += 1
        if self.close_after > 0 and self.dropped >= self.close_after:
            return "close"
        return "warn" if self.dropped_here == 1 else "drop"

    def retry_after(self) -> float:
        return self.start + self.limit.seconds - _seconds(self.clock)


class AbuseLimits:
    """Every limit of one process, from the settings (see README, "Security")."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        s = settings
        self.clock = clock
        self.settings = settings
        self.login_per_ip = Limiters(
            RateLimiter(Limit(s.login_requests_per_ip, s.login_requests_per_ip_seconds), clock)
        )
        self.login_mails_per_address = Limiters(
            RateLimiter(Limit(s.login_mails_per_address, s.login_mails_per_address_seconds), clock)
        )
        self.guest_sessions_per_ip = Limiters(
            RateLimiter(Limit(s.guest_sessions_per_ip, s.guest_sessions_per_ip_seconds), clock)
        )
        self.guest_messages = Limiters(
            RateLimiter(Limit(s.guest_messages_per_second, 1), clock),
            RateLimiter(Limit(s.guest_messages_per_hour, 3600), clock),
        )
        self.guest_uploads = Limiters(RateLimiter(Limit(s.guest_uploads_per_hour, 3600), clock))

    def frame_gate(self) -> FrameGate:
        """A fresh gate for one socket."""
        return FrameGate(
            Limit(self.settings.ws_frames_per_second, 1),
            self.settings.ws_close_after_dropped_frames,
            self.clock,
        )
