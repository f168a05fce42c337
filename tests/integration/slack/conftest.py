"""The real app with Slack switched on, a fake Slack Web API on loopback, and a driver that sends
correctly signed requests in Slack's real payload shapes."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.bootstrap import bootstrap
from bot.cli import demo
from tests.support.network import loopback_only  # noqa: F401 - autouse: no real service is reachable

from .fake_slack import BOT_USER, FakeSlack, signature_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SALES = "CSALES"
USERS = {
    "UALICE": ("alice@example.com", "Alice A."),
    "UBOB": ("bob@example.com", "Bob B."),
    "UCAROL": ("carol@example.com", "Carol C."),
    "USTRANGER": ("stranger@example.org", "Stranger"),
}


class SlackDriver:
    """Plays Slack's side: signs and sends what Slack would send to /slack/events."""

    def __init__(self, client: TestClient, fake: FakeSlack, runtime: Any) -> None:
        self.client = client
        self.fake = fake
        self.runtime = runtime
        self.channel = runtime.channels["slack"]
        self._ids = itertools.count(1)

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Any:
        signed = {"Content-Type": content_type, **signature_headers(SECRET, body, timestamp)}
        return await self.client.post(
            "/slack/events", data=body.encode(), headers={**signed, **(headers or {})}
        )

    async def command(self, user: str, text: str, *, channel: str = SALES) -> Any:
        form = {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "sales",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/convene",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": f"{self.fake.url}/respond/{next(self._ids)}",
            "trigger_id": f"trigger-{next(self._ids)}",
        }
        return await self.send(urlencode(form), "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> Any:
        return await self.send(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    async def click(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str = SALES,
        message_ts: str = "1780000000.000001",
        view: dict[str, Any] | None = None,
        selected: str | None = None,
    ) -> Any:
        action: dict[str, Any] = {"action_id": action_id, "block_id": "b", "action_ts": "1780000001.0"}
        if selected is not None:
            action.update(
                type="static_select",
                selected_option={"value": selected, "text": {"type": "plain_text", "text": selected}},
            )
        else:
            action.update(type="button", value=value, text={"type": "plain_text", "text": action_id})
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trigger-{next(self._ids)}",
            "team": {"id": "T1", "domain": "test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
            payload["view"] = {"id": "V1", "hash": "h1", **view, "state": {"values": {}}}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "sales"}
            payload["message"] = {"type": "message", "ts": message_ts, "text": "card"}
            payload["response_url"] = f"{self.fake.url}/respond/{next(self._ids)}"
        return await self.interaction(payload)

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, str]) -> Any:
        """Submits a modal the app opened, with ``values`` keyed by block-id prefix."""
        state: dict[str, dict[str, Any]] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            prefix = block["block_id"].split(":")[0]
            if prefix not in values:
                continue
            element = block["element"]
            if element["type"] == "plain_text_input":
                entry = {"type": "plain_text_input", "value": values[prefix]}
            elif element["type"] == "checkboxes":
                chosen = [
                    {"value": v, "text": {"type": "plain_text", "text": v}} for v in values[prefix].split(",")
                ]
                entry = {"type": "checkboxes", "selected_options": chosen}
            else:
                entry = {
                    "type": "static_select",
                    "selected_option": {"value": values[prefix], "text": {"type": "plain_text", "text": "x"}},
                }
            state[block["block_id"]] = {element["action_id"]: entry}
        payload = {
            "type": "view_submission",
            "team": {"id": "T1", "domain": "test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trigger-{next(self._ids)}",
            "view": {"id": "V1", "team_id": "T1", "hash": "h1", **view, "state": {"values": state}},
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return await self.interaction(payload)

    def event_body(
        self,
        user: str,
        text: str,
        *,
        thread_ts: str | None,
        ts: str | None = None,
        event_id: str | None = None,
        **extra: Any,
    ) -> str:
        ts = ts or self.fake.next_ts()
        event = {
            "type": "message",
            "channel": SALES,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            **extra,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": 1780000000,
                "authorizations": [
                    {"team_id": "T1", "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
                ],
            }
        )

    async def settle(self) -> None:
        """Until nothing moves: Slack-side background work, then the outbox, then again."""
        while True:
            await self.channel.idle()
            if await self.runtime.dispatcher.dispatch_once() == 0 and not self.channel._tasks:
                return

    def last_view(self) -> dict[str, Any]:
        opened = [
            c.args["view"]
            for c in self.fake.calls
            if c.method in ("views.open", "views.update") and c.status == 200
        ]
        return opened[-1]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.users.update(USERS)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slack(
    sqlite_url: str, make_settings: Any, clock: Any, fake_slack: FakeSlack
) -> AsyncIterator[SlackDriver]:
    settings = make_settings(
        sqlite_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.url + "/api/",
        run_workers=False,
        extra={"slack_min_interval": 0},  # the limiter's own test covers the spacing
    )
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    await runtime.start_workers()
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        yield SlackDriver(client, fake_slack, runtime)
    await runtime.stop()
