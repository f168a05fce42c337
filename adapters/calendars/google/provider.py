"""Google Calendar as a ``convene.calendars`` plugin (entry point ``google``).

Each agent connects with their own OAuth grant (see ``google_oauth``); the engine keeps the
credentials dict encrypted and hands it back in ``CalendarAccount.credentials``. Or, for a Google
Workspace organisation, an admin activates everyone at once through a service account with
domain-wide delegation (see ``workspace``): such accounts carry no grant at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters.calendars.google import busy as google_busy
from adapters.calendars.google import events as google_events
from adapters.calendars.google import oauth as google_oauth
from adapters.calendars.google.client import GoogleClient, calendar_call
from adapters.calendars.retry import RetryPolicy
from scheduling.calendar import CalendarAccount, CalendarRef, EventChange, EventSpec, Interval, WorkingHours

PROVIDER_NAME = "google"
WRITABLE_ROLES = frozenset({"owner", "writer"})


class GoogleCalendarProvider:
    name = PROVIDER_NAME

    def __init__(self, config: Mapping[str, Any], policy: RetryPolicy | None = None) -> None:
        self._config = dict(config)
        self.policy = policy or RetryPolicy.from_config(config)
        self._client = GoogleClient(self._config, self.policy)

    # -- connecting (called from the web route that starts and ends the OAuth dance) --------------

    def authorization_url(
        self, redirect_uri: str, state: str, login_hint: str | None = None
    ) -> tuple[str, str]:
        """(URL to redirect the agent to, PKCE verifier to keep with ``state`` until the callback)."""
        return google_oauth.authorization_url(self._config, redirect_uri, state, login_hint)

    @property
    def oauth_configured(self) -> bool:
        """A client ID and secret are set: agents can connect their own Google account."""
        return bool(self._config.get("google_client_id") and self._config.get("google_client_secret"))

    @property
    def workspace_configured(self) -> bool:
        """A service account key with domain-wide delegation is set (``activate-google`` can run)."""
        return self._client.delegation_configured

    async def check_delegated(self, email: str) -> None:
        """Raises (``CalendarDisconnected`` with the reason) unless the agent's calendar is reachable
        through domain-wide delegation."""
        from adapters.calendars.google.workspace import WORKSPACE

        account = CalendarAccount(agent_slug="", email=email, external_user_id=WORKSPACE)
        await self._client.execute(
            account, calendar_call("calendarList", "list", maxResults=1), "calendarList.list"
        )

    async def exchange_code(self, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
        """The credentials dict to store (encrypted) in the agent's ``CalendarAccount``."""
        return await google_oauth.exchange_code(self._config, code, code_verifier, redirect_uri)

    # -- the port ---------------------------------------------------------------------------------

    async def busy(
        self, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
    ) -> list[Interval]:
        return await google_busy.busy(self._client, account, calendars, start, end)

    async def freebusy(
        self, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
    ) -> list[Interval]:
        """Plain ``freebusy.query`` (counts unanswered invitations as busy); ``busy`` uses it only for
        calendars whose events cannot be read."""
        return await google_busy.freebusy_busy(self._client, account, calendars, start, end)

    async def list_calendars(self, account: CalendarAccount) -> list[CalendarRef]:
        found: list[CalendarRef] = []
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {"maxResults": 250}
            if page_token:
                params["pageToken"] = page_token
            page = await self._client.execute(
                account, calendar_call("calendarList", "list", **params), "calendarList.list"
            )
            found.extend(
                CalendarRef(
                    id=item["id"],
                    name=item.get("summaryOverride") or item.get("summary") or item["id"],
                    primary=bool(item.get("primary")),
                    writable=item.get("accessRole") in WRITABLE_ROLES,
                )
                for item in page.get("items", [])
                if not item.get("deleted")
            )
            page_token = page.get("nextPageToken")
            if not page_token:
                return found

    async def create_event(self, account: CalendarAccount, calendar_id: str, spec: EventSpec) -> str:
        return await google_events.create_event(self._client, account, calendar_id, spec)

    async def update_event(
        self, account: CalendarAccount, calendar_id: str, event_id: str, spec: EventSpec
    ) -> None:
        await google_events.update_event(self._client, account, calendar_id, event_id, spec)

    async def delete_event(self, account: CalendarAccount, calendar_id: str, event_id: str) -> None:
        await google_events.delete_event(self._client, account, calendar_id, event_id)

    async def working_hours(self, account: CalendarAccount) -> WorkingHours | None:
        """Google Workspace (delegated) accounts: the Calendar settings' time zone, with no working
        hours — the Calendar API does not expose Google's working hours. Per-agent OAuth grants do not
        include the settings scope: None."""
        from adapters.calendars.google.workspace import WORKSPACE

        if account.external_user_id != WORKSPACE:
            return None
        setting = await self._client.execute(
            account, calendar_call("settings", "get", setting="timezone"), "settings.get"
        )
        zone = str(setting.get("value") or "")
        return WorkingHours(timezone=zone, working_hours={}) if zone else None

    async def link_event(self, account: CalendarAccount, ical_uid: str, line: str, marker: str) -> bool:
        """The assistant: ``line`` appended once to the event with this iCalendar UID (see ical_link)."""
        from adapters.calendars.google.ical_link import link_event

        return await link_event(self._client, account, ical_uid, line, marker)

    # -- change pickup (a calendar-sync job) ------------------------------------------------------

    async def sync_changes(
        self, account: CalendarAccount, calendar_id: str, sync_token: str | None
    ) -> tuple[list[EventChange], str]:
        return await google_events.sync_changes(self._client, account, calendar_id, sync_token)


def plugin(config: Mapping[str, Any]) -> GoogleCalendarProvider | None:
    oauth = config.get("google_client_id") and config.get("google_client_secret")
    workspace = config.get("google_service_account_file") or config.get("google_service_account_json")
    if not (oauth or workspace):
        return None
    return GoogleCalendarProvider(config)
