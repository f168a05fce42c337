"""The per-channel posting limiter (on a fake clock), the app manifest CLI, and the documented endpoint."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import yaml
from aiohttp.test_utils import TestClient

from adapters.slack.api import ChannelLimiter
from adapters.slack.cli import manifest

from .conftest import SlackDriver


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_one_post_per_second_per_channel_and_channels_do_not_wait_for_each_other() -> None:
    time = FakeTime()
    limiter = ChannelLimiter(1.0, monotonic=time.monotonic, sleep=time.sleep)
    sent: list[tuple[str, float]] = []

    async def post(channel: str) -> None:
        async def call() -> None:
            sent.append((channel, time.now))

        await limiter.run(channel, call)

    await asyncio.gather(post("C1"), post("C1"), post("C2"), post("C1"))
    assert sorted(t for c, t in sent if c == "C1") == [0.0, 1.0, 2.0]
    # C2 went out while C1 was still waiting for its second slot.
    assert [c for c, _ in sent] == ["C1", "C2", "C1", "C1"]

    time.now += 5  # every channel is free again
    start = time.now
    limiter.pause("C2", 30)  # a 429 with Retry-After: 30 holds that channel only
    await post("C1")
    await post("C2")
    assert sent[-2:] == [("C1", start), ("C2", start + 30)]


def test_manifest_points_every_url_at_our_endpoint() -> None:
    text = manifest("https://convene.example.com/")
    data = yaml.safe_load(text)
    url = "https://convene.example.com/slack/events"
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert data["settings"]["interactivity"]["request_url"] == url
    assert data["features"]["slash_commands"][0] == {
        **data["features"]["slash_commands"][0],
        "command": "/convene",
        "url": url,
    }
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == {
        "message.channels",
        "message.groups",
    }
    assert {"chat:write", "commands", "users:read.email", "channels:history"} <= set(
        data["oauth_config"]["scopes"]["bot"]
    )
    assert "{url}" not in text


def test_convene_slack_manifest_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "slack", "manifest", "--url", "https://host.example"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert 'request_url: "https://host.example/slack/events"' in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "slack", "manifest", "--url", "host.example"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2


async def test_the_endpoint_is_in_the_openapi_document(slack: SlackDriver) -> None:
    client: TestClient = slack.client
    document = await (await client.get("/api/openapi.json")).json()
    operation = document["paths"]["/slack/events"]["post"]
    assert "signing secret" in operation["summary"]
    assert "401" in operation["responses"]
