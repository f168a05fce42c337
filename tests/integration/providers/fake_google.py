"""A local stand-in for Google's OAuth token endpoint and Calendar API v3 (the JSON they speak).

The token endpoint also takes a service account's jwt-bearer grant (domain-wide delegation): the
assertion's RS256 signature is checked against the test key pair's public key, and its ``iss``,
``aud``, ``sub`` (the user acted as) and ``scope`` are checked as Google would."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import jwt
from aiohttp import web

from adapters.calendars.google.oauth import DEFAULT_TOKEN_URL, SCOPES
from adapters.calendars.google.workspace import WORKSPACE_SCOPES

from .fakes import FakeServer

API = "/calendar/v3"


def _overlaps(event: dict[str, Any], time_min: str | None, time_max: str | None) -> bool:
    start = event.get("start", {}).get("dateTime")
    end = event.get("end", {}).get("dateTime")
    if not (start and end and time_min and time_max):
        return True  # all-day or unbounded: let the client sort it out, as Google would include it
    lo, hi = datetime.fromisoformat(time_min), datetime.fromisoformat(time_max)
    s, e = datetime.fromisoformat(start), datetime.fromisoformat(end)
    if s.tzinfo is None:  # naive + timeZone: good enough for the fake to keep it
        return True
    return s < hi and e > lo


class FakeGoogle(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.client_id = "google-client"
        self.client_secret = "google-secret"
        self.valid_codes = {"good-code"}
        self.revoked_refresh_tokens = {"revoked-refresh"}
        self.access_tokens = {"valid-token"}
        self._token_numbers = itertools.count(1)
        self.calendar_list: list[dict[str, Any]] = []
        self.calendar_zones: dict[str, str] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.unlistable: set[str] = set()  # calendars whose events.list answers 404 (free/busy only)
        self.freebusy: dict[str, list[dict[str, str]]] = {}
        self.freebusy_errors: set[str] = set()
        self.page_size = 1000
        self.granted_scope = " ".join(SCOPES)  # scope names are identifiers, never addresses we call
        # sync: token -> (items to return, next token); "expired" answers 410
        self.sync_pages: dict[str, tuple[list[dict[str, Any]], str]] = {}
        # domain-wide delegation: the service account's public key (PEM) and who may be acted as
        self.service_account_email = ""
        self.service_account_public_key = b""
        self.workspace_users: set[str] = set()
        self.delegation_refused: set[str] = set()  # users the admin did not allow (unauthorized_client)
        self.delegated_scopes: set[str] = set(WORKSPACE_SCOPES)
        self.user_settings: dict[str, dict[str, str]] = {}  # user -> Calendar settings (timezone, …)
        self.delegated_tokens: dict[str, str] = {}  # access token -> user it acts as
        self.jwt_grants: list[dict[str, Any]] = []  # verified assertions' claims, in order

    def make_app(self) -> web.Application:
        app = super().make_app()
        app.router.add_post("/token", self.token)
        app.router.add_get(f"{API}/users/me/calendarList", self.calendar_list_handler)
        app.router.add_get(API + "/calendars/{cal}/events", self.events_list)
        app.router.add_post(API + "/calendars/{cal}/events", self.events_insert)
        app.router.add_patch(API + "/calendars/{cal}/events/{eid}", self.events_patch)
        app.router.add_delete(API + "/calendars/{cal}/events/{eid}", self.events_delete)
        app.router.add_post(f"{API}/freeBusy", self.freebusy_query)
        app.router.add_get(API + "/users/me/settings/{setting}", self.settings_get)
        return app

    # -- OAuth ------------------------------------------------------------------------------------

    def _new_access_token(self) -> str:
        token = f"access-{next(self._token_numbers)}"
        self.access_tokens.add(token)
        return token

    async def _jwt_bearer(self, request: web.Request, assertion: str) -> web.Response:
        def refused(error: str, description: str, status: int = 401) -> web.Response:
            return web.json_response({"error": error, "error_description": description}, status=status)

        try:
            claims = jwt.decode(
                assertion,
                self.service_account_public_key,
                algorithms=["RS256"],
                # google-auth always addresses the assertion to Google's token endpoint, as Google expects
                audience=DEFAULT_TOKEN_URL,
                issuer=self.service_account_email,
                options={"require": ["iss", "aud", "exp", "iat", "scope", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            return refused("invalid_grant", f"Invalid JWT: {error}", status=400)
        user = str(claims["sub"]).lower()
        if user not in self.workspace_users:
            return refused("invalid_grant", "Invalid email or User ID", status=400)
        if user in self.delegation_refused or not set(str(claims["scope"]).split()) <= self.delegated_scopes:
            return refused(
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, "
                "or client not authorized for any of the scopes requested.",
            )
        self.jwt_grants.append(claims)
        token = self._new_access_token()
        self.delegated_tokens[token] = user
        return web.json_response({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def expire_access_tokens(self) -> None:
        """Every token issued so far stops working (as an hour passing would)."""
        self.access_tokens.clear()

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return await self._jwt_bearer(request, str(form.get("assertion", "")))
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("grant_type") == "authorization_code":
            if form.get("code") not in self.valid_codes or not form.get("code_verifier"):
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Bad code"}, status=400
                )
            return web.json_response(
                {
                    "access_token": self._new_access_token(),
                    "refresh_token": "refresh-1",
                    "expires_in": 3599,
                    "token_type": "Bearer",
                    "scope": self.granted_scope,
                }
            )
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") in self.revoked_refresh_tokens:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
                    status=400,
                )
            return web.json_response(
                {"access_token": self._new_access_token(), "expires_in": 3599, "token_type": "Bearer"}
            )
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "").removeprefix("Bearer ") in self.access_tokens

    def _unauthorized(self) -> web.Response:
        return web.json_response({"error": {"code": 401, "message": "Invalid Credentials"}}, status=401)

    # -- Calendar v3 ------------------------------------------------------------------------------

    async def calendar_list_handler(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        return web.json_response({"kind": "calendar#calendarList", "items": self.calendar_list})

    async def events_list(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        cal = request.match_info["cal"]
        if cal in self.unlistable:
            return web.json_response({"error": {"code": 404, "message": "Not Found"}}, status=404)
        zone = self.calendar_zones.get(cal, "UTC")
        q = request.query
        if (
            "iCalUID" in q
        ):  # the event an organiser made, by its iCalendar UID (the series and its exceptions)
            found = [e for e in self.events.get(cal, []) if e.get("iCalUID") == q["iCalUID"]]
            return web.json_response({"kind": "calendar#events", "timeZone": zone, "items": found})
        if "syncToken" in q or "timeMin" not in q:
            token = q.get("syncToken", "")
            if token == "expired":
                return web.json_response(
                    {"error": {"code": 410, "errors": [{"reason": "fullSyncRequired"}]}}, status=410
                )
            items, next_token = self.sync_pages.get(token, (self.events.get(cal, []), "sync-full"))
            return web.json_response({"timeZone": zone, "items": items, "nextSyncToken": next_token})
        items = [e for e in self.events.get(cal, []) if _overlaps(e, q.get("timeMin"), q.get("timeMax"))]
        offset = int(q.get("pageToken", "0"))
        page = items[offset : offset + self.page_size]
        body: dict[str, Any] = {"kind": "calendar#events", "timeZone": zone, "items": page}
        if offset + self.page_size < len(items):
            body["nextPageToken"] = str(offset + self.page_size)
        return web.json_response(body)

    async def events_insert(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        cal = request.match_info["cal"]
        body = await request.json()
        existing = self.events.setdefault(cal, [])
        if any(e["id"] == body.get("id") for e in existing):
            return web.json_response(
                {"error": {"code": 409, "errors": [{"reason": "duplicate"}]}}, status=409
            )
        event = {**body, "id": body.get("id") or f"evt{len(existing)}", "status": "confirmed"}
        existing.append(event)
        return web.json_response(event)

    async def events_patch(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        for event in self.events.get(request.match_info["cal"], []):
            if event["id"] == request.match_info["eid"]:
                event.update(await request.json())
                return web.json_response(event)
        return web.json_response({"error": {"code": 404, "message": "Not Found"}}, status=404)

    async def events_delete(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        events = self.events.get(request.match_info["cal"], [])
        for event in events:
            if event["id"] == request.match_info["eid"] and event.get("status") != "cancelled":
                event["status"] = "cancelled"
                return web.Response(status=204)
        return web.json_response({"error": {"code": 410, "message": "Resource has been deleted"}}, status=410)

    async def settings_get(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = self.delegated_tokens.get(token, "")
        name = request.match_info["setting"]
        value = self.user_settings.get(user, {}).get(name)
        if value is None:
            return web.json_response({"error": {"code": 404, "message": "Not Found"}}, status=404)
        return web.json_response({"kind": "calendar#setting", "id": name, "value": value})

    async def freebusy_query(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        body = await request.json()
        calendars: dict[str, Any] = {}
        for item in body["items"]:
            cal = item["id"]
            if cal in self.freebusy_errors:
                calendars[cal] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
            else:
                calendars[cal] = {"busy": self.freebusy.get(cal, [])}
        return web.json_response(
            {
                "kind": "calendar#freeBusy",
                "timeMin": body["timeMin"],
                "timeMax": body["timeMax"],
                "calendars": calendars,
            }
        )
