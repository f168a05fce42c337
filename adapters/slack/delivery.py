"""Outbound: engine events → the service channel's thread (root card, replies, notices, card updates).

The card's state (guest, service, assignee, last message, next meeting) lives on the thread binding's
address, so every ``chat.update`` re-renders the whole card from one place and a redelivery is harmless.

Slack errors that no retry mends (the channel is gone, archived, the bot is not in it, the token is
revoked) raise ``PermanentDeliveryError``, so the outbox makes the notice a dead letter after a few
attempts; rate limits, 5xx answers and network errors stay transient and are retried with backoff.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack import blocks
from adapters.slack.api import SlackApi
from bot.attachments import with_file_lines
from bot.delivery_failures import PermanentDeliveryError
from bot.events import ConversationAssigned, ConversationStarted, Event, MessagePosted
from bot.links import inbox_link
from bot.meetings.events import MeetingCancelled, MeetingEvent, ReminderDue
from bot.meetings.options import FALLBACK_TIMEZONE, time_zone_of
from bot.model import Binding
from bot.notices import AgentNotified
from bot.status.events import ConversationReopened, ConversationResolved, ConversationSnoozed

log = logging.getLogger(__name__)

SLACK_CLIENT_PREFIX = "slack:"  # messages that came from a Slack thread are already there
STATUS_EVENTS = (ConversationResolved, ConversationReopened, ConversationSnoozed)
THREAD_EVENTS = (MessagePosted, ConversationAssigned, MeetingEvent, *STATUS_EVENTS)
REMEMBERED_POSTS = 10_000
PERMANENT_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived", "invalid_auth"})


def slack_error(error: SlackApiError) -> str:
    data = getattr(error.response, "data", None)
    return str(data.get("error") or "") if isinstance(data, dict) else ""


class RootCardMissing(Exception):
    """A thread notice arrived before its root card was posted; the outbox retries it later."""


class Delivery:
    def __init__(self, api: SlackApi, runtime: Any, public_url: str) -> None:
        self.api = api
        self.runtime = runtime
        self.public_url = public_url
        # (binding, event) → ts: if the outbox redelivers after a post succeeded (a crash between the
        # post and its bookkeeping), the thread does not get the line twice.
        self._posted: OrderedDict[str, str] = OrderedDict()
        self._addresses: OrderedDict[str, dict[str, Any]] = OrderedDict()  # binding id → newest address

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        address = self._current(binding)
        try:
            new_address = await self._deliver(event, binding, address)
        except SlackApiError as error:
            code = slack_error(error)
            if code in PERMANENT_ERRORS:
                raise PermanentDeliveryError(f"Slack refused {address.get('channel')}: {code}") from error
            raise
        if new_address is not None:
            new_address["v"] = int(address.get("v") or 0) + 1
            self._addresses[binding.id] = new_address
            while len(self._addresses) > REMEMBERED_POSTS:
                self._addresses.popitem(last=False)
        return new_address

    def _current(self, binding: Binding) -> dict[str, Any]:
        """The newest address of this thread: the stored one, or the one this process returned last if
        the outbox has not stored it yet (it saves new addresses once per batch, after later events of
        the same conversation were already handed to us)."""
        stored = dict(binding.address)
        mine = self._addresses.get(binding.id)
        if mine is not None and int(mine.get("v") or 0) >= int(stored.get("v") or 0):
            return dict(mine)
        return stored

    async def _deliver(
        self, event: Event, binding: Binding, address: dict[str, Any]
    ) -> dict[str, Any] | None:
        if isinstance(event, AgentNotified):
            await self._direct(event, binding)
            return None
        if not address.get("channel"):
            return None
        if isinstance(event, ConversationStarted):
            return await self._root_card(event, address)
        if not isinstance(event, THREAD_EVENTS):
            return None
        if not address.get("ts"):
            raise RootCardMissing(f"conversation {event.conversation_id}: root card not posted yet")
        if isinstance(event, MessagePosted):
            return await self._message(event, binding, address)
        if isinstance(event, ConversationAssigned):
            card = dict(address.get("card") or {})
            card["assignee"] = (
                event.assignee_name or f"{await self._service_name(event.service)} (whole service)"
            )
            return await self._update_card(address, card)
        if isinstance(event, STATUS_EVENTS):
            return await self._status(event, address)
        return await self._meeting(event, address)

    async def _status(self, event: Event, address: dict[str, Any]) -> dict[str, Any]:
        """The card shows the status and offers Resolve or Reopen; the notice is a thread line (and the
        end of a snooze reaches the assignee as ``AgentNotified``: ``_direct``)."""
        card = dict(address.get("card") or {})
        card["snoozed_until"] = None
        if isinstance(event, ConversationResolved):
            card["status"] = "resolved"
        elif isinstance(event, ConversationSnoozed):
            card["status"] = "snoozed"
            card["snoozed_until"] = blocks.when(event.until, await self._timezone(event.by.id))
        else:
            card["status"] = "open"
        return await self._update_card(address, card)

    async def _root_card(self, event: ConversationStarted, address: dict[str, Any]) -> dict[str, Any]:
        card = await self._initial_card(event)
        if address.get("ts"):  # redelivery: the card exists, refresh it instead of posting another
            return await self._update_card(address, {**card, **(address.get("card") or {})})
        text, card_blocks = blocks.root_card(card, self.public_url)
        response = await self.api.post(address["channel"], text=text, blocks=card_blocks, unfurl_links=False)
        ts = response["ts"]
        channel = response.get("channel") or address["channel"]
        return {**address, "channel": channel, "ts": ts, "thread_key": f"{channel}:{ts}", "card": card}

    async def _initial_card(self, e: ConversationStarted) -> dict[str, Any]:
        card: dict[str, Any] = {
            "conversation_id": e.conversation_id,
            "guest": e.guest_name,
            "email": e.guest_email,
            "service": e.service,
            "assignee": None,
            "last": e.text or None,
            "meeting": None,
            "status": "open",
        }
        async with self.runtime.uow(read_only=True) as uow:
            conversation = await uow.conversations.get(e.conversation_id)
            if e.service:
                service = await uow.services.get(e.service)
                card["service"] = service.name if service else e.service
            if conversation is not None and conversation.assignee:
                agent = await uow.agents.get(conversation.assignee)
                card["assignee"] = agent.name if agent else conversation.assignee
            for message in reversed(await uow.messages.list(e.conversation_id, include_internal=False)):
                if message.author.kind == "guest":
                    card["last"] = message.text
                    break
        return card

    async def _message(
        self, e: MessagePosted, binding: Binding, address: dict[str, Any]
    ) -> dict[str, Any] | None:
        if (e.client_id or "").startswith(SLACK_CLIENT_PREFIX):
            return None  # an agent wrote it in this thread: echoing it would double it
        via = "" if e.author.kind != "agent" else "web inbox"
        # Files as text lines, each with a link to the conversation in the inbox (where the file opens).
        said = with_file_lines(e.text, e.attachments, inbox_link(self.public_url, e.conversation_id))
        text = blocks.thread_line(e.author.kind, e.author.name, said, internal=e.internal, via=via)
        await self._post_once(f"{binding.id}:{e.message_id}", address, text)
        if e.author.kind == "guest" and not e.internal:
            card = dict(address.get("card") or {})
            card["last"] = said
            return await self._update_card(address, card)
        return None

    async def _meeting(self, event: MeetingEvent, address: dict[str, Any]) -> dict[str, Any]:
        """The engine posts each meeting change as a system message (it reaches the thread as a line);
        here only the card's "next meeting" follows."""
        card = dict(address.get("card") or {})
        shown = card.get("meeting") or {}
        if isinstance(event, MeetingCancelled):
            if shown.get("id") == event.meeting_id:
                card["meeting"] = None
        elif not isinstance(event, ReminderDue):
            tz = event.agent_timezone or await self._timezone(event.agent)
            duration = int((event.end - event.start).total_seconds() // 60)
            card["meeting"] = {
                "id": event.meeting_id,
                "when": blocks.when(event.start, tz),
                "duration": duration,
            }
        return await self._update_card(address, card)

    async def _direct(self, event: AgentNotified, binding: Binding) -> None:
        """A direct message to the agent (their preferences asked for it: bot.notices)."""
        key = f"{binding.id}:{event.about}:{event.notice}:{event.message_id}"
        if key in self._posted:
            return
        user = await self.api.user_by_email(event.email)
        if user is None:
            log.info("no Slack user has %s's address: no direct message", event.agent)
            return
        text, dm_blocks = blocks.direct_notice(
            event.headline, event.text, event.about, event.message_id, self.public_url
        )
        response = await self.api.post(
            user, text=text, blocks=dm_blocks, unfurl_links=False, unfurl_media=False
        )
        self._posted[key] = response.get("ts", "")

    async def _post_once(self, key: str, address: dict[str, Any], text: str) -> None:
        if key in self._posted:
            return
        response = await self.api.post(
            address["channel"], text=text, thread_ts=address["ts"], unfurl_links=False, unfurl_media=False
        )
        self._posted[key] = response.get("ts", "")
        while len(self._posted) > REMEMBERED_POSTS:
            self._posted.popitem(last=False)

    async def _update_card(self, address: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
        new_address = {**address, "card": card}
        if card == address.get("card") and address.get("ts"):
            return new_address
        text, card_blocks = blocks.root_card(card, self.public_url)
        try:
            await self.api.update(address["channel"], address["ts"], text=text, blocks=card_blocks)
        except Exception as error:  # noqa: BLE001 - the thread line went out; the card catches up next time
            log.warning("chat.update of the root card failed: %r", error)
        return new_address

    async def _service_name(self, slug: str) -> str:
        async with self.runtime.uow(read_only=True) as uow:
            service = await uow.services.get(slug)
        return service.name if service else slug

    async def _timezone(self, agent_slug: str | None) -> str:
        if agent_slug:
            async with self.runtime.uow(read_only=True) as uow:
                agent = await uow.agents.get(agent_slug)
            if agent is not None:
                return time_zone_of(agent)
        return FALLBACK_TIMEZONE
