"""``/convene`` after the ack: one parsed request → one query or engine command → an ephemeral reply."""

from __future__ import annotations

from typing import Any

from adapters.slack import blocks, modals, on_invite, slash
from adapters.slack.context import SlackContext
from adapters.slack.reads import settings_of, timezone_of
from bot.commands import AssignConversation, CreateConversation, LinkServiceChannel
from bot.errors import DomainError
from bot.links import inbox_link
from bot.model import Agent
from bot.status.commands import ReopenConversation, ResolveConversation


async def run(ctx: SlackContext, body: dict[str, Any], request: slash.Request) -> None:
    user, channel, response_url = body["user_id"], body.get("channel_id"), body.get("response_url")

    async def tell(text: str, blocks_: list[dict[str, Any]] | None = None) -> None:
        await ctx.tell(channel, user, text, blocks=blocks_, response_url=response_url)

    agent = await ctx.agent(user, channel, response_url)
    if agent is None:
        return
    try:
        if isinstance(request, slash.Inbox):
            rows = await ctx.reads.inbox(agent)
            await tell(f"Your conversations ({len(rows)})", blocks.inbox_blocks(rows, ctx.public_url))
        elif isinstance(request, slash.Assign):
            await tell(await _assign(ctx, agent, request))
        elif isinstance(request, slash.Status):
            order = ResolveConversation if request.action == "resolve" else ReopenConversation
            await ctx.run(order(request.conversation_id, agent.actor))
            await tell("Resolved." if request.action == "resolve" else "Reopened.")
        elif isinstance(request, slash.Meetings):
            found = await ctx.reads.upcoming(agent)
            tz = timezone_of(agent)
            await tell(f"Your upcoming meetings ({len(found)})", blocks.meetings_blocks(found, tz))
        elif isinstance(request, slash.BookingLink):
            await tell(f"Your booking link: {request.url(ctx.public_url, agent.slug)}")
        elif isinstance(request, slash.SettingsModal):
            view = modals.settings_modal({"channel": channel}, settings_of(agent))
            await ctx.api.open_view(body["trigger_id"], view)
        elif isinstance(request, slash.InviteModal):
            await on_invite.open_invite(ctx, agent, body)
        elif isinstance(request, slash.LinkChannel):
            await ctx.run(LinkServiceChannel(request.service, "slack", {"channel": channel}))
            await tell(f"New conversations of `{request.service}` will appear in this channel.")
        elif isinstance(request, slash.NewConversation):
            created = await ctx.run(CreateConversation(agent.actor, request.name, emails=request.emails))
            await tell(
                f"Created “{created.conversation.title}”: {inbox_link(ctx.public_url, created.conversation.id)}"
            )
    except DomainError as error:
        await tell(error.message)


async def _assign(ctx: SlackContext, agent: Agent, request: slash.Assign) -> str:
    view = await ctx.reads.conversation(agent.actor, request.conversation_id)
    conversation = view.conversation
    if request.user_id is not None:
        target = await ctx.identities.agent_for(request.user_id)
        if target is None:
            return f"<@{request.user_id}> is not a Convene agent."
        # A person alone: the engine keeps the conversation's service when they belong to it, else
        # moves it to one of theirs (the same rule as Teams' "assign" and the inbox).
        await ctx.run(AssignConversation(conversation.id, None, target.slug, agent.actor))
        return f"Assigned to {target.name}."
    assert request.service is not None
    await ctx.run(AssignConversation(conversation.id, request.service, None, agent.actor))
    return f"Assigned to the whole `{request.service}` service."
