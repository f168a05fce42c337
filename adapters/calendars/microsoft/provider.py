"""Microsoft 365 (Outlook calendars via Microsoft Graph) as a ``convene.calendars`` plugin.

Org-wide: one app registration with admin consent (application permissions Calendars.ReadWrite,
MailboxSettings.Read, User.Read.All) reads and writes every agent's mailbox; agents are matched to
Entra ID users by their primary email. No per-agent grant exists, so ``account.credentials`` is unused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from adapters.calendars.microsoft import busy as ms_busy
from adapters.calendars.microsoft import events as ms_events
from adapters.calendars.microsoft.auth import DEFAULT_AUTHORITY_URL, AppTokenSource, CABundleSession
from adapters.calendars.microsoft.graph import DEFAULT_GRAPH_URL, GraphClient
from adapters.calendars.retry import CalendarHTTPError, RetryPolicy
from adapters.calendars.timeutil import merge
from scheduling.calendar import CalendarAccount, CalendarRef, EventChange, EventSpec, Interval, WorkingHours
from scheduling.errors import CalendarDisconnected
from scheduling.windows_zones import to_iana

PROVIDER_NAME = "microsoft"
DAY_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


def _graph_root(graph_url: str) -> str:
    """The resource for the ``.default`` scope is the Graph host, without the version path."""
    scheme, _, rest = graph_url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _hhmm(value: str) -> str:
    return value[:5]  # Graph says "08:30:00.0000000"


class MicrosoftCalendarProvider:
    name = PROVIDER_NAME

    def __init__(
        self,
        config: Mapping[str, Any],
        policy: RetryPolicy | None = None,
        http_client: Any | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        graph_url = str(config.get("ms_graph_url") or DEFAULT_GRAPH_URL).rstrip("/")
        authority = str(config.get("ms_authority_url") or DEFAULT_AUTHORITY_URL).rstrip("/")
        if http_client is None and config.get("ms_ca_bundle"):
            # A private CA for the authority (tests, or an on-premises proxy).
            http_client = CABundleSession(str(config["ms_ca_bundle"]))
        self.policy = policy or RetryPolicy.from_config(config)
        self._tokens = AppTokenSource(
            str(config["ms_client_id"]),
            str(config["ms_client_secret"]),
            f"{authority}/{config['ms_tenant_id']}",
            f"{_graph_root(graph_url)}/.default",
            http_client=http_client,
        )
        self._graph = GraphClient(graph_url, self._tokens, self.policy)
        self._invite_attendees = str(config.get("ms_invite_attendees") or "").lower() in ("1", "true", "yes")
        self._now = now

    async def aclose(self) -> None:
        await self._graph.aclose()

    async def user_id(self, account: CalendarAccount) -> str:
        """The Entra ID object id for the agent's email, remembered in ``account.external_user_id``."""
        if account.external_user_id:
            return account.external_user_id
        try:
            user = await self._graph.request(
                account.email, "GET", f"users/{quote(account.email)}", params={"$select": "id,mail"}
            )
        except CalendarHTTPError as error:
            if error.status == 404:
                raise CalendarDisconnected(
                    None, f"no Microsoft 365 user has the email {account.email}", email=account.email
                ) from error
            raise
        account.external_user_id = str(user["id"])
        return account.external_user_id

    # -- the port ---------------------------------------------------------------------------------

    async def busy(
        self, account: CalendarAccount, calendars: Sequence[str], start: datetime, end: datetime
    ) -> list[Interval]:
        user_id = await self.user_id(account)
        intervals: list[Interval] = []
        for calendar_id in calendars or ["primary"]:
            if calendar_id.lower() in ms_events.DEFAULT_CALENDAR_ALIASES | {account.email.lower()}:
                found = await ms_busy.schedules(self._graph, user_id, [account.email], start, end)
                intervals.extend(found[account.email])
            else:
                intervals.extend(await ms_busy.calendar_view(self._graph, user_id, calendar_id, start, end))
        return merge(intervals, start, end)

    async def schedules(
        self, requester: CalendarAccount, emails: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[Interval]]:
        """Busy time of many mailboxes at once (a whole service), asked as ``requester``."""
        return await ms_busy.schedules(self._graph, await self.user_id(requester), emails, start, end)

    async def list_calendars(self, account: CalendarAccount) -> list[CalendarRef]:
        user_id = await self.user_id(account)
        params = {"$select": "id,name,canEdit,isDefaultCalendar", "$top": "100"}
        found: list[CalendarRef] = []
        async for page in self._graph.pages(user_id, f"users/{quote(user_id)}/calendars", params):
            found.extend(
                CalendarRef(
                    id=item["id"],
                    name=item.get("name") or item["id"],
                    primary=bool(item.get("isDefaultCalendar")),
                    writable=bool(item.get("canEdit")),
                )
                for item in page.get("value", [])
            )
        return found

    async def create_event(self, account: CalendarAccount, calendar_id: str, spec: EventSpec) -> str:
        user_id = await self.user_id(account)
        return await ms_events.create_event(self._graph, user_id, calendar_id, spec, self._invite_attendees)

    async def update_event(
        self, account: CalendarAccount, calendar_id: str, event_id: str, spec: EventSpec
    ) -> None:
        user_id = await self.user_id(account)
        await ms_events.update_event(
            self._graph, user_id, calendar_id, event_id, spec, self._invite_attendees
        )

    async def delete_event(self, account: CalendarAccount, calendar_id: str, event_id: str) -> None:
        await ms_events.delete_event(self._graph, await self.user_id(account), calendar_id, event_id)

    async def working_hours(self, account: CalendarAccount) -> WorkingHours | None:
        user_id = await self.user_id(account)
        settings = await self._graph.request(user_id, "GET", f"users/{quote(user_id)}/mailboxSettings")
        hours = settings.get("workingHours") or {}
        if not hours.get("daysOfWeek"):
            return None
        # Working hours are expressed in their own zone, which may differ from the mailbox's.
        zone = to_iana((hours.get("timeZone") or {}).get("name") or settings.get("timeZone"))
        span = (_hhmm(hours["startTime"]), _hhmm(hours["endTime"]))
        week = {DAY_NAMES[d.lower()]: [span] for d in hours["daysOfWeek"] if d.lower() in DAY_NAMES}
        return WorkingHours(timezone=zone, working_hours=week)

    async def link_event(self, account: CalendarAccount, ical_uid: str, line: str, marker: str) -> bool:
        """The assistant: ``line`` appended once to the event with this iCalendar UID (see ical_link)."""
        from adapters.calendars.microsoft.ical_link import link_event

        return await link_event(self._graph, await self.user_id(account), ical_uid, line, marker)

    # -- change pickup (a calendar-sync job) ------------------------------------------------------

    async def delta_changes(
        self, account: CalendarAccount, calendar_id: str, delta_link: str | None
    ) -> tuple[list[EventChange], str]:
        user_id = await self.user_id(account)
        return await ms_events.delta_changes(self._graph, user_id, calendar_id, delta_link, self._now)


def plugin(config: Mapping[str, Any]) -> MicrosoftCalendarProvider | None:
    if not all(config.get(key) for key in ("ms_client_id", "ms_client_secret", "ms_tenant_id")):
        return None
    return MicrosoftCalendarProvider(config)
