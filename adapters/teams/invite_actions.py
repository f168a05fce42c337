"""``invite`` in Teams: the invitation form card, its count, its submission and the card of links.

Translation only: the card's fields become an ``InvitationDraft`` (members and rooms are chosen from
lists, so their values are already slugs and room ids); the count is the engine's ``count_slots`` and
the submission its ``CreateInvitation``, the command the inbox API sends. A refusal comes back as the
same form with the values as they were and the engine's sentence on it; nothing is written then.
The links exist only in the answer to the command that issued the token, so the card shows them once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from adapters.teams import invite_card
from adapters.teams.context import TeamsContext
from bot.errors import DomainError, InvalidInput
from bot.invitations.commands import CreateInvitation, InvitationDraft, ResendInvitation
from bot.invitations.links import invitation_link
from bot.invitations.model import Invitation
from bot.meetings.options import time_zone_of
from bot.model import Agent
from bot.zones import zone

FIELDS = (
    "guest_name guest_email subject duration members rooms start_date end_date day_start day_end timezone "
    "send_email promoted pools description description_private conferencing meeting_type location "
    "guest_timezone add_to_calendar send_confirmation timezone_mode"
).split()
# The count does not depend on who is invited: stand-ins keep it from failing on empty fields.
STAND_INS = {"guest_name": "Guest", "guest_email": "guest@example.com", "subject": "Meeting"}


def _list(value: Any) -> tuple[str, ...]:
    return tuple(v.strip() for v in str(value or "").split(",") if v.strip())


def _date(values: dict[str, str], name: str) -> date:
    try:
        return date.fromisoformat(values.get(name, ""))
    except ValueError:
        raise InvalidInput(
            "Choose the dates the customer may pick from.", code="invalid_date", field=name
        ) from None


def draft_of(values: dict[str, str], *, counting: bool = False) -> InvitationDraft:
    texts = {k: values.get(k, "").strip() for k in STAND_INS}
    if counting:
        texts = {k: v or STAND_INS[k] for k, v in texts.items()}
    try:
        promoted = tuple(datetime.fromisoformat(p) for p in _list(values.get("promoted")))
        duration = int(values.get("duration") or 30)
    except ValueError:
        raise InvalidInput("Choose a duration and times from the lists.", code="invalid_input") from None
    return InvitationDraft(
        guest_name=texts["guest_name"],
        guest_email=texts["guest_email"],
        subject=texts["subject"],
        duration=duration,
        members=_list(values.get("members")),
        rooms=_list(values.get("rooms")),
        pools=_list(values.get("pools")),
        description=values.get("description", "").strip(),
        description_private=values.get("description_private") == "true",
        conferencing=values.get("conferencing", "").strip(),
        meeting_type=values.get("meeting_type") or "video",
        location=values.get("location", "").strip(),
        guest_timezone=values.get("guest_timezone", "").strip() or None,
        add_to_calendar=values.get("add_to_calendar") != "false",  # toggles: "true" | "false", on unless off
        send_confirmation=values.get("send_confirmation") != "false",
        timezone_mode=values.get("timezone_mode") or "customer",
        start_date=_date(values, "start_date"),
        end_date=_date(values, "end_date"),
        day_start=values.get("day_start") or "09:00",
        day_end=values.get("day_end") or "17:00",
        timezone=values.get("timezone", "").strip() or None,
        promoted=promoted,
        send_email=values.get("send_email") != invite_card.COPY,
    )


class InviteActions:
    def __init__(self, context: TeamsContext) -> None:
        self.context = context
        self.queries = context.queries

    def _values(self, agent: Agent, data: dict[str, Any]) -> dict[str, str]:
        """The card's fields as sent, else the defaults: the agent alone, the next seven days, 09–17."""
        tz = time_zone_of(agent)
        today = self.queries.now().astimezone(zone(tz)).date()
        values = {
            "duration": "30",
            "members": agent.slug,
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=7)).isoformat(),
            "day_start": "09:00",
            "day_end": "17:00",
            "timezone": tz,
            "send_email": invite_card.EMAIL,
            "add_to_calendar": "true",
            "send_confirmation": "true",
            "timezone_mode": "customer",
        }
        values.update({k: str(data[k]) for k in FIELDS if data.get(k) is not None})
        return values

    async def form(
        self,
        agent: Agent,
        data: dict[str, Any],
        key: str = "",
        *,
        error: str | None = None,
        field: str | None = None,
    ) -> dict[str, Any]:
        """The form with the count for its values (or what to fix before there can be one)."""
        values = self._values(agent, data)
        free: list[datetime] = []
        try:
            found = await self.queries.invitation_count(draft_of(values, counting=True), agent.actor)
            free = list(found["slots"])
            count = invite_card.count_text(int(found["count"]), found["busy"])
        except DomainError as problem:
            count = invite_card.count_text(None, problem=problem.message)
        try:
            shown = zone(values["timezone"])
        except DomainError:
            shown = zone(time_zone_of(agent))
        _, names = await self.queries.services_and_agent_names()
        found_rooms = await self.queries.rooms()
        rooms = [(r.id, r.name) for r in found_rooms]
        return invite_card.invite_form(
            values,
            agents=sorted(names.items(), key=lambda pair: pair[1]),
            rooms=rooms,
            count=count,
            free=[(s.isoformat(), f"{s.astimezone(shown):%a %d %b %H:%M}") for s in free[:100]],
            error=error,
            field=field,
            pools=sorted({r.pool for r in found_rooms if r.pool}),
        )

    async def create(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        """The card of links; a refusal is the form again, its values kept and the engine's sentence
        under the field it names (nothing written)."""
        try:
            draft = draft_of(self._values(agent, data))
            invitation: Invitation = await self.context.bus.handle(CreateInvitation(draft, agent.actor))
        except DomainError as error:
            field = error.details.get("field")
            return await self.form(agent, data, error=error.message, field=str(field) if field else None)
        base = self.context.public_url
        tz = zone(invitation.timezone)
        lines = [f"Pick any time: {invitation_link(base, invitation.token)}"] + [
            f"{p.astimezone(tz):%a %d %b %H:%M}: {invitation_link(base, invitation.token, p)}"
            for p in invitation.promoted
        ]
        how = "sent by email" if draft.send_email else "created: send these links yourself"
        head = f"Invitation “{invitation.subject}” for {invitation.guest_name} {how}."
        return invite_card.result_card(head, lines, invitation_id=invitation.id, sent=draft.send_email)

    async def send(self, agent: Agent, data: dict[str, Any], key: str) -> dict[str, Any]:
        """ "Send by email" on the card of links: a resend, which mails fresh links."""
        invitation: Invitation = await self.context.bus.handle(
            ResendInvitation(str(data.get("invitation_id") or ""), agent.actor)
        )
        text = (
            f"Sent to {invitation.guest_email} with fresh links; the links on the card above no longer work."
        )
        return invite_card.result_card(text, [], invitation_id=invitation.id, sent=True)
