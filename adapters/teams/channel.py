"""The ``teams`` channel: POST /api/messages in, proactive posts to Teams channel threads out.

Inbound activities go through botbuilder's ``CloudAdapter`` (authentication, turn pipeline) to
``ConveneTeamsBot``, which gets a ``TeamsContext`` built here once, never the channel itself; work that
may be slow runs after the HTTP answer in tracked background tasks. Outbound, the outbox calls
``deliver``: ``render.thread_update`` says what the event changes (a new thread with its card, a reply
line, the card drawn again in place) and the connector sends it. Where a conversation lives in Teams
(service URL, thread id, card id, the meeting shown) is stored in the binding's address, so it
survives restarts.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from adapters.teams import direct, render
from adapters.teams.auth import TeamsAuthentication
from adapters.teams.bot import ConveneTeamsBot
from adapters.teams.connector import Connector
from adapters.teams.context import TeamsContext
from adapters.teams.identity import Identities
from adapters.teams.queries import TeamsQueries
from bot.attachments import with_file_lines
from bot.channel_replies import ChannelReplyQueued, QueueChannelReply
from bot.delivery_failures import is_permanent
from bot.events import Event, MessagePosted
from bot.links import inbox_link
from bot.model import Binding
from bot.notices import AgentNotified
from bot.runtime import Runtime

log = logging.getLogger(__name__)


class TeamsChannel:
    name = "teams"
    bot_class = ConveneTeamsBot  # a subclass overriding ``on_…`` methods changes one behaviour

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.app_id: str = config["teams_app_id"]
        self.public_url = str(config.get("public_url") or "").rstrip("/")
        self.auth = TeamsAuthentication(config)
        self.adapter = CloudAdapter(self.auth)
        self.adapter.on_turn_error = self._on_turn_error
        self.connector = Connector(self.auth, self.adapter, self.app_id, config.get("teams_connector_url"))
        self.runtime: Runtime | None = None
        self.context: TeamsContext | None = None
        self.bot: ConveneTeamsBot | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._addresses: dict[str, dict[str, Any]] = {}  # binding id → the address we last returned
        self._waiting: Counter[str] = Counter()  # Teams conversation → its direct answers in the outbox

    # --- hosting -------------------------------------------------------------------------------

    def add_routes(self, app: web.Application, runtime: Runtime) -> None:
        self._attach(runtime)
        app.router.add_post("/api/messages", self.messages)
        app.on_cleanup.append(lambda _app: self.stop())

    async def start(self, runtime: Runtime) -> None:
        self._attach(runtime)

    def _attach(self, runtime: Runtime) -> None:
        if self.runtime is runtime:
            return
        self.runtime = runtime
        self.queries = TeamsQueries(runtime, self.public_url)
        self.identities = Identities(runtime.uow)
        self.context = TeamsContext(
            bus=runtime.bus,
            queries=self.queries,
            api=self.connector,
            identities=self.identities,
            public_url=self.public_url,
            spawn=self.spawn,
            first_time=self._first_time,
            answer=self.answer,
        )
        self.bot = self.bot_class(self.context)

    async def stop(self) -> None:
        await self.idle()
        await self.connector.close()

    async def messages(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType()
        try:
            await request.json()  # CloudAdapter parses it again; a broken body is a 400, not a 500
        except ValueError:
            raise web.HTTPBadRequest(reason="Malformed JSON") from None
        assert self.bot is not None, "add_routes attaches the runtime first"
        response = await self.adapter.process(request, self.bot)
        return response or web.Response(status=201)

    # Read by the OpenAPI document from the live router (what ``@documented`` sets on the web adapter's
    # routes); written as data so this channel never imports adapters/web.
    messages.openapi = {  # type: ignore[attr-defined]
        "summary": "Microsoft Teams (Bot Framework) activities; Authorization: Bearer <Bot Framework JWT>",
        "body": {"type": "object", "description": "a Bot Framework Activity"},
        "responses": {"201": "accepted", "401": "missing or invalid token", "415": "not JSON"},
        "auth": None,
    }

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed on %s activity", context.activity.type, exc_info=error)
        raise error

    async def _first_time(self, conversation_id: str, activity_id: str) -> bool:
        """Records an inbound activity; False when Teams sends the same one again. Activity ids are
        unique within a conversation; the key combines both."""
        assert self.runtime is not None
        digest = hashlib.sha256(conversation_id.encode()).hexdigest()[:24]
        key = f"{digest}:{activity_id}"[:200]
        async with self.runtime.uow() as uow:
            fresh: bool = await uow.inbound.first_time("teams", key, self.runtime.clock.now())
            await uow.commit()
        return fresh

    async def answer(self, service_url: str, conversation_id: str, activity: Activity, by: str) -> None:
        """A direct answer: sent now when Teams can be reached and nothing older waits for this
        conversation; otherwise (no app token, the network, a 5xx) handed to the outbox through the
        engine, which sends it once the token can be had, after the answers queued before it."""
        if not self._waiting[conversation_id]:
            try:
                await self.connector.send(service_url, conversation_id, activity)
                return
            except Exception as error:
                if is_permanent(error):
                    raise
                log.warning("Teams answer to %s waits in the outbox: %r", conversation_id, error)
        assert self.runtime is not None
        address = {"service_url": service_url, "conversation_id": conversation_id}
        payload: dict[str, Any] = activity.serialize()
        self._waiting[conversation_id] += 1  # before the commit: the outbox may send it at once
        try:
            await self.runtime.bus.handle(QueueChannelReply("teams", address, payload, by))
        except BaseException:
            self._done_waiting(conversation_id)
            raise

    # --- background work -----------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Work after the HTTP answer (Bot Framework gives a bot about 15 seconds)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Teams background work failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Waits until no background work is left (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- the outbox ----------------------------------------------------------------------------

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        # The dispatcher saves returned addresses after its whole batch; the thread made for the first event
        # of a batch must already serve the next one.
        address = {**binding.address, **self._addresses.get(binding.id, {})}
        new = await self._deliver(event, address)
        if new is not None:
            self._addresses[binding.id] = new
        return new

    async def _deliver(self, event: Event, address: dict[str, Any]) -> dict[str, Any] | None:
        if isinstance(event, AgentNotified):
            assert self.runtime is not None
            await direct.notify(self.connector, self.runtime, event, self.public_url)
            return None
        if isinstance(event, ChannelReplyQueued):
            await self._send_queued(event, address)
            return None
        update = render.thread_update(event, address)
        if update.start_thread:
            if address.get("thread_id"):
                return None  # a retry after the thread was made: never a second thread
            view = await self.queries.conversation_view(event.conversation_id, address)
            thread_id, card_id = await self.connector.create_thread(address, render.card_activity(view))
            return {**address, "thread_id": thread_id, "card_activity_id": card_id, "thread_key": thread_id}
        if not update.shows_anything:
            return None
        if not address.get("thread_id"):
            raise RuntimeError("the Teams thread of this conversation is not created yet")
        if update.line is not None:
            line = update.line
            if isinstance(event, MessagePosted) and event.attachments:  # a link to the file's conversation
                url = inbox_link(self.public_url, event.conversation_id)
                said = replace(event, text=with_file_lines(event.text, event.attachments, url))
                line = render.message_text(said) or line
            await self.connector.send(
                address["service_url"], address["thread_id"], render.text_activity(line)
            )
        new = update.address if update.address is not None else address
        if update.redraw_card:
            view = await self.queries.conversation_view(event.conversation_id, new)
            await self.connector.update(
                address["service_url"],
                address["thread_id"],
                address["card_activity_id"],
                render.card_activity(view),
            )
        return new if new != address else None

    async def _send_queued(self, event: ChannelReplyQueued, address: dict[str, Any]) -> None:
        conversation_id = address["conversation_id"]
        try:
            await self.connector.send(
                address["service_url"], conversation_id, Activity.deserialize(event.payload)
            )
        except Exception as error:
            if not is_permanent(error):
                raise  # still owed: later answers to this conversation keep waiting behind it
            self._done_waiting(conversation_id)  # a dead letter in the making holds nothing back
            raise
        self._done_waiting(conversation_id)

    def _done_waiting(self, conversation_id: str) -> None:
        if self._waiting[conversation_id] > 0:
            self._waiting[conversation_id] -= 1
