"""Card buttons → one engine command each; the answer is the card to show next.

The same code serves ``Action.Execute`` (the card comes back in the invoke response) and ``Action.Submit``
(the caller posts the card as a reply). Refusals of the engine are shown on the card in its own words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from adapters.teams import cards, render
from adapters.teams.context import TeamsContext
from adapters.teams.invite_actions import InviteActions
from bot.commands import AssignConversation
from bot.errors import DomainError, InvalidInput
from bot.meetings.commands import (
    BookMeeting,
    CancelMeeting,
    ChangeMeetingDuration,
    RescheduleMeeting,
    UpdateAgentSettings,
)
from bot.meetings.model import Meeting
from bot.meetings.options import time_zone_of
from bot.model import Agent, Conversation
from bot.status.commands import ReopenConversation, ResolveConversation

MAX_SLOTS = 40
Verb = Callable[[Agent, dict[str, Any], str], Awaitable[dict[str, Any]]]  # (agent, card data, click id)


def not_an_agent_card() -> dict[str, Any]:
    return cards.text_card(
        "Only Convene agents can do this. Ask an administrator to add your Microsoft 365 address as an agent.",
        error=True,
    )


class CardActions:
    def __init__(self, context: TeamsContext) -> None:
        self.context = context
        self.queries = context.queries
        self.invite = InviteActions(context)
        # The verbs a card may send (cards.py), each to its method: nothing else is callable by a client.
        self.verbs: dict[str, Verb] = {
            "show_card": self._show_card,
            "assign_me": self._assign_me,
            "assign_form": self._assign_form,
            "assign": self._assign,
            "resolve": self._resolve,
            "reopen": self._reopen,
            "schedule_form": self._schedule_form,
            "book": self._book,
            "reschedule": self._reschedule,
            "cancel_form": self._cancel_form,
            "cancel": self._cancel,
            "duration_form": self._duration_form,
            "change_duration": self._change_duration,
            "save_settings": self._save_settings,
            "invite_form": self.invite.form,  # count again with the card's values
            "invite": self.invite.create,
            "invite_send": self.invite.send,
        }

    async def run(self, agent: Agent, data: dict[str, Any], *, key: str) -> dict[str, Any]:
        """``key`` identifies the click (the activity id): the idempotency key of a booking."""
        action = str(data.get("action") or "")
        handler = self.verbs.get(action)
        if handler is None:
            return cards.text_card(f"Unknown action {action!r}.", error=True)
        try:
            return await handler(agent, data, key)
        except DomainError as error:
            return await self._refused(agent, data, error.message)

    async def _refused(self, agent: Agent, data: dict[str, Any], message: str) -> dict[str, Any]:
        """The form the agent was on, with the engine's sentence on it."""
        action = data.get("action")
        try:
            if action == "assign":
                return await self._assign_form(agent, data, "", error=message)
            if action in {"book", "reschedule"}:
                return await self._schedule_form(agent, data, "", error=message)
            if action == "change_duration":
                return await self._duration_form(agent, data, "", error=message)
            if action == "save_settings":
                return cards.settings_card(_settings_input(data, agent), error=message)
            if action in {"invite", "invite_form"}:
                return await self.invite.form(agent, data, error=message)
            if data.get("conversation_id"):
                return await self._card(agent, str(data["conversation_id"]), error=message)
        except DomainError:
            pass
        return cards.text_card(message, error=True)

    async def _card(
        self, agent: Agent, conversation_id: str, *, error: str | None = None, meeting: Meeting | None = None
    ) -> dict[str, Any]:
        """The conversation's card, for an agent who may see it (``NotFound`` otherwise: the ids in a
        card's data come from the client). ``meeting``: as the engine just left it, before the outbox
        brings the change to the thread's card."""
        await self.queries.visible_conversation(agent, conversation_id)
        address = await self.queries.address(conversation_id)
        if meeting is not None:
            address = render.showing(address, meeting.id, meeting.start if meeting.booked else None)
        view = await self.queries.conversation_view(conversation_id, address)
        return cards.conversation_card(view, error=error)

    async def _conversation(self, agent: Agent, data: dict[str, Any]) -> Conversation:
        cid = str(data.get("conversation_id") or "")
        return await self.queries.visible_conversation(agent, cid)  # NotFound for outsiders

    # --- assignment ------------------------------------------------------------------------------

    async def _show_card(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        return await self._card(agent, str(data.get("conversation_id") or ""))

    async def _assign_me(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        conversation = await self._conversation(agent, data)
        await self.context.bus.handle(  # no service named: the engine picks it
            AssignConversation(conversation.id, None, agent.slug, by=agent.actor)
        )
        return await self._card(agent, conversation.id)

    async def _resolve(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        cid = str(data.get("conversation_id") or "")
        await self.context.bus.handle(ResolveConversation(cid, agent.actor))  # NotFound for outsiders
        return await self._card(agent, cid)

    async def _reopen(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        cid = str(data.get("conversation_id") or "")
        await self.context.bus.handle(ReopenConversation(cid, agent.actor))
        return await self._card(agent, cid)

    async def _assign_form(
        self, agent: Agent, data: dict[str, Any], key: str, *, error: str | None = None
    ) -> dict[str, Any]:
        conversation = await self._conversation(agent, data)
        services, agents = await self.queries.services_and_agent_names()
        members = [
            (slug, f"{agents.get(slug, slug)} ({service.name})")
            for service in services
            for slug in service.members
        ]
        unique: dict[str, str] = {}
        for slug, title in members:
            unique.setdefault(slug, title)  # each person once, with the first service they are in
        return cards.assign_form(
            conversation.id,
            [(s.slug, s.name) for s in services],
            list(unique.items()),
            service=data.get("service") or conversation.assigned_service or conversation.service,
            error=error,
        )

    async def _assign(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        conversation = await self._conversation(agent, data)
        # A person without a service: the engine picks one they belong to (the same in every channel).
        service = str(data.get("service") or "") or None
        assignee = str(data.get("assignee") or "") or None
        await self.context.bus.handle(AssignConversation(conversation.id, service, assignee, by=agent.actor))
        return await self._card(agent, conversation.id)

    # --- meetings --------------------------------------------------------------------------------

    async def _schedule_form(
        self, agent: Agent, data: dict[str, Any], key: str, *, error: str | None = None
    ) -> dict[str, Any]:
        guest_id = None
        if not data.get("meeting_id"):
            guest_id = (await self._conversation(agent, data)).guest_id
        meeting, options = await self.queries.booking_options(
            agent, str(data.get("meeting_id") or "") or None, guest_id=guest_id
        )
        tz = options.time_zone
        durations = list(options.durations)
        duration = _int(data.get("duration")) or options.default_duration
        if duration not in durations:
            durations = [*durations, duration]
        found = await self.queries.agent_slots(
            meeting.agent if meeting else agent.slug, options.window_start, options.window_end, duration, tz
        )
        slots = [(s.astimezone(UTC).isoformat(), render.when(s, tz)) for s in found][:MAX_SLOTS]
        return cards.schedule_form(
            str(data.get("conversation_id") or ""),
            durations,
            slots,
            timezone=tz,
            window=(options.window_start, options.window_end),
            meeting_id=data.get("meeting_id") or None,
            duration=duration,
            subject=None if meeting else options.default_subject,
            error=error,
        )

    async def _book(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        conversation = await self._conversation(agent, data)
        booking = await self.context.bus.handle(
            BookMeeting(  # what the card left empty, the engine fills in (bot.meetings.options)
                start=_slot(data),
                duration=_int(data.get("duration")),
                subject=str(data.get("subject") or "").strip() or None,
                by=agent.actor,
                agent=agent.slug,
                conversation_id=conversation.id,
                guest_id=conversation.guest_id,
                idempotency_key=f"teams:{key}",
            )
        )
        return await self._card(agent, conversation.id, meeting=booking.meeting)

    async def _reschedule(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        meeting = await self.context.bus.handle(
            RescheduleMeeting(
                str(data.get("meeting_id") or ""),
                _slot(data),
                by=agent.actor,
                duration=_int(data.get("duration")),
            )
        )
        return await self._after_meeting_change(agent, data, meeting, "The meeting is rescheduled.")

    async def _cancel_form(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        start = data.get("meeting_start")
        if not start and data.get("conversation_id"):
            start = (await self.queries.address(str(data["conversation_id"]))).get("meeting_start")
        label = render.when(start, time_zone_of(agent)) if start else "the booked date"
        return cards.cancel_form(
            str(data.get("conversation_id") or ""), str(data.get("meeting_id") or ""), label
        )

    async def _cancel(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        meeting = await self.context.bus.handle(
            CancelMeeting(str(data.get("meeting_id") or ""), by=agent.actor)
        )
        return await self._after_meeting_change(agent, data, meeting, "The meeting is cancelled.")

    async def _duration_form(
        self, agent: Agent, data: dict[str, Any], key: str, *, error: str | None = None
    ) -> dict[str, Any]:
        _, options = await self.queries.booking_options(agent, str(data.get("meeting_id") or "") or None)
        return cards.duration_form(
            str(data.get("meeting_id") or ""),
            list(options.durations),
            _int(data.get("duration")) or options.default_duration,
            error=error,
        )

    async def _change_duration(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        duration = _int(data.get("duration"))
        if duration is None:
            raise InvalidInput("Choose a duration.", code="invalid_duration")
        meeting = await self.context.bus.handle(
            ChangeMeetingDuration(str(data.get("meeting_id") or ""), duration, by=agent.actor)
        )
        return await self._after_meeting_change(
            agent, data, meeting, f"The meeting now lasts {duration} minutes."
        )

    async def _after_meeting_change(
        self, agent: Agent, data: dict[str, Any], meeting: Meeting, text: str
    ) -> dict[str, Any]:
        if data.get("conversation_id"):
            return await self._card(agent, str(data["conversation_id"]), meeting=meeting)
        return cards.text_card(text)

    # --- settings --------------------------------------------------------------------------------

    async def _save_settings(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        values = _settings_input(data, agent)
        await self.context.bus.handle(UpdateAgentSettings(agent.slug, values, by=agent.actor))
        return cards.settings_card(values, saved=True)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _slot(data: dict[str, Any]) -> datetime:
    try:
        start = datetime.fromisoformat(str(data.get("slot") or ""))
    except ValueError:
        raise InvalidInput("Choose a time.", code="missing_slot") from None
    if start.tzinfo is None:
        raise InvalidInput("Choose a time.", code="missing_slot")
    return start.astimezone(UTC)


def _settings_input(data: dict[str, Any], agent: Agent) -> dict[str, Any]:
    """The settings form's fields, in the engine's settings vocabulary (the engine validates them)."""
    values = dict(agent.settings)
    if "timezone" in data:
        values["timezone"] = str(data.get("timezone") or "").strip()
    if "durations" in data:
        parts = [p.strip() for p in str(data.get("durations") or "").split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise InvalidInput("Durations are whole minutes, separated by commas.", code="invalid_settings")
        values["durations"] = [int(p) for p in parts]
    for name in ("buffer_before", "buffer_after"):
        if name in data and _int(data.get(name)) is not None:
            values[name] = _int(data.get(name))
    if "lunch_break" in data:
        lunch = str(data.get("lunch_break") or "").strip()
        values["lunch_break"] = [p.strip() for p in lunch.split("-", 1)] if lunch else None
    return values


def parse_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date like 24.11.2026.", code="invalid_date") from None
