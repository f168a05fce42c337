"""Slack deliveries that fail: an error no retry mends (the channel is gone, archived, the bot left it,
the token was revoked) makes the notice a dead letter after 5 attempts, listed by ``convene outbox
failed``; a 5xx answer is retried with backoff for as long as it takes, and the line is posted once."""

from __future__ import annotations

from typing import Any

import pytest

from bot.outbox_cli import failed_lines

from .conftest import SlackDriver
from .dialog import guest_writes, link_sales, slack_root_ts


@pytest.fixture
async def thread(slack: SlackDriver) -> tuple[dict[str, str], str, str]:
    """A guest conversation with its root card in #sales: (guest headers, conversation id, thread ts)."""
    await link_sales(slack)
    g, cid = await guest_writes(slack)
    await slack.settle()
    return g, cid, slack_root_ts(slack)


async def outbox_rounds(slack: SlackDriver, clock: Any, rounds: int) -> None:
    """``rounds`` outbox attempts, each once its backoff has passed (the clock moves, nobody waits)."""
    for _ in range(rounds):
        clock.advance(hours=1)
        await slack.settle()


def tries(slack: SlackDriver, text: str) -> list[int]:
    return [
        c.status for c in slack.fake.calls if c.method == "chat.postMessage" and c.args.get("text") == text
    ]


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth"])
async def test_a_channel_slack_refuses_for_good_becomes_a_dead_letter(
    slack: SlackDriver, thread: Any, clock: Any, error: str
) -> None:
    g, cid, _ = thread
    slack.fake.errors["chat.postMessage"] = error
    r = await slack.client.post(
        f"/api/guest/conversations/{cid}/messages", json={"text": "Anyone?"}, headers=g
    )
    assert r.status == 201
    await slack.settle()
    await outbox_rounds(slack, clock, 6)

    assert tries(slack, "*Ann*: Anyone?") == [400] * 5  # ok: false five times, then given up
    [letter] = await slack.runtime.storage.outbox.failed()
    assert letter.event_type == "MessagePosted" and letter.attempts == 5
    assert "PermanentDeliveryError" in letter.last_error and error in letter.last_error
    assert f"{letter.id}\tMessagePosted\t5 attempts" in (await failed_lines(slack.runtime))[0]


async def test_a_slack_5xx_is_retried_past_the_dead_letter_limit_and_posted_once(
    slack: SlackDriver, thread: Any, clock: Any
) -> None:
    g, cid, _ = thread
    slack.fake.down["chat.postMessage"] = 503
    r = await slack.client.post(
        f"/api/guest/conversations/{cid}/messages", json={"text": "Anyone?"}, headers=g
    )
    assert r.status == 201
    await slack.settle()
    await outbox_rounds(slack, clock, 6)
    del slack.fake.down["chat.postMessage"]
    await outbox_rounds(slack, clock, 1)

    assert tries(slack, "*Ann*: Anyone?") == [503] * 7 + [200]
    assert await failed_lines(slack.runtime) == ["no dead letters"]
