"""The one aiohttp application: guest and agent APIs, live sockets, widget, inbox, and every channel's routes."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from pathlib import Path

from aiohttp import web

from adapters.web import (
    agent_api,
    assistant_join,
    avatars,
    banner,
    booking_api,
    calendar_api,
    conversation_api,
    conversation_pictures,
    files,
    guest_api,
    identity_api,
    inbox_api,
    invitations_api,
    invite_api,
    limits,
    live,
    manage_api,
    meetings_api,
    pages,
    preferences_api,
    presence_api,
    returning_api,
    settings_api,
    status_api,
    unsubscribe,
)
from adapters.web.auth import RUNTIME
from adapters.web.cors import cors_middleware
from adapters.web.errors import errors_middleware
from adapters.web.metrics import metrics
from adapters.web.openapi import documented, openapi_document
from adapters.web.security_headers import every_response_headers
from bot.bootstrap import Runtime

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


@documented("Health: 200 {status: ok} once the database answers", responses={"503": "unavailable"})
async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        await asyncio.wait_for(runtime.storage.ping(), 5)
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return web.json_response({"status": "unavailable", "error": type(error).__name__}, status=503)
    return web.json_response({"status": "ok"})


@documented("This document")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document(request.app))


def make_app(runtime: Runtime, *, manage_workers: bool = True) -> web.Application:
    app = web.Application(middlewares=[cors_middleware, errors_middleware], client_max_size=1024**2)
    app.on_response_prepare.append(every_response_headers)
    app[RUNTIME] = runtime
    limits.install(app, runtime)  # abuse limits: counters per process, 429s
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_routes(guest_api.routes)
    app.router.add_routes(avatars.routes)
    app.router.add_routes(presence_api.routes)  # the widget's header: team and working hours
    app.router.add_routes(agent_api.routes)
    app.router.add_routes(conversation_api.routes)
    app.router.add_routes(conversation_pictures.routes)
    app.router.add_routes(files.routes)  # attachments: upload, and /files/{id}/{name}
    app.router.add_routes(identity_api.routes)
    app.router.add_routes(returning_api.routes)  # continue links, agents create, /c/ and /join/ pages
    app.router.add_routes(booking_api.routes)
    app.router.add_routes(meetings_api.routes)
    app.router.add_routes(manage_api.routes)  # the guest's manage link: /booked/{token}
    app.router.add_routes(settings_api.routes)
    app.router.add_routes(calendar_api.routes)
    app.router.add_routes(invitations_api.routes)  # invitations to self-schedule: the agent side
    app.router.add_routes(invite_api.routes)  # and the customer's links
    app.router.add_routes(inbox_api.routes)  # search and saved replies
    app.router.add_routes(status_api.routes)  # resolve, reopen, snooze
    app.router.add_routes(assistant_join.routes)  # the assistant's one-time links for participants
    app.router.add_routes(unsubscribe.routes)  # List-Unsubscribe of unread-message emails
    app.router.add_routes(preferences_api.routes)  # notification preferences (bot/preferences)
    app.router.add_get("/api/guest/ws", live.guest_ws)
    app.router.add_get("/api/agent/ws", live.agent_ws)
    app.router.add_routes(pages.routes)
    app.router.add_static("/static/", STATIC)
    for name, channel in runtime.channels.items():
        add_routes = getattr(channel, "add_routes", None)
        if add_routes is not None and name != "web":
            add_routes(app, runtime)
    for extra in getattr(runtime, "web_routes", []):
        extra(app, runtime)
    if manage_workers:
        app.on_startup.append(_start)
        app.on_cleanup.append(_stop)
    return app


async def _start(app: web.Application) -> None:
    await app[RUNTIME].start_workers()


async def _stop(app: web.Application) -> None:
    await app[RUNTIME].stop()


YOUNG_OBJECTS = 20_000


async def run(runtime: Runtime, host: str, port: int, *, reuse_port: bool = False) -> None:
    """Serves until SIGTERM or SIGINT; ``reuse_port``: one of several worker processes on one port."""
    app = make_app(runtime)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True, reuse_port=reuse_port or None)
    await site.start()
    # What start-up built (modules, mappers, routes) lives as long as the process: moved out of the
    # collector's reach, so a full collection under load does not walk it again (one took 100 ms).
    gc.collect()
    gc.freeze()
    # A young generation of 20,000 objects, not 700: most of what a message allocates is freed before
    # a collection would look at it (measured under callgrind: 3 % fewer instructions a message).
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
    log.debug("Convene is listening on http://%s:%s", host, port)
    if banner.is_first_worker():
        print(banner.startup_banner(runtime, host, port), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
