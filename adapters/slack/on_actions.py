"""Buttons and modals after the ack: each becomes one engine command (or opens the modal that will).

Engine refusals reach the agent in the engine's own words: ephemerally for buttons, inside the modal
(``response_action: errors``) for submissions."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import date, datetime
from typing import Any

from adapters.slack import modals
from adapters.slack.context import SlackContext
from adapters.slack.reads import settings_of
from bot.commands import AssignConversation
from bot.errors import DomainError
from bot.meetings.commands import (
    BookMeeting,
    CancelMeeting,
    ChangeMeetingDuration,
    RescheduleMeeting,
    UpdateAgentSettings,
)
from bot.meetings.model import Meeting
from bot.meetings.options import BookingOptions
from bot.model import Agent
from bot.status.commands import ReopenConversation, ResolveConversation

log = logging.getLogger(__name__)
Errors = dict[str, str] | None
SETTINGS_FIELDS = {"working_hours": "hours", "lunch_break": "lunch", "default_duration": "durations"}


def _where(body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if not channel and body.get("view"):
        channel = modals.meta_of(body["view"]).get("channel")
    return body["user"]["id"], channel, body.get("response_url")


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return (body.get("actions") or [{}])[0]


def _picked(body: dict[str, Any]) -> str | None:
    action = _action(body)
    return (action.get("selected_option") or {}).get("value") or action.get("value")


async def _agent(ctx: SlackContext, body: dict[str, Any]) -> Agent | None:
    user, channel, response_url = _where(body)
    return await ctx.agent(user, channel, response_url)


async def _tell(ctx: SlackContext, body: dict[str, Any], text: str) -> None:
    user, channel, response_url = _where(body)
    await ctx.tell(channel, user, text, response_url=response_url)


async def _guarded(ctx: SlackContext, body: dict[str, Any], work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except DomainError as error:
        await _tell(ctx, body, error.message)


async def _agent_of_submission(ctx: SlackContext, body: dict[str, Any]) -> Agent | None:
    return await ctx.identities.agent_for(body["user"]["id"])


# -- assign ------------------------------------------------------------------------------------------


async def assign_to_me(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is None:
        return

    async def work() -> None:
        conversation_id = str(_action(body).get("value") or "")
        # No service named: the engine keeps the conversation's or picks mine (refusals are told).
        await ctx.run(AssignConversation(conversation_id, None, agent.slug, agent.actor))
        if (body.get("container") or {}).get("is_ephemeral"):
            await _tell(ctx, body, "Assigned to you.")

    await _guarded(ctx, body, work())


async def resolve(ctx: SlackContext, body: dict[str, Any]) -> None:
    """The card's Resolve button; the card and the thread say it happened (delivery)."""
    agent = await _agent(ctx, body)
    if agent is not None:
        conversation_id = str(_action(body).get("value") or "")
        await _guarded(ctx, body, ctx.run(ResolveConversation(conversation_id, agent.actor)))


async def reopen(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is not None:
        conversation_id = str(_action(body).get("value") or "")
        await _guarded(ctx, body, ctx.run(ReopenConversation(conversation_id, agent.actor)))


async def _assign_view(ctx: SlackContext, meta: dict[str, Any], service: str | None) -> dict[str, Any]:
    choices = await ctx.reads.assign_choices(service)
    return modals.assign_modal(meta, choices.services, choices.chosen, choices.members)


async def open_assign(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is None:
        return

    async def work() -> None:
        conversation_id = str(_action(body).get("value") or "")
        service = await ctx.reads.service_of(agent, conversation_id)  # NotFound if hidden
        meta = {"conversation_id": conversation_id, "channel": _where(body)[1]}
        await ctx.api.open_view(body["trigger_id"], await _assign_view(ctx, meta, service))

    await _guarded(ctx, body, work())


async def assign_service_picked(ctx: SlackContext, body: dict[str, Any]) -> None:
    view = body.get("view") or {}
    meta = modals.meta_of(view)
    updated = await _assign_view(ctx, meta, _picked(body))
    await ctx.api.update_view(view["id"], updated, view.get("hash"))


async def assign_submitted(ctx: SlackContext, body: dict[str, Any]) -> Errors:
    view = body["view"]
    agent = await _agent_of_submission(ctx, body)
    if agent is None:
        return {modals.block_id(view, "service"): ctx.texts.not_an_agent}
    meta = modals.meta_of(view)
    service = modals.value(view, "service", modals.ASSIGN_SERVICE) or meta.get("service") or ""
    assignee = modals.value(view, "assignee", modals.ASSIGN_ASSIGNEE)
    try:
        await ctx.run(
            AssignConversation(
                str(meta.get("conversation_id") or ""),
                service,
                None if assignee in (None, modals.WHOLE_SERVICE, "-") else assignee,
                agent.actor,
            )
        )
    except DomainError as error:
        return {modals.block_id(view, "assignee"): error.message}
    return None


# -- meetings ----------------------------------------------------------------------------------------


async def _meeting_view(ctx: SlackContext, meta: dict[str, Any], duration: int) -> dict[str, Any]:
    start, end = (date.fromisoformat(d) for d in meta["window"])
    slots = await ctx.reads.slots(meta["agent"], duration, meta["tz"], start, end)
    return modals.meeting_modal(
        meta,
        title="Schedule meeting" if meta["mode"] == "book" else "Reschedule meeting",
        durations=meta["durations"],
        duration=duration,
        slots=slots,
        tz=meta["tz"],
        window=(start, end),
        subject=meta.get("subject") if meta["mode"] == "book" else None,
    )


def _offer(options: BookingOptions) -> dict[str, Any]:
    """The engine's booking options, carried in the modal so a refresh offers the same."""
    return {
        "durations": list(options.durations),
        "tz": options.time_zone,
        "window": [options.window_start.isoformat(), options.window_end.isoformat()],
    }


async def open_schedule(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is None:
        return

    async def work() -> None:
        conversation_id = str(_action(body).get("value") or "")
        view = await ctx.reads.conversation(agent.actor, conversation_id)  # only ones the agent may see
        options = await ctx.reads.options(agent=agent.slug, guest_id=view.conversation.guest_id)
        meta = {
            "mode": "book",
            "conversation_id": conversation_id,
            "agent": agent.slug,
            "subject": options.default_subject,
            "channel": _where(body)[1],
            **_offer(options),
        }
        await ctx.api.open_view(body["trigger_id"], await _meeting_view(ctx, meta, options.default_duration))

    await _guarded(ctx, body, work())


async def _meeting_and_options(
    ctx: SlackContext, agent: Agent, body: dict[str, Any]
) -> tuple[Meeting, BookingOptions]:
    """The meeting the button names (access-checked) and what changing it offers: the engine's
    options for its host, never for whoever clicked."""
    meeting = await ctx.reads.meeting_for(agent, str(_action(body).get("value") or ""))
    return meeting, await ctx.reads.options(meeting=meeting)


async def open_reschedule(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is None:
        return

    async def work() -> None:
        meeting, options = await _meeting_and_options(ctx, agent, body)
        meta = {
            "mode": "reschedule",
            "meeting_id": meeting.id,
            "agent": meeting.agent,
            "channel": _where(body)[1],
            **_offer(options),
        }
        await ctx.api.open_view(body["trigger_id"], await _meeting_view(ctx, meta, options.default_duration))

    await _guarded(ctx, body, work())


async def meeting_duration_picked(ctx: SlackContext, body: dict[str, Any]) -> None:
    view = body.get("view") or {}
    if view.get("callback_id") != modals.MEETING_VIEW:
        return  # the change-duration modal needs no refresh
    meta = modals.meta_of(view)
    updated = await _meeting_view(ctx, meta, int(_picked(body) or meta["durations"][0]))
    await ctx.api.update_view(view["id"], updated, view.get("hash"))


async def meeting_submitted(ctx: SlackContext, body: dict[str, Any]) -> Errors:
    view = body["view"]
    agent = await _agent_of_submission(ctx, body)
    slot_block = modals.block_id(view, "slot")
    if agent is None:
        return {slot_block: ctx.texts.not_an_agent}
    meta = modals.meta_of(view)
    slot = modals.value(view, "slot", modals.MEETING_SLOT)
    if not slot or slot == "-":
        return {slot_block: "Pick a time."}
    duration = int(modals.value(view, "duration", modals.MEETING_DURATION) or meta["durations"][0])
    start = datetime.fromisoformat(slot)
    try:
        if meta["mode"] == "book":
            subject = (modals.value(view, "subject", modals.MEETING_SUBJECT) or "").strip() or None
            booking = BookMeeting(
                start=start,
                by=agent.actor,
                duration=duration,
                subject=subject,
                agent=meta["agent"],
                conversation_id=meta["conversation_id"],
            )
            await ctx.run(booking)
        else:
            await ctx.run(
                RescheduleMeeting(
                    meeting_id=meta["meeting_id"], start=start, by=agent.actor, duration=duration
                )
            )
    except DomainError as error:
        return {slot_block: error.message}
    return None


async def open_duration(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is None:
        return

    async def work() -> None:
        meeting, options = await _meeting_and_options(ctx, agent, body)
        meta = {"meeting_id": meeting.id, "channel": _where(body)[1]}
        view = modals.duration_modal(meta, options.durations, options.default_duration)
        await ctx.api.open_view(body["trigger_id"], view)

    await _guarded(ctx, body, work())


async def duration_submitted(ctx: SlackContext, body: dict[str, Any]) -> Errors:
    view = body["view"]
    agent = await _agent_of_submission(ctx, body)
    if agent is None:
        return {"duration": ctx.texts.not_an_agent}
    meta = modals.meta_of(view)
    duration = int(modals.value(view, "duration", modals.MEETING_DURATION) or 0)
    try:
        await ctx.run(ChangeMeetingDuration(meeting_id=meta["meeting_id"], duration=duration, by=agent.actor))
    except DomainError as error:
        return {"duration": error.message}
    return None


async def cancel_meeting(ctx: SlackContext, body: dict[str, Any]) -> None:
    agent = await _agent(ctx, body)
    if agent is None:
        return

    async def work() -> None:
        meeting_id = str(_action(body).get("value") or "")
        await ctx.run(CancelMeeting(meeting_id=meeting_id, by=agent.actor))
        await _tell(ctx, body, "Meeting cancelled; the guest has been told.")

    await _guarded(ctx, body, work())


async def settings_submitted(ctx: SlackContext, body: dict[str, Any]) -> Errors:
    view = body["view"]
    agent = await _agent_of_submission(ctx, body)
    if agent is None:
        return {"timezone": ctx.texts.not_an_agent}
    settings = modals.settings_from(view, settings_of(agent))
    try:
        await ctx.run(UpdateAgentSettings(agent=agent.slug, settings=settings, by=agent.actor))
    except DomainError as error:
        field = str(error.details.get("field") or "timezone").split(".")[0]
        block = SETTINGS_FIELDS.get(field, field)
        known = {b.get("block_id") for b in view.get("blocks") or []}
        return {block if block in known else "timezone": error.message}
    return None
