"""CORS for the guest API and the widget's modules: the widget runs on other people's websites.

Guests authenticate with a bearer token in the ``Authorization`` header, never a cookie, so any origin
may call ``/api/guest/*`` (``Access-Control-Allow-Origin: *`` without credentials): a foreign page can
do nothing with the API that it could not do with a token it already holds. The same holds for the
public booking reads the widget makes before and while it books (``/api/agents/{slug}/slots``,
``/api/services/{slug}/slots``, ``/api/agents/{slug}/booking``): they need no token at all. The
agent API (``/api/agent/…``) stays closed to other origins.

The widget loads its ES modules (``/static/widget-app.js``, ``/static/lib/*.js``) with ``import()``
from the Convene host; browsers fetch cross-origin modules in CORS mode, so every static file says
``Access-Control-Allow-Origin: *`` too. They are public files: anyone may read them anyway.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

GUEST_PREFIX = "/api/guest/"
PUBLIC_BOOKING = re.compile(r"^/api/(agents|services)/[^/]+/(slots|booking)$")
STATIC_PREFIX = "/static/"
FILES_PREFIX = "/files/"  # attachments, fetched by the widget with the guest's token (adapters/web/files.py)
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PATCH, DELETE, OPTIONS",  # the widget changes meetings too
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
    "Access-Control-Max-Age": "86400",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(STATIC_PREFIX):
        return _open_to_all(await handler(request))
    if not (request.path.startswith((GUEST_PREFIX, FILES_PREFIX)) or PUBLIC_BOOKING.match(request.path)):
        return await handler(request)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        # Answered before routing: the routes themselves do not answer OPTIONS.
        return web.Response(status=204, headers=PREFLIGHT_HEADERS)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers["Access-Control-Allow-Origin"] = "*"
        raise
    return _open_to_all(response)


def _open_to_all(response: web.StreamResponse) -> web.StreamResponse:
    if not response.prepared:  # a WebSocket has sent its headers already; browsers do not ask there
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
