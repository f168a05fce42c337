"""The ``slack`` channel: one endpoint (``/slack/events``) into a slack-bolt ``AsyncApp``, outbound
notices into service-channel threads, and the helpers the listeners share.

Listeners acknowledge at once and do the slow work (identity look-ups, engine commands, Slack calls)
in background tasks that this object tracks, so ``await channel.idle()`` lets tests and shutdown wait for
them. That is why bolt runs with ``process_before_response=True``: our listeners return right after
``ack()``, and bolt then answers without the 10 ms polling loop it uses in its own background mode.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.api import ChannelLimiter, SlackApi
from adapters.slack.delivery import Delivery
from adapters.slack.identity import NOT_AN_AGENT, Identities
from adapters.slack.listeners import register as register_listeners
from bot.events import Event
from bot.model import Agent, Binding

log = logging.getLogger(__name__)
DEFAULT_API_URL = "https://slack.com/api/"


class SlackChannel:
    name = "slack"

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.public_url = str(config.get("public_url") or "").rstrip("/")
        self.marker = str(config.get("slack_internal_marker") or "//")
        self.client = AsyncWebClient(
            token=config["slack_bot_token"], base_url=config.get("slack_api_url") or DEFAULT_API_URL
        )
        interval = float(config.get("slack_min_interval", 1.0))  # Slack: ~1 message/s per channel
        self.api = SlackApi(self.client, ChannelLimiter(interval))
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=config["slack_signing_secret"],
            process_before_response=True,
            logger=logging.getLogger("slack_bolt"),
        )
        self.runtime: Any = None
        self.identities: Identities | None = None
        self.delivery: Delivery | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._workers = asyncio.Semaphore(int(config.get("slack_workers", 2)))
        register_listeners(self.bolt, self)

    # -- wiring --------------------------------------------------------------------------------------

    def _attach(self, runtime: Any) -> None:
        if self.runtime is None:
            self.runtime = runtime
            self.identities = Identities(runtime, self.api)
            self.delivery = Delivery(self.api, runtime, self.public_url)

    def add_routes(self, app: web.Application, runtime: Any) -> None:
        self._attach(runtime)
        app.router.add_post("/slack/events", self.handle)

    async def start(self, runtime: Any) -> None:
        self._attach(runtime)

    async def stop(self) -> None:
        await self.idle()

    async def handle(self, request: web.Request) -> web.Response:
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not stamp.isdigit() or not request.headers.get("X-Slack-Signature"):
            # bolt answers a missing or garbled timestamp with a 500; it is a bad signature like any other
            return web.json_response({"error": "invalid request"}, status=401)
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    # The OpenAPI document reads this attribute from the live router (what ``@documented`` sets on the
    # web adapter's own routes); written as data so this channel never imports adapters/web.
    handle.openapi = {  # type: ignore[attr-defined]
        "summary": "Slack: Events API, slash command /convene and interactivity "
        "(signed with the app's signing secret)",
        "body": None,
        "responses": {"401": "missing, forged or stale Slack signature"},
        "auth": None,
    }

    # -- background work -----------------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(self._bounded(work))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    async def _bounded(self, work: Coroutine[Any, Any, Any]) -> Any:
        # A few workers at a time: waiting tasks sleep on the semaphore instead of crowding the event
        # loop's ready queue, so a burst of clicks never delays the next request's ack.
        async with self._workers:
            return await work

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack background work failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Waits until every piece of work started by a Slack request (and what it started) is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- outbound ------------------------------------------------------------------------------------

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        if self.delivery is None:
            raise RuntimeError("the Slack channel has not been started")
        return await self.delivery.deliver(event, binding)

    # -- shared by the listeners ---------------------------------------------------------------------

    async def tell(
        self,
        channel: str | None,
        user: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        response_url: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """An ephemeral message: only ``user`` sees it. Falls back to the response URL where the bot may
        not post (a DM between two people, a private channel it is not in)."""
        extra: dict[str, Any] = {}
        if blocks:
            extra["blocks"] = blocks
        if thread_ts:
            extra["thread_ts"] = thread_ts
        if channel:
            try:
                await self.api.ephemeral(channel, user, text, **extra)
                return
            except SlackApiError as error:
                if not response_url:
                    log.warning("could not tell %s in %s: %s", user, channel, error.response.get("error"))
                    return
        if response_url:
            await AsyncWebhookClient(response_url).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )

    async def agent(self, user: str, channel: str | None, response_url: str | None = None) -> Agent | None:
        """The agent behind a Slack user, or None after telling them why nothing happened."""
        assert self.identities is not None
        agent = await self.identities.agent_for(user)
        if agent is None:
            await self.tell(channel, user, NOT_AN_AGENT, response_url=response_url)
        return agent

    async def run(self, command: Any) -> Any:
        return await self.runtime.bus.handle(command)
