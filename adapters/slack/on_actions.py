"""Buttons and modals after the ack: each becomes one engine command (or opens the modal that will).

Engine refusals reach the agent in the engine's own words: ephemerally for buttons, inside the modal
(``response_action: errors``) for submissions."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from adapters.slack import meetings, modals
from adapters.slack.identity import NOT_AN_AGENT
from bot import queries
from bot.commands import AssignConversation
from bot.errors import DomainError
from bot.model import Agent

if TYPE_CHECKING:
    from adapters.slack.channel import SlackChannel

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


async def _agent(slack: SlackChannel, body: dict[str, Any]) -> Agent | None:
    user, channel, response_url = _where(body)
    return await slack.agent(user, channel, response_url)


async def _tell(slack: SlackChannel, body: dict[str, Any], text: str) -> None:
    user, channel, response_url = _where(body)
    await slack.tell(channel, user, text, response_url=response_url)


async def _guarded(slack: SlackChannel, body: dict[str, Any], work: Any) -> None:
    try:
        await work
    except DomainError as error:
        await _tell(slack, body, error.message)
    except ModuleNotFoundError:
        await _tell(slack, body, "Meetings are not available on this Convene server.")


async def _service_of(slack: SlackChannel, agent: Agent, conversation_id: str) -> str | None:
    async with slack.runtime.uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, agent.actor, conversation_id)  # NotFound if hidden
        if view.conversation.service:
            return view.conversation.service
        own = await uow.services.of_agent(agent.slug)
    return own[0].slug if own else None


# -- assign ------------------------------------------------------------------------------------------


async def assign_to_me(slack: SlackChannel, body: dict[str, Any]) -> None:
    agent = await _agent(slack, body)
    if agent is None:
        return

    async def work() -> None:
        conversation_id = str(_action(body).get("value") or "")
        # No service named: the engine keeps the conversation's or picks mine (refusals are told).
        await slack.run(AssignConversation(conversation_id, None, agent.slug, agent.actor))
        if (body.get("container") or {}).get("is_ephemeral"):
            await _tell(slack, body, "Assigned to you.")

    await _guarded(slack, body, work())


async def _assign_view(slack: SlackChannel, meta: dict[str, Any], service: str | None) -> dict[str, Any]:
    async with slack.runtime.uow(read_only=True) as uow:
        services = await uow.services.list()
        chosen = next((s for s in services if s.slug == service), services[0] if services else None)
        members = []
        for slug in chosen.members if chosen else []:
            member = await uow.agents.get(slug)
            members.append((slug, member.name if member else slug))
    return modals.assign_modal(
        meta, [(s.slug, s.name) for s in services], chosen.slug if chosen else None, members
    )


async def open_assign(slack: SlackChannel, body: dict[str, Any]) -> None:
    agent = await _agent(slack, body)
    if agent is None:
        return

    async def work() -> None:
        conversation_id = str(_action(body).get("value") or "")
        service = await _service_of(slack, agent, conversation_id)
        meta = {"conversation_id": conversation_id, "channel": _where(body)[1]}
        await slack.api.open_view(body["trigger_id"], await _assign_view(slack, meta, service))

    await _guarded(slack, body, work())


async def assign_service_picked(slack: SlackChannel, body: dict[str, Any]) -> None:
    view = body.get("view") or {}
    meta = modals.meta_of(view)
    updated = await _assign_view(slack, meta, _picked(body))
    await slack.api.update_view(view["id"], updated, view.get("hash"))


async def assign_submitted(slack: SlackChannel, body: dict[str, Any]) -> Errors:
    view = body["view"]
    assert slack.identities is not None
    agent = await slack.identities.agent_for(body["user"]["id"])
    if agent is None:
        return {modals.block_id(view, "service"): NOT_AN_AGENT}
    meta = modals.meta_of(view)
    service = modals.value(view, "service", modals.ASSIGN_SERVICE) or meta.get("service") or ""
    assignee = modals.value(view, "assignee", modals.ASSIGN_ASSIGNEE)
    try:
        await slack.run(
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


async def _meeting_view(slack: SlackChannel, meta: dict[str, Any], duration: int) -> dict[str, Any]:
    start, end = (date.fromisoformat(d) for d in meta["window"])
    slots = await meetings.slots(slack.runtime, meta["agent"], duration, meta["tz"], start, end)
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


def _offer(options: Any) -> dict[str, Any]:
    """The engine's booking options, carried in the modal so a refresh offers the same."""
    return {
        "durations": list(options.durations),
        "tz": options.time_zone,
        "window": [options.window_start.isoformat(), options.window_end.isoformat()],
    }


async def open_schedule(slack: SlackChannel, body: dict[str, Any]) -> None:
    agent = await _agent(slack, body)
    if agent is None:
        return

    async def work() -> None:
        conversation_id = str(_action(body).get("value") or "")
        async with slack.runtime.uow(read_only=True) as uow:  # only conversations the agent may see
            view = await queries.view_conversation(uow, agent.actor, conversation_id)
        options = await meetings.options(slack.runtime, agent=agent.slug, guest_id=view.conversation.guest_id)
        meta = {
            "mode": "book",
            "conversation_id": conversation_id,
            "agent": agent.slug,
            "subject": options.default_subject,
            "channel": _where(body)[1],
            **_offer(options),
        }
        await slack.api.open_view(
            body["trigger_id"], await _meeting_view(slack, meta, options.default_duration)
        )

    await _guarded(slack, body, work())


async def _meeting_and_options(slack: SlackChannel, agent: Agent, body: dict[str, Any]) -> tuple[Any, Any]:
    """The meeting the button names (access-checked) and what changing it offers: the engine's
    options for its host, never for whoever clicked."""
    meeting = await meetings.meeting_for(slack.runtime, agent, str(_action(body).get("value") or ""))
    return meeting, await meetings.options(slack.runtime, meeting=meeting)


async def open_reschedule(slack: SlackChannel, body: dict[str, Any]) -> None:
    agent = await _agent(slack, body)
    if agent is None:
        return

    async def work() -> None:
        meeting, options = await _meeting_and_options(slack, agent, body)
        meta = {
            "mode": "reschedule",
            "meeting_id": meeting.id,
            "agent": meeting.agent,
            "channel": _where(body)[1],
            **_offer(options),
        }
        await slack.api.open_view(
            body["trigger_id"], await _meeting_view(slack, meta, options.default_duration)
        )

    await _guarded(slack, body, work())


async def meeting_duration_picked(slack: SlackChannel, body: dict[str, Any]) -> None:
    view = body.get("view") or {}
    if view.get("callback_id") != modals.MEETING_VIEW:
        return  # the change-duration modal needs no refresh
    meta = modals.meta_of(view)
    updated = await _meeting_view(slack, meta, int(_picked(body) or meta["durations"][0]))
    await slack.api.update_view(view["id"], updated, view.get("hash"))


async def meeting_submitted(slack: SlackChannel, body: dict[str, Any]) -> Errors:
    view = body["view"]
    assert slack.identities is not None
    agent = await slack.identities.agent_for(body["user"]["id"])
    slot_block = modals.block_id(view, "slot")
    if agent is None:
        return {slot_block: NOT_AN_AGENT}
    meta = modals.meta_of(view)
    slot = modals.value(view, "slot", modals.MEETING_SLOT)
    if not slot or slot == "-":
        return {slot_block: "Pick a time."}
    duration = int(modals.value(view, "duration", modals.MEETING_DURATION) or meta["durations"][0])
    start = datetime.fromisoformat(slot)
    try:
        if meta["mode"] == "book":
            subject = (modals.value(view, "subject", modals.MEETING_SUBJECT) or "").strip() or None
            fields = {"agent": meta["agent"], "conversation_id": meta["conversation_id"]}
            await slack.run(
                meetings.command(
                    "BookMeeting", start=start, duration=duration, subject=subject, by=agent.actor, **fields
                )
            )
        else:
            await slack.run(
                meetings.command(
                    "RescheduleMeeting",
                    meeting_id=meta["meeting_id"],
                    start=start,
                    by=agent.actor,
                    duration=duration,
                )
            )
    except DomainError as error:
        return {slot_block: error.message}
    return None


async def open_duration(slack: SlackChannel, body: dict[str, Any]) -> None:
    agent = await _agent(slack, body)
    if agent is None:
        return

    async def work() -> None:
        meeting, options = await _meeting_and_options(slack, agent, body)
        meta = {"meeting_id": meeting.id, "channel": _where(body)[1]}
        view = modals.duration_modal(meta, options.durations, options.default_duration)
        await slack.api.open_view(body["trigger_id"], view)

    await _guarded(slack, body, work())


async def duration_submitted(slack: SlackChannel, body: dict[str, Any]) -> Errors:
    view = body["view"]
    assert slack.identities is not None
    agent = await slack.identities.agent_for(body["user"]["id"])
    if agent is None:
        return {"duration": NOT_AN_AGENT}
    meta = modals.meta_of(view)
    duration = int(modals.value(view, "duration", modals.MEETING_DURATION) or 0)
    try:
        await slack.run(
            meetings.command(
                "ChangeMeetingDuration", meeting_id=meta["meeting_id"], duration=duration, by=agent.actor
            )
        )
    except DomainError as error:
        return {"duration": error.message}
    return None


async def cancel_meeting(slack: SlackChannel, body: dict[str, Any]) -> None:
    agent = await _agent(slack, body)
    if agent is None:
        return

    async def work() -> None:
        meeting_id = str(_action(body).get("value") or "")
        await slack.run(meetings.command("CancelMeeting", meeting_id=meeting_id, by=agent.actor))
        await _tell(slack, body, "Meeting cancelled; the guest has been told.")

    await _guarded(slack, body, work())


async def settings_submitted(slack: SlackChannel, body: dict[str, Any]) -> Errors:
    view = body["view"]
    assert slack.identities is not None
    agent = await slack.identities.agent_for(body["user"]["id"])
    if agent is None:
        return {"timezone": NOT_AN_AGENT}
    settings = modals.settings_from(view, meetings.settings_of(agent))
    try:
        await slack.run(
            meetings.command("UpdateAgentSettings", agent=agent.slug, settings=settings, by=agent.actor)
        )
    except DomainError as error:
        field = str(error.details.get("field") or "timezone").split(".")[0]
        block = SETTINGS_FIELDS.get(field, field)
        known = {b.get("block_id") for b in view.get("blocks") or []}
        return {block if block in known else "timezone": error.message}
    return None
