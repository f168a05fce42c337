"""The turn handler: what each kind of Teams activity means to Convene.

Messages are answered at once (Bot Framework waits about 15 seconds) and their work runs after the
HTTP answer; card clicks with ``Action.Execute`` run their one command inline because the refreshed
card is the invoke response. A platform retry of an activity we have seen runs nothing; a replayed
button press is answered with the conversation's current card, since that answer replaces the card.
"""

from __future__ import annotations

import html
import logging
import re
from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ChannelAccount

from adapters.teams import cards, render
from adapters.teams.actions import CardActions, not_an_agent_card
from adapters.teams.commands import TextCommands, is_command
from adapters.teams.context import TeamsContext
from bot.commands import PostMessage
from bot.errors import DomainError
from bot.model import Agent

log = logging.getLogger(__name__)
INTERNAL_MARKER = "//"  # a thread reply starting with this stays among agents, as in Slack
CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"


def place_of(activity: Any) -> dict[str, Any]:
    """Where an activity happened, as plain values (also what ``link-channel`` stores)."""
    data = activity.channel_data or {}
    conversation = activity.conversation
    return {
        "service_url": activity.service_url,
        "conversation_id": conversation.id if conversation else "",
        "conversation_type": (conversation.conversation_type if conversation else None) or "personal",
        "channel_id": (data.get("channel") or {}).get("id"),
        "team_id": (data.get("team") or {}).get("id"),
        "tenant_id": (data.get("tenant") or {}).get("id")
        or (conversation.tenant_id if conversation else None),
        "bot_id": activity.recipient.id if activity.recipient else None,
        "bot_name": activity.recipient.name if activity.recipient else None,
    }


def user_of(activity: Any) -> dict[str, Any]:
    sender: ChannelAccount | None = activity.from_property
    if sender is None:
        return {}
    extra = sender.additional_properties or {}
    return {
        "id": sender.id,
        "name": sender.name,
        "aadObjectId": sender.aad_object_id,
        "email": extra.get("email"),
        "userPrincipalName": extra.get("userPrincipalName"),
    }


def clean_text(text: str | None) -> str:
    text = re.sub(r"<at>.*?</at>", "", text or "")
    text = re.sub(r"<[^>]+>", "", text)  # Teams may wrap plain messages in HTML
    return html.unescape(text).replace("\xa0", " ").strip()


def _mentions_bot(activity: Any) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        if getattr(entity, "type", None) == "mention" and (props.get("mentioned") or {}).get("id") == bot_id:
            return True
    return False


class ConveneTeamsBot(TeamsActivityHandler):
    """Override any ``on_…`` method to change one behaviour; ``context`` is all a handler may use."""

    def __init__(self, context: TeamsContext) -> None:
        super().__init__()
        self.context = context
        self.commands = TextCommands(context)
        self.actions = CardActions(context)

    # --- inbound plumbing ------------------------------------------------------------------------

    async def first_time(self, activity: Any) -> bool:
        """Activity ids are unique within a conversation; the key combines both."""
        conversation = activity.conversation.id if activity.conversation else ""
        return await self.context.first_time(conversation, activity.id or "")

    async def agent_of(self, activity: Any) -> Agent | None:
        place = place_of(activity)
        user = user_of(activity)

        async def lookup() -> dict[str, Any] | None:
            return await self.context.api.member(place["service_url"], place["conversation_id"], user["id"])

        return await self.context.identities.agent_for(user, lookup)

    async def answer(self, activity: Any, answer: dict[str, Any] | str) -> None:
        reply = render.text_activity(answer) if isinstance(answer, str) else render.card_activity(answer)
        sender = activity.from_property.id if activity.from_property is not None else ""
        await self.context.answer(activity.service_url, activity.conversation.id, reply, sender or "")

    # --- messages --------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not await self.first_time(activity):
            return
        if isinstance(activity.value, dict) and activity.value.get("action"):
            self.context.spawn(self.on_card_submit(activity))  # Action.Submit arrives as a message
            return
        mentioned = _mentions_bot(activity)
        text = clean_text(TurnContext.remove_recipient_mention(activity) if mentioned else activity.text)
        self.context.spawn(self.on_text(activity, text, mentioned=mentioned))

    async def on_text(self, activity: Any, text: str, *, mentioned: bool) -> None:
        place = place_of(activity)
        personal = place["conversation_type"] == "personal"
        binding = None
        if place["conversation_type"] == "channel":
            binding = await self.context.queries.thread_binding(place["conversation_id"])
        if binding is None and not (personal or mentioned):
            return  # channel chatter that is not for us
        if binding is not None:
            place["thread_conversation"] = binding.conversation_id  # "resolve" there means this one
        is_cmd = (personal or mentioned) and is_command(text)
        if binding is not None and not is_cmd and not text:
            return
        agent = await self.agent_of(activity)
        if agent is None:
            await self.answer(activity, not_an_agent_card())
            return
        if binding is not None and not is_cmd:
            await self.reply_to_guest(activity, agent, binding.conversation_id, text)
            return
        if not is_cmd and personal and text:
            await self.answer(activity, cards.help_card())
            return
        await self.answer(activity, await self.commands.run(agent, text, place))

    async def reply_to_guest(self, activity: Any, agent: Agent, conversation_id: str, text: str) -> None:
        internal = text.startswith(INTERNAL_MARKER)
        body = text[len(INTERNAL_MARKER) :].strip() if internal else text
        try:
            await self.context.bus.handle(
                PostMessage(
                    conversation_id,
                    agent.actor,
                    body,
                    client_id=f"{render.ECHO_PREFIX}{activity.id}",
                    internal=internal,
                )
            )
        except DomainError as error:
            await self.answer(activity, error.message)

    # --- card buttons ----------------------------------------------------------------------------

    async def on_card_submit(self, activity: Any) -> None:
        agent = await self.agent_of(activity)
        if agent is None:
            await self.answer(activity, not_an_agent_card())
            return
        card = await self.actions.run(agent, dict(activity.value), key=activity.id or "")
        await self.answer(activity, card)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        # botbuilder 4.17 serialises this response twice on the CloudAdapter path (and fails on the
        # second pass), so the model goes back unserialised: CloudAdapter.process serialises it once.
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action: dict[str, Any] = value["action"] if isinstance(value.get("action"), dict) else {}
        if action.get("type") != "Action.Execute":
            return InvokeResponse(status=int(HTTPStatus.BAD_REQUEST))
        return InvokeResponse(
            status=int(HTTPStatus.OK),
            body=await self.on_adaptive_card_invoke(turn_context, AdaptiveCardInvokeValue(action=action)),
        )

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        activity = turn_context.activity
        data = dict((invoke_value.action or {}).get("data") or {})
        data.setdefault("action", (invoke_value.action or {}).get("verb"))
        replay = not await self.first_time(activity)
        agent = await self.agent_of(activity)
        if agent is None:
            card = not_an_agent_card()
        elif not replay:
            card = await self.actions.run(agent, data, key=activity.id or "")
        elif data.get("conversation_id"):
            # The invoke response replaces the card in the presser's view: a replay shows the
            # conversation as it is now, and runs nothing.
            card = await self.actions.run(agent, {**data, "action": "show_card"}, key=activity.id or "")
        else:
            card = cards.text_card("Already done.")  # a card of no conversation (e.g. settings)
        return AdaptiveCardInvokeResponse(status_code=int(HTTPStatus.OK), type=CARD_RESPONSE, value=card)

    # --- installation ----------------------------------------------------------------------------

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_added):
            activity = turn_context.activity
            self.context.spawn(
                self.answer(
                    activity, cards.help_card("Hello! I bring your Convene conversations into Teams.")
                )
            )
