"""Inbound thread replies: an agent writes in a conversation's thread → ``PostMessage`` to the guest.

Slack retries an event it thinks we missed (``X-Slack-Retry-Num``) and may send one event twice; the
``inbound`` table lets each ``event_id`` act once, and ``client_id = "slack:<ts>"`` makes the message
itself idempotent as well."""

from __future__ import annotations

import html
from typing import Any

from adapters.slack.context import SlackContext
from bot.commands import PostMessage
from bot.errors import DomainError


def is_human_thread_reply(event: dict[str, Any], bot_user_id: str | None) -> bool:
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return False  # edits, deletions, joins, and every bot (ours included) are not replies
    if not event.get("user") or event.get("user") == bot_user_id:
        return False
    thread_ts = event.get("thread_ts")
    return bool(thread_ts) and thread_ts != event.get("ts") and bool((event.get("text") or "").strip())


async def thread_reply(ctx: SlackContext, body: dict[str, Any]) -> None:
    event = body.get("event") or {}
    bot_user_id = ((body.get("authorizations") or [{}])[0] or {}).get("user_id")
    if not is_human_thread_reply(event, bot_user_id):
        return
    channel, user = event.get("channel", ""), event["user"]
    binding = await ctx.reads.thread(channel, event["thread_ts"])
    if binding is None:
        return  # a thread that is not a conversation
    if not await ctx.reads.first_time(body.get("event_id") or f"{channel}:{event['ts']}"):
        return
    agent = await ctx.agent(user, channel)
    if agent is None:
        return
    # Slack escapes &, < and > in message text; the guest should read what the agent typed.
    text = html.unescape(event["text"]).strip()
    marker = ctx.texts.internal_marker
    internal = text.startswith(marker)
    if internal:
        text = text[len(marker) :].strip()
    try:
        await ctx.run(
            PostMessage(
                conversation_id=binding.conversation_id,
                author=agent.actor,
                text=text,
                client_id=f"slack:{event['ts']}",
                internal=internal,
            )
        )
    except DomainError as error:
        await ctx.tell(channel, user, error.message, thread_ts=event["thread_ts"])
