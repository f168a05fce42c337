"""Teams' per-conversation limits (7 per second, 60 per 30 seconds): the limiter waits exactly as long
as needed, on a driven clock."""

from __future__ import annotations

from adapters.teams.outbound import ConversationLimiter


class Time:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))
        self.now += seconds


async def test_eight_quick_sends_wait_for_the_one_second_window() -> None:
    t = Time()
    limiter = ConversationLimiter(now=lambda: t.now, sleep=t.sleep)
    for _ in range(8):
        await limiter.acquire("thread-1")
    assert t.waits == [1.0]


async def test_sixty_one_sends_wait_for_the_thirty_second_window() -> None:
    t = Time()
    limiter = ConversationLimiter(now=lambda: t.now, sleep=t.sleep)
    for _ in range(61):
        await limiter.acquire("thread-1")
        t.now += 0.2  # five a second: under the per-second limit, over 60 in 30 s
    # 60 sends in 0…11.8 s; the 61st (at 12 s) waits until the first leaves the window at 30 s.
    assert t.waits == [18.0]


async def test_conversations_do_not_share_a_window() -> None:
    t = Time()
    limiter = ConversationLimiter(now=lambda: t.now, sleep=t.sleep)
    for i in range(14):
        await limiter.acquire(f"thread-{i % 2}")
    assert t.waits == []
