"""The ``teams`` channel: POST /api/messages in, proactive posts to Teams channel threads out.

Inbound activities go through botbuilder's ``CloudAdapter`` (authentication, turn pipeline) to
``ConveneTeamsBot``; work that may be slow runs after the HTTP answer in tracked background tasks.
Outbound, the outbox calls ``deliver``: a new conversation starts a channel thread with its card; later
events become replies in that thread or update the card in place. Where a conversation lives in Teams
(service URL, thread id, card id) is stored in the binding's address, so it survives restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters

from adapters.teams import render
from adapters.teams.auth import TeamsAuthentication
from adapters.teams.bot import ConveneTeamsBot
from adapters.teams.identity import Identities
from adapters.teams.outbound import ConversationLimiter, send_with_retries
from bot.events import Event
from bot.model import Binding

log = logging.getLogger(__name__)

MEETING_EVENTS = {
    "MeetingBooked",
    "MeetingRescheduled",
    "MeetingDurationChanged",
    "MeetingCancelled",
    "ReminderDue",
}


class TeamsChannel:
    name = "teams"

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.app_id: str = config["teams_app_id"]
        self.public_url = str(config.get("public_url") or "").rstrip("/")
        self.auth = TeamsAuthentication(config)
        self.adapter = CloudAdapter(self.auth)
        self.adapter.on_turn_error = self._on_turn_error
        self.bot = ConveneTeamsBot(self)
        self.sleep = asyncio.sleep  # waits between retries; tests replace it
        self.limiter = ConversationLimiter(sleep=lambda seconds: self.sleep(seconds))
        self.runtime: Any = None
        self.identities: Identities | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._clients: dict[str, Any] = {}
        self._addresses: dict[str, dict[str, Any]] = {}  # binding id → the address we last returned

    # --- hosting -------------------------------------------------------------------------------

    def add_routes(self, app: web.Application, runtime: Any) -> None:
        self._attach(runtime)
        app.router.add_post("/api/messages", self.messages)
        app.on_cleanup.append(lambda _app: self.stop())

    async def start(self, runtime: Any) -> None:
        self._attach(runtime)

    def _attach(self, runtime: Any) -> None:
        self.runtime = runtime
        self.identities = Identities(runtime)

    async def stop(self) -> None:
        await self.idle()
        clients, self._clients = self._clients, {}
        for client in clients.values():
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    async def messages(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType()
        try:
            await request.json()  # CloudAdapter parses it again; a broken body is a 400, not a 500
        except ValueError:
            raise web.HTTPBadRequest(reason="Malformed JSON") from None
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

    # --- the connector -------------------------------------------------------------------------

    def service_url(self, address_or_url: dict[str, Any] | str) -> str:
        url = address_or_url if isinstance(address_or_url, str) else address_or_url["service_url"]
        return str(self.config.get("teams_connector_url") or url)

    async def connector(self, service_url: str) -> Any:
        client = self._clients.get(service_url)
        if client is None:
            factory = self.auth.create_connector_factory(self.adapter.create_claims_identity(self.app_id))
            client = self._clients[service_url] = await factory.create(service_url, None)
        # The client signs requests synchronously; renewing the token here keeps msal off the event loop.
        await client.config.credentials.ensure_token()
        return client

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str | None:
        client = await self.connector(self.service_url(service_url))
        result = await send_with_retries(
            self.limiter,
            conversation_id,
            lambda: client.conversations.send_to_conversation(conversation_id, activity),
            sleep=self.sleep,
        )
        return getattr(result, "id", None)

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: Activity
    ) -> None:
        client = await self.connector(self.service_url(service_url))
        activity.id = activity_id
        await send_with_retries(
            self.limiter,
            conversation_id,
            lambda: client.conversations.update_activity(conversation_id, activity_id, activity),
            sleep=self.sleep,
        )

    async def create_thread(self, address: dict[str, Any], activity: Activity) -> tuple[str, str]:
        """A new post in a Teams channel; its replies form the thread (conversation id ``…;messageid=…``)."""
        client = await self.connector(self.service_url(address))
        parameters = ConversationParameters(
            is_group=True,
            bot=ChannelAccount(id=address.get("bot_id") or f"28:{self.app_id}"),
            channel_data={
                "channel": {"id": address["channel_id"]},
                "tenant": {"id": address.get("tenant_id")},
            },
            tenant_id=address.get("tenant_id"),
            activity=activity,
        )
        result = await send_with_retries(
            self.limiter,
            address["channel_id"],
            lambda: client.conversations.create_conversation(parameters),
            sleep=self.sleep,
        )
        thread_id = result.id
        activity_id = result.activity_id or thread_id.partition(";messageid=")[2]
        return thread_id, activity_id

    async def member(self, service_url: str, conversation_id: str, user_id: str) -> dict[str, Any] | None:
        client = await self.connector(self.service_url(service_url))
        member = await client.conversations.get_conversation_member(conversation_id, user_id)
        if member is None:
            return None
        data = dict(member.serialize())
        data.update(getattr(member, "additional_properties", None) or {})
        return data

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
        original = dict(address)
        kind = event.type
        if kind == "ConversationStarted":
            if address.get("thread_id"):
                return None  # a retry after the thread was made: never a second thread
            view = await render.conversation_view(
                self.runtime, event.conversation_id, address, self.public_url
            )
            thread_id, card_id = await self.create_thread(address, render.card_activity(view))
            return {**address, "thread_id": thread_id, "card_activity_id": card_id, "thread_key": thread_id}
        if not address.get("thread_id"):
            if kind in {"MessagePosted", "ConversationAssigned"} | MEETING_EVENTS:
                raise RuntimeError("the Teams thread of this conversation is not created yet")
            return None
        if kind == "MessagePosted":
            text = render.message_text(event)
            if text is not None:
                await self.send(address["service_url"], address["thread_id"], render.text_activity(text))
            return None
        if kind in MEETING_EVENTS:
            address = render.with_meeting(address, event)
            if kind == "ReminderDue":
                await self.send(
                    address["service_url"],
                    address["thread_id"],
                    render.text_activity(render.reminder_text(event)),
                )
        elif kind != "ConversationAssigned":
            return None
        view = await render.conversation_view(self.runtime, event.conversation_id, address, self.public_url)
        await self.update(
            address["service_url"],
            address["thread_id"],
            address["card_activity_id"],
            render.card_activity(view),
        )
        return address if address != original else None
