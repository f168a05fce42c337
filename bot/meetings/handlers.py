"""Agent scheduling settings, and the map from meeting commands to their handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.calendars.outlook_settings import note_changes_in_convene
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.invitations import team
from bot.meetings import booking, changes, manage_links
from bot.meetings import commands as c
from bot.ports import UnitOfWork
from scheduling.agent_settings import parse_settings, settings_to_dict

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def update_agent_settings(cmd: c.UpdateAgentSettings, uow: UnitOfWork) -> dict[str, Any]:
    """Replaces the agent's settings (missing keys take defaults). Invalid input raises
    ``invalid_settings`` naming the field, before anything is written."""
    if cmd.by.kind not in ("agent", "system") or (cmd.by.kind == "agent" and cmd.by.id != cmd.agent):
        raise Forbidden("Agents change their own settings only.")
    async with uow:
        agent = await uow.agents.get(cmd.agent)
        if agent is None:
            raise NotFound(f"There is no agent called {cmd.agent!r}.", code="unknown_agent")
        parsed = parse_settings(one_booking_calendar(cmd.settings, agent.settings or {}))
        before = dict(agent.settings or {})
        agent.settings = settings_to_dict(parsed)
        await note_changes_in_convene(uow, agent.slug, before, agent.settings)
        agent.timezone = parsed.timezone
        await uow.agents.save(agent)
        await uow.commit()
        return agent.settings


def one_booking_calendar(submitted: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Bookings go to one calendar (the list's first). ``booking_calendar`` names it; a
    ``booking_calendars`` list of several is refused, unless it is the stored list sent back as it
    was (settings saved before this rule keep working until the agent picks one)."""
    data = dict(submitted)
    if "booking_calendar" in data:
        chosen = data.pop("booking_calendar")
        if not isinstance(chosen, str) or not chosen.strip():
            raise InvalidInput(
                "booking_calendar must name one calendar.", code="invalid_settings", field="booking_calendar"
            )
        data["booking_calendars"] = [chosen.strip()]
    several = data.get("booking_calendars")
    if isinstance(several, list) and len(several) > 1 and several != stored.get("booking_calendars"):
        raise InvalidInput(
            "Bookings go to one calendar: choose one (booking_calendar).",
            code="invalid_settings",
            field="booking_calendars",
        )
    return data


HANDLERS: dict[type[Any], Callable[..., Any]] = {
    c.BookMeeting: booking.book_meeting,
    # A meeting with a team (booked through an invitation) is checked for every member and room there;
    # a one-agent meeting goes on to bot.meetings.changes.
    c.RescheduleMeeting: team.reschedule_meeting,
    c.ChangeMeetingDuration: team.change_meeting_duration,
    c.CancelMeeting: changes.cancel_meeting,
    c.UpdateAgentSettings: update_agent_settings,
    c.IssueManageToken: manage_links.issue_manage_token_handler,
}


def register(runtime: Runtime) -> None:
    for command, handler in HANDLERS.items():
        runtime.bus.register(command, handler)
