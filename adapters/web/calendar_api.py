"""Calendar connections over HTTP: the Google OAuth round trip (browser pages), Microsoft 365
self-activation, the agent's calendar list, disconnecting. Translation only: ``bot.calendars.connect``
holds the rules."""

from __future__ import annotations

import html

from aiohttp import web

from adapters.web.auth import RUNTIME, bearer, current_agent
from adapters.web.openapi import AGENT, documented
from bot import sessions
from bot.calendars import connect, connections
from bot.calendars.links import agent_of_link, connect_link
from bot.errors import DomainError, Unauthorized

routes = web.RouteTableDef()


def page(title: str, text: str, status: int = 200) -> web.Response:
    """A small page the browser lands on after Google; all text escaped."""
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<meta name='viewport' content='width=device-width'>"
        "<link rel='stylesheet' href='/static/notice.css'></head><body>"  # no inline style: the CSP
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p><p><a href='/inbox'>Back to the inbox</a></p></body></html>"
    )
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _connecting_agent(request: web.Request) -> str:
    runtime = request.app[RUNTIME]
    link = request.query.get("link")
    if link:
        return agent_of_link(runtime.settings.secret_key, link, runtime.clock.now())
    if bearer(request) is None:
        raise Unauthorized("Open this page from Convene (the inbox, Slack or Teams).", code="invalid_link")
    return (await sessions.agent_for_token(runtime, bearer(request))).slug


@routes.get("/calendar/google/connect")
async def google_connect(request: web.Request) -> web.StreamResponse:
    try:
        slug = await _connecting_agent(request)
        url = await connect.start_google_connect(request.app[RUNTIME], slug)
    except DomainError as error:
        return page("Google Calendar was not connected", error.message, error.status)
    raise web.HTTPFound(url)


@routes.get("/calendar/google/callback")
async def google_callback(request: web.Request) -> web.Response:
    q = request.query
    try:
        await connect.finish_google_connect(
            request.app[RUNTIME], q.get("code"), q.get("state"), q.get("error")
        )
    except DomainError as error:
        return page("Google Calendar was not connected", error.message, error.status)
    return page(
        "Google Calendar connected",
        "Your free time now comes from Google Calendar and new bookings are written to it. "
        "You can close this page.",
    )


@routes.post("/api/agent/calendar/google/link")
@documented(
    "A one-hour link that starts the Google Calendar connection in a browser: {url}",
    auth=AGENT,
    responses={"503": "calendar_not_configured"},
)
async def google_link(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    connect.provider_or_refuse(runtime, "google")
    return web.json_response({"url": connect_link(runtime.settings, agent.slug, runtime.clock.now())})


@routes.post("/api/agent/calendar/microsoft")
@documented(
    "Connect the agent's Microsoft 365 mailbox (org-wide consent) and take working hours from Outlook",
    auth=AGENT,
    responses={"400": "microsoft_user_not_found", "503": "calendar_not_configured"},
)
async def microsoft_activate(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    (result,) = await connect.activate_microsoft(runtime, [agent.email])
    if not result.connected:
        raise DomainError(result.detail, code="microsoft_user_not_found")
    return web.json_response(
        {"detail": result.detail, "calendar": await connections.connection_status(runtime, agent.slug)}
    )


@routes.get("/api/agent/calendars")
@documented(
    "The agent's calendars {provider, calendars: [{id, name, primary, writable, booking, busy}]}; "
    "choose with PUT /api/agent/settings {booking_calendars, busy_calendars}",
    auth=AGENT,
    responses={"503": "calendar_unavailable"},
)
async def agent_calendars(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    return web.json_response(await connect.agent_calendars(request.app[RUNTIME], agent.slug))


@routes.get("/api/agent/calendar")
@documented("The calendar connection {provider, status: ok|broken, account_email}", auth=AGENT)
async def calendar_status(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    return web.json_response(await connections.connection_status(request.app[RUNTIME], agent.slug))


@routes.delete("/api/agent/calendar")
@documented("Disconnect: back to the built-in calendar", auth=AGENT)
async def disconnect(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    runtime = request.app[RUNTIME]
    await connections.disconnect(runtime, agent.slug)
    return web.json_response(await connections.connection_status(runtime, agent.slug))
