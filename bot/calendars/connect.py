"""Connecting calendars: an agent's own Google grant (OAuth web flow with ``state`` and PKCE), the
organisation-wide Microsoft 365 activation, and the list of calendars to choose from.

Network calls (token exchange, Graph look-ups) happen between short transactions, never inside one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.calendars.connections import after_connect
from bot.calendars.outlook_settings import GOOGLE_WORKSPACE
from bot.calendars.sources import LOCAL, calendar_unavailable, require_profile
from bot.errors import InvalidInput, NotFound, Unavailable, from_scheduling
from bot.tokens import new_token, token_hash
from scheduling.agent_settings import parse_settings, settings_to_dict
from scheduling.calendar import CalendarAccount, WorkingHours
from scheduling.errors import SchedulingError

log = logging.getLogger(__name__)
STATE_KIND = "oauth_state"
STATE_LIFETIME = timedelta(minutes=15)
CALLBACK_PATH = "/calendar/google/callback"


def provider_or_refuse(runtime: Any, name: str) -> Any:
    provider = runtime.calendars.get(name)
    if provider is None:
        labels = {"google": "Google Calendar", "microsoft": "Microsoft 365"}
        raise Unavailable(
            f"{labels.get(name, name)} is not set up on this server.", code="calendar_not_configured"
        )
    return provider


def redirect_uri(runtime: Any) -> str:
    return str(runtime.settings.base_url) + CALLBACK_PATH


# -- Google: the agent's own grant ------------------------------------------------------------------


async def start_google_connect(runtime: Any, agent_slug: str) -> str:
    """Where to send the agent's browser. ``state`` (random, one-time, expiring, bound to the agent)
    and the PKCE verifier stay on the server until Google sends the browser back."""
    provider = provider_or_refuse(runtime, "google")
    if not getattr(provider, "oauth_configured", True):  # Workspace delegation only on this server
        raise Unavailable(
            "Connecting a personal Google account is not set up on this server.",
            code="calendar_not_configured",
        )
    async with runtime.uow(read_only=True) as read:
        agent = await read.agents.get(agent_slug)
    if agent is None:
        raise NotFound(f"There is no agent called {agent_slug!r}.", code="unknown_agent")
    state = new_token()
    url, verifier = provider.authorization_url(redirect_uri(runtime), state, login_hint=agent.email)
    subject = json.dumps({"agent": agent.slug, "verifier": verifier}, separators=(",", ":"))
    async with runtime.uow() as uow:
        await uow.tokens.add(token_hash(state), STATE_KIND, subject, runtime.clock.now() + STATE_LIFETIME)
        await uow.commit()
    return str(url)


async def finish_google_connect(runtime: Any, code: str | None, state: str | None, error: str | None) -> str:
    """The callback: the state is used up first (a replayed callback stores nothing), then the code
    is exchanged outside any transaction, then the grant is stored encrypted. Returns the agent."""
    subject = None
    if state:
        async with runtime.uow() as uow:
            subject = await uow.tokens.consume(token_hash(state), STATE_KIND, runtime.clock.now())
            await uow.commit()
    if subject is None:
        raise InvalidInput(
            "This connection attempt is unknown, used or expired. Start again from Convene.",
            code="invalid_state",
        )
    if error or not code:
        raise InvalidInput(f"Google did not grant access ({error or 'no code'}).", code="access_denied")
    data = json.loads(subject)
    provider = provider_or_refuse(runtime, "google")
    try:
        credentials = await provider.exchange_code(code, data["verifier"], redirect_uri(runtime))
    except SchedulingError as failure:
        raise from_scheduling(failure) from failure
    async with runtime.uow() as uow:
        agent = await uow.agents.get(data["agent"])
        if agent is None:
            raise NotFound("The agent no longer exists.", code="unknown_agent")
        await uow.calendar_connections.connect(
            agent.slug, "google", account_email=agent.email, credentials=credentials
        )
        await after_connect(uow, agent.slug, runtime.clock.now())
        await uow.commit()
    return str(data["agent"])


# -- Microsoft 365: organisation-wide -----------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    agent: str
    email: str
    connected: bool
    detail: str  # what happened, for the CLI and the API answer


def prefilled(settings: dict[str, Any], hours: WorkingHours) -> dict[str, Any] | None:
    """The agent's settings with Outlook's working days/hours and time zone; the lunch break is kept
    (Outlook has none) unless it no longer lies inside the working day. None: nothing usable."""
    merged = dict(settings)
    merged["timezone"] = hours.timezone
    merged["working_hours"] = {day: [list(r) for r in ranges] for day, ranges in hours.working_hours.items()}
    merged.setdefault("lunch_break", ["13:00", "14:00"])
    for candidate in (merged, {**merged, "lunch_break": None}):
        try:
            return settings_to_dict(parse_settings(candidate))
        except SchedulingError:
            continue
    return None


async def activate_microsoft(
    runtime: Any, emails: list[str] | None = None, *, prefill: bool = True
) -> list[Activation]:
    """Matches agents to Entra ID users by primary email and connects them. With ``prefill`` (the
    default) their working days/hours and time zone are taken from Outlook's mailbox settings."""
    provider = provider_or_refuse(runtime, "microsoft")
    wanted = {e.lower() for e in emails} if emails else None
    async with runtime.uow(read_only=True) as read:
        agents = [a for a in await read.agents.list() if wanted is None or a.email.lower() in wanted]
    results: list[Activation] = []
    for agent in agents:
        account = CalendarAccount(agent_slug=agent.slug, email=agent.email)
        try:
            user_id = await provider.user_id(account)
            hours = await provider.working_hours(account) if prefill else None
        except SchedulingError as failure:
            results.append(Activation(agent.slug, agent.email, False, failure.message))
            continue
        detail = "connected"
        async with runtime.uow() as uow:
            await uow.calendar_connections.connect(
                agent.slug, "microsoft", account_email=agent.email, external_user_id=user_id
            )
            stored = await uow.agents.get(agent.slug)
            new_settings = prefilled(dict(stored.settings or {}), hours) if hours else None
            if new_settings is not None:
                stored.settings = new_settings
                stored.timezone = new_settings["timezone"]
                await uow.agents.save(stored)
                detail = f"connected; working hours and time zone ({hours.timezone}) from Outlook"  # type: ignore[union-attr]
            await after_connect(uow, agent.slug, runtime.clock.now())
            await uow.commit()
        results.append(Activation(agent.slug, agent.email, True, detail))
    if wanted is not None:
        found = {a.email.lower() for a in agents}
        results += [Activation("", e, False, "no agent has this email") for e in sorted(wanted - found)]
    return results


# -- Google Workspace: organisation-wide (service account, domain-wide delegation) ----------------------


async def activate_google(runtime: Any, emails: list[str] | None = None) -> list[Activation]:
    """Matches agents to Workspace users by primary email: each one whose calendar answers through
    delegation gets a ``google`` connection of kind google-workspace; the others are skipped with why."""
    provider = provider_or_refuse(runtime, "google")
    if not getattr(provider, "workspace_configured", False):
        raise Unavailable(
            "Google Workspace delegation is not set up on this server (CONVENE_GOOGLE_SERVICE_ACCOUNT_FILE).",
            code="calendar_not_configured",
        )
    wanted = {e.lower() for e in emails} if emails else None
    async with runtime.uow(read_only=True) as read:
        agents = [a for a in await read.agents.list() if wanted is None or a.email.lower() in wanted]
    results: list[Activation] = []
    for agent in agents:
        try:
            await provider.check_delegated(agent.email)
        except SchedulingError as failure:
            results.append(Activation(agent.slug, agent.email, False, failure.message))
            continue
        async with runtime.uow() as uow:
            await uow.calendar_connections.connect(
                agent.slug, "google", account_email=agent.email, external_user_id=GOOGLE_WORKSPACE
            )
            await after_connect(uow, agent.slug, runtime.clock.now())
            await uow.commit()
        results.append(Activation(agent.slug, agent.email, True, "connected through domain-wide delegation"))
    if wanted is not None:
        found = {a.email.lower() for a in agents}
        results += [Activation("", e, False, "no agent has this email") for e in sorted(wanted - found)]
    return results


# -- choosing calendars ----------------------------------------------------------------------------------


async def agent_calendars(runtime: Any, agent_slug: str) -> dict[str, Any]:
    """The agent's calendars, marked with those bookings go to and those checked for busy time."""
    async with runtime.uow(read_only=True) as read:
        profile = await require_profile(read, agent_slug)
    provider = runtime.calendars.get(profile.provider)
    if profile.broken or (provider is None and profile.provider != LOCAL):
        raise calendar_unavailable(agent_slug)
    try:
        found = await provider.list_calendars(profile.account) if provider is not None else []
    except SchedulingError as failure:
        raise (
            calendar_unavailable(agent_slug)
            if failure.code.startswith("calendar")
            else from_scheduling(failure)
        ) from failure
    booking, busy = profile.settings.booking_calendars, profile.settings.busy_calendars

    def chosen(ref: Any, names: tuple[str, ...]) -> bool:
        return ref.id in names or (ref.primary and "primary" in names)

    return {
        "provider": profile.provider,
        "calendars": [
            {
                "id": c.id,
                "name": c.name,
                "primary": c.primary,
                "writable": c.writable,
                "booking": chosen(c, booking),
                "busy": chosen(c, busy),
            }
            for c in found
        ],
    }
