"""The Bot Framework connector: everything the bot sends to Teams (replies, thread starts, card
updates) and the one thing it asks (who a member is), with Teams' per-conversation limits and retries.

One client per service URL, created lazily and signed with the bot's app token; ``sleep`` is the wait
between retries (tests replace it so no test waits).
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters

from adapters.teams.auth import TeamsAuthentication
from adapters.teams.outbound import ConversationLimiter, send_with_retries


class Connector:
    def __init__(
        self, auth: TeamsAuthentication, adapter: CloudAdapter, app_id: str, override_url: str | None
    ) -> None:
        self.auth = auth
        self.adapter = adapter
        self.app_id = app_id
        self.override_url = override_url  # ``teams_connector_url``: every service URL goes there
        self.sleep = asyncio.sleep
        self.limiter = ConversationLimiter(sleep=lambda seconds: self.sleep(seconds))
        self._clients: dict[str, Any] = {}

    def service_url(self, address_or_url: dict[str, Any] | str) -> str:
        url = address_or_url if isinstance(address_or_url, str) else address_or_url["service_url"]
        return str(self.override_url or url)

    async def client(self, service_url: str) -> Any:
        client = self._clients.get(service_url)
        if client is None:
            factory = self.auth.create_connector_factory(self.adapter.create_claims_identity(self.app_id))
            client = self._clients[service_url] = await factory.create(service_url, None)
        # The client signs requests synchronously; renewing the token here keeps msal off the event loop.
        await client.config.credentials.ensure_token()
        return client

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str | None:
        client = await self.client(self.service_url(service_url))
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
        client = await self.client(self.service_url(service_url))
        activity.id = activity_id
        await send_with_retries(
            self.limiter,
            conversation_id,
            lambda: client.conversations.update_activity(conversation_id, activity_id, activity),
            sleep=self.sleep,
        )

    async def create_thread(self, address: dict[str, Any], activity: Activity) -> tuple[str, str]:
        """A new post in a Teams channel; its replies form the thread (conversation id ``…;messageid=…``)."""
        client = await self.client(self.service_url(address))
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

    async def create_personal(self, address: dict[str, Any], user_id: str) -> str:
        """A one-to-one chat between the bot and one user of the tenant (Teams gives the same chat again
        for the same person); ``send`` posts into it."""
        client = await self.client(self.service_url(address))
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=address.get("bot_id") or f"28:{self.app_id}"),
            members=[ChannelAccount(id=user_id)],
            channel_data={"tenant": {"id": address.get("tenant_id")}},
            tenant_id=address.get("tenant_id"),
        )
        result = await send_with_retries(
            self.limiter,
            user_id,
            lambda: client.conversations.create_conversation(parameters),
            sleep=self.sleep,
        )
        return str(result.id)

    async def member(self, service_url: str, conversation_id: str, user_id: str) -> dict[str, Any] | None:
        client = await self.client(self.service_url(service_url))
        member = await client.conversations.get_conversation_member(conversation_id, user_id)
        if member is None:
            return None
        data = dict(member.serialize())
        data.update(getattr(member, "additional_properties", None) or {})
        return data
