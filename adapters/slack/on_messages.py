"""Inbound thread replies: an agent writes in a conversation's thread → ``PostMessage`` to the guest.

Slack retries an event it thinks we missed (``X-Slack-Retry-Num``) and may send one event twice; the
``inbound`` table lets each ``event_id`` act once, and ``client_id = "slack:<ts>"`` makes the message
itself idempotent as well."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from bot.commands import PostMessage
from bot.errors import Conflict, DomainError

if TYPE_CHECKING:
    from adapters.slack.channel import SlackChannel

CHANNEL = "slack"


def is_human_thread_reply(event: dict[str, Any], bot_user_id: str | None) -> bool:
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return False  # edits, deletions, joins, and every bot (ours included) are not replies
    if not event.get("user") or event.get("user") == bot_user_id:
        return False
    thread_ts = event.get("thread_ts")
    return bool(thread_ts) and thread_ts != event.get("ts") and bool((event.get("text") or "").strip())


async def thread_reply(slack: SlackChannel, body: dict[str, Any]) -> None:
    event = body.get("event") or {}
    bot_user_id = ((body.get("authorizations") or [{}])[0] or {}).get("user_id")
    if not is_human_thread_reply(event, bot_user_id):
        return
    channel, user = event.get("channel", ""), event["user"]
    runtime = slack.runtime
    async with runtime.uow(read_only=True) as uow:
        binding = await uow.bindings.find_by_address(CHANNEL, "thread", f"{channel}:{event['thread_ts']}")
    if binding is None:
        return  # a thread that is not a conversation
    if not await _first_time(runtime, body.get("event_id") or f"{channel}:{event['ts']}"):
        return
    agent = await slack.agent(user, channel)
    if agent is None:
        return
    # Slack escapes &, < and > in message text; the guest should read what the agent typed.
    text = html.unescape(event["text"]).strip()
    internal = text.startswith(slack.marker)
    if internal:
        text = text[len(slack.marker) :].strip()
    try:
        await slack.run(
            PostMessage(
                conversation_id=binding.conversation_id,
                author=agent.actor,
                text=text,
                client_id=f"slack:{event['ts']}",
                internal=internal,
            )
        )
    except DomainError as error:
        await slack.tell(channel, user, error.message, thread_ts=event["thread_ts"])


async def _first_time(runtime: Any, event_id: str) -> bool:
    try:
        async with runtime.uow() as uow:
            first = await uow.inbound.first_time(CHANNEL, event_id, runtime.clock.now())
            await uow.commit()
    except Conflict:  # a concurrent copy of the same event inserted first
        return False
    return bool(first)
