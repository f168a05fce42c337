"""Local stand-ins for the Microsoft identity platform (over HTTPS, as msal insists) and Graph."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiohttp import web

from .fakes import FakeServer


class FakeAuthority(FakeServer):
    """``/{tenant}/v2.0/.well-known/openid-configuration`` and the v2.0 token endpoint."""

    def __init__(self, tenant: str = "contoso-tenant") -> None:
        super().__init__()
        self.tenant = tenant
        self.client_id = "ms-client"
        self.client_secret = "ms-secret"
        self.issued = 0

    def make_app(self) -> web.Application:
        app = super().make_app()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self.openid_configuration)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        return app

    async def openid_configuration(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if tenant != self.tenant:
            return web.json_response({"error": "invalid_tenant"}, status=400)
        base = f"{self.base_url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                status=401,
            )
        if form.get("grant_type") != "client_credentials" or not str(form.get("scope", "")).endswith(
            "/.default"
        ):
            return web.json_response({"error": "invalid_request"}, status=400)
        self.issued += 1
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": f"graph-{self.issued}",
            }
        )


class FakeGraph(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, str] = {}  # email -> id
        self.schedule_items: dict[str, list[dict[str, Any]]] = {}
        self.schedule_errors: set[str] = set()
        self.mailbox_settings: dict[str, dict[str, Any]] = {}
        self.calendars: dict[str, list[dict[str, Any]]] = {}
        self.view_events: dict[str, list[dict[str, Any]]] = {}  # calendar id -> events
        self.created: dict[str, dict[str, Any]] = {}
        self.delta_rounds: dict[str, list[dict[str, Any]]] = {}  # delta token -> items
        self.reject_tokens = False
        self.in_flight = 0
        self.max_in_flight = 0
        self.handler_delay = 0.0
        self._ids = itertools.count(1)

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._auth])
        r = app.router
        r.add_get("/v1.0/users/{user}", self.user)
        r.add_post("/v1.0/users/{user}/calendar/getSchedule", self.get_schedule)
        r.add_get("/v1.0/users/{user}/mailboxSettings", self.mailbox)
        r.add_get("/v1.0/users/{user}/calendars", self.calendar_list)
        r.add_get("/v1.0/users/{user}/calendars/{cal}/calendarView", self.calendar_view)
        r.add_get("/v1.0/users/{user}/calendars/{cal}/calendarView/delta", self.delta)
        r.add_get("/v1.0/users/{user}/calendar/calendarView/delta", self.delta)  # the default calendar
        r.add_post("/v1.0/users/{user}/calendars/{cal}/events", self.create)
        r.add_post("/v1.0/users/{user}/calendar/events", self.create)
        r.add_patch("/v1.0/users/{user}/calendars/{cal}/events/{eid}", self.patch)
        r.add_delete("/v1.0/users/{user}/calendars/{cal}/events/{eid}", self.delete)
        r.add_patch("/v1.0/users/{user}/calendar/events/{eid}", self.patch)  # the default calendar
        r.add_delete("/v1.0/users/{user}/calendar/events/{eid}", self.delete)
        r.add_get("/v1.0/users/{user}/events", self.events_by_filter)
        r.add_patch("/v1.0/users/{user}/events/{eid}", self.patch)
        return app

    async def events_by_filter(self, request: web.Request) -> web.Response:
        """Only the filter the assistant uses: ``iCalUId eq '…'`` (quotes doubled inside)."""
        wanted = (
            request.query.get("$filter", "").removeprefix("iCalUId eq '").removesuffix("'").replace("''", "'")
        )
        found = [{**e, "id": eid} for eid, e in self.created.items() if e.get("iCalUId") == wanted]
        return web.json_response({"value": found})

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.reject_tokens or not request.headers.get("Authorization", "").startswith("Bearer graph-"):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.handler_delay:
                await asyncio.sleep(self.handler_delay)
            return await handler(request)
        finally:
            self.in_flight -= 1

    async def user(self, request: web.Request) -> web.Response:
        email = request.match_info["user"].lower()
        if email not in self.users:
            return web.json_response({"error": {"code": "Request_ResourceNotFound"}}, status=404)
        return web.json_response({"id": self.users[email], "mail": email})

    async def get_schedule(self, request: web.Request) -> web.Response:
        body = await request.json()
        value = []
        for email in body["schedules"]:
            if email in self.schedule_errors:
                value.append(
                    {"scheduleId": email, "error": {"message": "mailbox not found", "responseCode": "Error"}}
                )
            else:
                value.append(
                    {
                        "scheduleId": email,
                        "availabilityView": "",
                        "scheduleItems": self.schedule_items.get(email, []),
                    }
                )
        return web.json_response({"value": value})

    async def mailbox(self, request: web.Request) -> web.Response:
        return web.json_response(self.mailbox_settings[request.match_info["user"]])

    async def calendar_list(self, request: web.Request) -> web.Response:
        return web.json_response({"value": self.calendars.get(request.match_info["user"], [])})

    async def calendar_view(self, request: web.Request) -> web.Response:
        events = self.view_events.get(request.match_info["cal"], [])
        skip = int(request.query.get("$skip", "0"))
        body: dict[str, Any] = {"value": events[skip : skip + 2]}
        if skip + 2 < len(events):
            body["@odata.nextLink"] = str(request.url.update_query({"$skip": str(skip + 2)}))
        return web.json_response(body)

    async def delta(self, request: web.Request) -> web.Response:
        token = request.query.get("$deltatoken")
        base = str(request.url.with_query(None))
        if token == "expired":
            return web.json_response({"error": {"code": "SyncStateNotFound"}}, status=410)
        if token is None and "$skiptoken" not in request.query:
            return web.json_response(
                {
                    "value": self.delta_rounds.get("initial-1", []),
                    "@odata.nextLink": f"{base}?$skiptoken=page2",
                }
            )
        if token is None:
            return web.json_response(
                {
                    "value": self.delta_rounds.get("initial-2", []),
                    "@odata.deltaLink": f"{base}?$deltatoken=d1",
                }
            )
        return web.json_response(
            {"value": self.delta_rounds.get(token, []), "@odata.deltaLink": f"{base}?$deltatoken=d2"}
        )

    async def create(self, request: web.Request) -> web.Response:
        body = await request.json()
        event_id = f"AAMk-{next(self._ids)}"
        self.created[event_id] = body
        return web.json_response({**body, "id": event_id}, status=201)

    async def patch(self, request: web.Request) -> web.Response:
        eid = request.match_info["eid"]
        if eid not in self.created:
            return web.json_response({"error": {"code": "ErrorItemNotFound"}}, status=404)
        self.created[eid].update(await request.json())
        return web.json_response({**self.created[eid], "id": eid})

    async def delete(self, request: web.Request) -> web.Response:
        if self.created.pop(request.match_info["eid"], None) is None:
            return web.json_response({"error": {"code": "ErrorItemNotFound"}}, status=404)
        return web.Response(status=204)
