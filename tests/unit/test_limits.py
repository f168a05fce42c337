"""The pure abuse limiter (bot/limits.py) with a frozen clock: what each hit is answered, second by second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.limits import FrameGate, Limit, Limiters, RateLimited, RateLimiter


class FrozenClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def at(self, seconds: float) -> None:
        self.current = datetime(2026, 11, 23, 8, 0, tzinfo=UTC) + timedelta(seconds=seconds)


# (limit, [(seconds since start, key)], expected wait answered for each hit; 0 = allowed)
TABLE = [
    pytest.param(Limit(3, 60), [(0, "a")] * 3, [0, 0, 0], id="up to the limit, every hit passes"),
    pytest.param(Limit(3, 60), [(0, "a")] * 4, [0, 0, 0, 60], id="one past the limit waits the whole window"),
    pytest.param(
        Limit(3, 60),
        [(0, "a"), (10, "a"), (20, "a"), (45, "a")],
        [0, 0, 0, 15],
        id="the wait counts from the window's first hit",
    ),
    pytest.param(
        Limit(3, 60),
        [(0, "a"), (0, "a"), (0, "a"), (60, "a"), (60, "a")],
        [0, 0, 0, 0, 0],
        id="the window resets once it has lasted its length",
    ),
    pytest.param(
        Limit(2, 60),
        [(0, "a"), (0, "a"), (0, "b"), (0, "a"), (0, "b")],
        [0, 0, 0, 60, 0],
        id="each key counts on its own",
    ),
    pytest.param(
        Limit(1, 60),
        [(0, "a"), (30, "a"), (59, "a"), (61, "a"), (62, "a")],
        [0, 30, 1, 0, 59],
        id="refused hits do not extend the window",
    ),
    pytest.param(Limit(0, 60), [(0, "a")] * 5, [0] * 5, id="a count of zero turns the limit off"),
]


@pytest.mark.parametrize("limit, hits, expected", TABLE)
def test_a_limiter_answers_each_hit_with_its_wait(limit: Limit, hits: list, expected: list) -> None:
    clock = FrozenClock()
    limiter = RateLimiter(limit, clock)
    answers = []
    for at, key in hits:
        clock.at(at)
        answers.append(limiter.hit(key))
    assert answers == expected


def test_closed_windows_are_forgotten_so_memory_holds_only_active_keys() -> None:
    clock = FrozenClock()
    limiter = RateLimiter(Limit(5, 60), clock)
    for i in range(1000):
        limiter.hit(f"ip-{i}")
    assert len(limiter) == 1000
    clock.at(61)
    limiter.hit("late")
    assert len(limiter) == 1


def test_a_refused_message_does_not_use_up_the_hour() -> None:
    clock = FrozenClock()
    messages = Limiters(RateLimiter(Limit(10, 1), clock), RateLimiter(Limit(12, 3600), clock))
    answers = [messages.hit("guest") for _ in range(15)]
    assert answers == [0] * 10 + [1] * 5
    clock.at(1)
    assert [messages.hit("guest") for _ in range(3)] == [0, 0, 3599]  # the hour counted 12, not 15


def test_check_raises_rate_limited_with_whole_seconds() -> None:
    clock = FrozenClock()
    messages = Limiters(RateLimiter(Limit(1, 60), clock))
    messages.check("guest")
    clock.at(0.5)
    with pytest.raises(RateLimited) as refused:
        messages.check("guest")
    assert refused.value.code == "rate_limited" and refused.value.status == 429
    assert refused.value.retry_after == 60  # 59.5 s, rounded up: never "try again in 0 s"


# (frames at each second, expected verdicts)
GATE = [
    pytest.param([0] * 3, ["pass"] * 3, id="under the limit every frame passes"),
    pytest.param([0] * 6, ["pass"] * 3 + ["warn", "drop", "drop"], id="past it one warning then silence"),
    pytest.param(
        [0] * 4 + [1] * 4, ["pass"] * 3 + ["warn"] + ["pass"] * 3 + ["warn"], id="warned once a window"
    ),
    pytest.param(
        [0] * 3 + [0] * 5,
        ["pass"] * 3 + ["warn", "drop", "drop", "drop", "close"],
        id="five frames dropped without a calm window close the socket",
    ),
    pytest.param(
        [0] * 6 + [1] * 3 + [2] * 6,
        ["pass"] * 3 + ["warn", "drop", "drop"] + ["pass"] * 3 + ["pass"] * 3 + ["warn", "drop", "drop"],
        id="a calm window forgives the dropped count",
    ),
    pytest.param(
        [0] * 6 + [1] * 5,
        ["pass"] * 3 + ["warn", "drop", "drop"] + ["pass"] * 3 + ["warn", "close"],
        id="flooding window after window adds up to a close",
    ),
]


@pytest.mark.parametrize("seconds, expected", GATE)
def test_a_socket_gate_passes_warns_drops_then_closes(seconds: list[float], expected: list[str]) -> None:
    clock = FrozenClock()
    gate = FrameGate(Limit(3, 1), close_after=5, clock=clock)
    verdicts = []
    for at in seconds:
        clock.at(at)
        verdicts.append(gate.admit())
    assert verdicts == expected
