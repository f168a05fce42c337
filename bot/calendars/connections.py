"""Agents' connections to Google Calendar and Microsoft 365, as the engine sees them.

Every remote provider is wrapped once at start-up (``ConnectedCalendar``) so that, wherever it is
called from (slots, booking, the calendar jobs, the settings page):

- refreshed credentials are persisted (encrypted by storage) through ``account.save_credentials``;
- a revoked or expired grant (``CalendarDisconnected``) marks the connection broken and tells the agent
  once, by mail; from then on ``fetch_busy`` treats the agent as unreadable without asking the provider,
  so their slots are not offered, until they reconnect.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.calendars.links import connect_link
from bot.calendars.sources import LOCAL
from bot.events import Event
from bot.meetings.effects import CALENDAR_JOB
from bot.meetings.model import CalendarConnection
from bot.ports import UnitOfWork
from scheduling import errors
from scheduling.calendar import CalendarAccount

log = logging.getLogger(__name__)
REMOTE = ("google", "microsoft")
# Port methods whose first argument is the agent's account (``schedules`` asks as a requester).
ACCOUNT_METHODS = frozenset(
    {
        "busy",
        "freebusy",
        "schedules",
        "list_calendars",
        "create_event",
        "update_event",
        "delete_event",
        "working_hours",
        "sync_changes",
        "delta_changes",
        "user_id",
    }
)
EMAIL_LINK_HOURS = 24


@dataclass(frozen=True, kw_only=True)
class CalendarConnectionBroken(Event):
    """Not about a conversation: mailed to the agent, whose slots are withheld until they reconnect."""

    conversation_id: str = ""
    agent: str
    agent_name: str
    agent_email: str
    provider: str
    reason: str
    reconnect_url: str

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [("email", {"email": self.agent_email, "name": self.agent_name, "role": "agent"})]


class ConnectedCalendar:
    """A remote provider plus the engine's bookkeeping around each call (see the module doc)."""

    def __init__(self, provider: Any, runtime: Any) -> None:
        self.provider = provider
        self._runtime = runtime

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.provider, name)
        if name not in ACCOUNT_METHODS:
            return attr

        async def call(account: CalendarAccount, *args: Any, **kwargs: Any) -> Any:
            if account.save_credentials is None:
                account.save_credentials = self._saver(account.agent_slug)
            try:
                return await attr(account, *args, **kwargs)
            except errors.CalendarDisconnected as error:
                await mark_broken(self._runtime, account.agent_slug, self.provider.name, error.message)
                raise

        return call

    def _saver(self, agent: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def save(credentials: dict[str, Any]) -> None:
            # Its own short transaction: providers refresh outside ours (no HTTP under a write lock).
            async with self._runtime.uow() as uow:
                await uow.calendar_connections.save_credentials(agent, self.provider.name, credentials)
                await uow.commit()

        return save


def install(runtime: Any) -> None:
    """Wraps the remote providers in place: ``runtime.calendars`` is the very dict the bus, the jobs
    and the web adapter look providers up in."""
    for name in REMOTE:
        provider = runtime.calendars.get(name)
        if provider is not None and not isinstance(provider, ConnectedCalendar):
            runtime.calendars[name] = ConnectedCalendar(provider, runtime)


async def mark_broken(runtime: Any, agent_slug: str, provider: str, reason: str) -> bool:
    async with runtime.uow() as uow:
        if not await uow.calendar_connections.mark_broken(agent_slug, provider):
            return False  # already broken (or never connected): the agent was told already
        agent = await uow.agents.get(agent_slug)
        if agent is not None:
            uow.record(
                CalendarConnectionBroken(
                    agent=agent.slug,
                    agent_name=agent.name,
                    agent_email=agent.email,
                    provider=provider,
                    reason=reason,
                    reconnect_url=reconnect_url(runtime, agent.slug, provider),
                )
            )
        await uow.commit()
    log.warning("calendar connection of %s (%s) is broken: %s", agent_slug, provider, reason)
    return True


def reconnect_url(runtime: Any, agent_slug: str, provider: str) -> str:
    if provider == "google":
        return connect_link(runtime.settings, agent_slug, runtime.clock.now(), hours=EMAIL_LINK_HOURS)
    return f"{runtime.settings.base_url}/inbox"  # Microsoft: re-activate from the inbox (or the admin)


async def after_connect(uow: UnitOfWork, agent_slug: str, now: datetime) -> None:
    """A (re)connected calendar picks up changes from now on and receives the agent's upcoming
    meetings (those booked while it was away or broken); creating is idempotent per meeting."""
    from bot.calendars.sync import arm_sync

    await arm_sync(uow, agent_slug, now)
    for meeting_id in await uow.calendar_connections.upcoming_meeting_ids(agent_slug, now):
        await uow.jobs.schedule(CALENDAR_JOB, now, {"meeting_id": meeting_id})


async def disconnect(runtime: Any, agent_slug: str) -> bool:
    """Back to the built-in calendar. Events already written stay in the remote calendar."""
    from bot.calendars.sync import disarm_sync

    async with runtime.uow() as uow:
        removed = await uow.calendar_connections.remove(agent_slug)
        await disarm_sync(uow, agent_slug)
        await uow.commit()
    return bool(removed)


def status_json(connection: CalendarConnection | None) -> dict[str, Any]:
    """What the inbox shows: which calendar, and whether it needs reconnecting."""
    if connection is None:
        return {"provider": LOCAL, "status": "ok", "account_email": None}
    return {
        "provider": connection.provider,
        "status": connection.status,
        "account_email": connection.account_email,
    }


async def connection_status(runtime: Any, agent_slug: str) -> dict[str, Any]:
    async with runtime.uow(read_only=True) as read:
        return status_json(await read.calendar_connections.get(agent_slug))


def register(runtime: Any) -> None:
    """Wraps the remote providers once, before anything calls them (see the module doc)."""
    install(runtime)
