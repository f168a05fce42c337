"""The ``slack`` channel: one endpoint (``/slack/events``) into a slack-bolt ``AsyncApp``, outbound
notices into service-channel threads, and the ``SlackContext`` the listeners work with.

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
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.api import ChannelLimiter, SlackApi
from adapters.slack.context import SlackContext, Texts
from adapters.slack.delivery import Delivery
from adapters.slack.identity import Identities
from adapters.slack.listeners import register as register_listeners
from adapters.slack.reads import SlackReads
from bot.events import Event
from bot.model import Binding
from bot.runtime import Runtime

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
        self.runtime: Runtime | None = None
        self.delivery: Delivery | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._workers = asyncio.Semaphore(int(config.get("slack_workers", 2)))

    # -- wiring --------------------------------------------------------------------------------------

    def _attach(self, runtime: Runtime) -> None:
        if self.runtime is not None:
            return
        self.runtime = runtime
        self.delivery = Delivery(self.api, runtime, self.public_url)
        context = SlackContext(
            bus=runtime.bus,
            reads=SlackReads(runtime),
            api=self.api,
            identities=Identities(runtime, self.api),
            texts=Texts(internal_marker=self.marker),
            public_url=self.public_url,
            spawn=self.spawn,
        )
        # Registered once the engine is known, so every listener gets a complete context; bolt takes
        # listeners at any time, and no request reaches it before ``add_routes`` or ``start``.
        register_listeners(self.bolt, context)

    def add_routes(self, app: web.Application, runtime: Runtime) -> None:
        self._attach(runtime)
        app.router.add_post("/slack/events", self.handle)

    async def start(self, runtime: Runtime) -> None:
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
