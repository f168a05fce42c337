"""Slack's platform rules: signatures, retries, duplicates, unknown actions, strangers, bots, 429s."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from adapters.slack.identity import NOT_AN_AGENT

from .conftest import SALES, SECRET, SlackDriver
from .dialog import (
    Click,
    Expect,
    Reply,
    Step,
    guest_sees,
    guest_writes,
    link_sales,
    open_scene,
    slack_root_ts,
    verify_dialog,
)
from .fake_slack import signature_headers


@pytest.fixture
async def thread(slack: SlackDriver) -> tuple[dict[str, str], str, str]:
    """A guest conversation with its root card in #sales: (guest headers, conversation id, thread ts)."""
    await link_sales(slack)
    g, cid = await guest_writes(slack)
    await slack.settle()
    return g, cid, slack_root_ts(slack)


async def assignee(slack: SlackDriver, cid: str) -> str | None:
    async with slack.runtime.uow(read_only=True) as uow:
        return (await uow.conversations.get(cid)).assignee


def now() -> int:
    return int(time.time())


def forge(how: str, body: str) -> dict[str, str]:
    if how == "forged":
        return {"X-Slack-Signature": "v0=" + "0" * 64}
    if how == "other-secret":
        return signature_headers("not-the-secret", body)
    if how == "stale":  # signed correctly, but outside the 5-minute window
        return signature_headers(SECRET, body, now() - 6 * 60)
    if how == "missing":
        return {"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}
    if how == "garbled-timestamp":
        return {"X-Slack-Request-Timestamp": "soon"}
    return {}


@pytest.mark.parametrize(
    "how, expected",
    [
        ("signed", 200),
        ("forged", 401),
        ("other-secret", 401),
        ("stale", 401),
        ("missing", 401),
        ("garbled-timestamp", 401),
    ],
)
async def test_only_correctly_signed_recent_requests_touch_anything(
    slack: SlackDriver, thread: Any, how: str, expected: int
) -> None:
    g, cid, thread_ts = thread
    body = slack.event_body("UALICE", "Signed hello", thread_ts=thread_ts)
    calls_before = len(slack.fake.calls)
    r = await slack.send(body, "application/json", headers=forge(how, body))
    assert r.status == expected
    await slack.settle()
    reached_guest = ("agent", "Alice", "Signed hello") in await guest_sees(slack, g, cid)
    assert reached_guest == (expected == 200)
    if expected == 401:
        assert slack.fake.calls[calls_before:] == []


async def test_url_verification_echoes_the_challenge(slack: SlackDriver) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    r = await slack.send(body, "application/json")
    assert r.status == 200
    assert (await r.json())["challenge"].startswith("3eZbrw")


@pytest.mark.parametrize(
    "second_copy",
    [
        {"same_body": True, "headers": {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}},
        {"same_body": False, "headers": {}},  # the same event_id delivered again in a new envelope
    ],
    ids=["retry", "duplicate-event-id"],
)
async def test_retries_and_duplicates_post_once(
    slack: SlackDriver, thread: Any, second_copy: dict[str, Any]
) -> None:
    g, cid, thread_ts = thread
    body = slack.event_body("UALICE", "Only once", thread_ts=thread_ts, event_id="Ev0DUPLICATE")
    assert (await slack.send(body, "application/json")).status == 200
    await slack.settle()
    again = (
        body
        if second_copy["same_body"]
        else slack.event_body("UALICE", "Only once", thread_ts=thread_ts, event_id="Ev0DUPLICATE")
    )
    assert (await slack.send(again, "application/json", headers=second_copy["headers"])).status == 200
    await slack.settle()
    assert [t for _, _, t in await guest_sees(slack, g, cid)].count("Only once") == 1


async def test_unknown_actions_are_acknowledged_and_change_nothing(slack: SlackDriver, thread: Any) -> None:
    g, cid, _ = thread
    before = await guest_sees(slack, g, cid)
    calls = len(slack.fake.calls)
    for action in ("no_such_action", "open_inbox"):  # open_inbox is a URL button: Slack still tells us
        r = await slack.click("UALICE", action, cid)
        assert r.status == 200
    await slack.settle()
    assert slack.fake.calls[calls:] == []
    assert await guest_sees(slack, g, cid) == before


@pytest.mark.parametrize(
    "user, says, expect",
    [
        # Strangers are told why, and nothing reaches the guest or the conversation.
        (
            "USTRANGER",
            Click("assign_to_me"),
            Expect(
                told=[NOT_AN_AGENT],
                calls=["users.info", "chat.postEphemeral"],
                assignee=None,
                guest_sees=None,
            ),
        ),
        (
            "USTRANGER",
            Reply("psst"),
            Expect(told=[NOT_AN_AGENT], calls=["users.info", "chat.postEphemeral"], guest_sees=None),
        ),
        # An agent's reply reaches the guest, and Slack hears nothing back (no echo, no answer).
        (
            "UBOB",
            Reply("Hi Ann!"),
            Expect(told=[], calls=["users.info"], guest_sees=("agent", "Bob", "Hi Ann!")),
        ),
        # The internal marker keeps a note among agents.
        ("UALICE", Reply("// she sounds ready to buy"), Expect(told=[], calls=[], guest_sees=None)),
    ],
)
async def test_who_may_write_in_a_thread_and_what_reaches_the_guest(
    slack: SlackDriver, user: str, says: Step, expect: Expect
) -> None:
    await verify_dialog(slack, await open_scene(slack), [(user, says, expect)])


async def test_the_internal_marker_keeps_a_reply_from_the_guest(slack: SlackDriver, thread: Any) -> None:
    g, cid, thread_ts = thread
    await slack.send(
        slack.event_body("UALICE", "// she sounds ready to buy", thread_ts=thread_ts), "application/json"
    )
    await slack.send(slack.event_body("UBOB", "Hi Ann!", thread_ts=thread_ts), "application/json")
    await slack.settle()
    guest_texts = [t for _, _, t in await guest_sees(slack, g, cid)]
    assert "Hi Ann!" in guest_texts
    assert not any("ready to buy" in t for t in guest_texts)
    async with slack.runtime.uow(read_only=True) as uow:
        notes = [(m.author.id, m.text) for m in await uow.messages.list(cid) if m.internal]
    assert notes == [("alice", "she sounds ready to buy")]


async def test_a_429_is_waited_out_and_the_line_posted_once(slack: SlackDriver, thread: Any) -> None:
    g, cid, thread_ts = thread
    slack.fake.rate_limit_once["chat.postMessage"] = 1
    await slack.client.post(
        f"/api/guest/conversations/{cid}/messages", json={"text": "Are you there?"}, headers=g
    )
    await slack.settle()
    posts = [
        c
        for c in slack.fake.calls
        if c.method == "chat.postMessage" and c.args.get("text") == "*Ann*: Are you there?"
    ]
    assert [c.status for c in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 1.0  # Retry-After: 1
    assert slack.fake.thread(SALES, thread_ts).count("*Ann*: Are you there?") == 1
