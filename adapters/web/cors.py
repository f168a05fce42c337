"""CORS for the guest API: the widget runs on other people's websites.

Guests authenticate with a bearer token in the ``Authorization`` header, never a cookie, so any origin
may call ``/api/guest/*`` (``Access-Control-Allow-Origin: *`` without credentials): a foreign page can
do nothing with the API that it could not do with a token it already holds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

GUEST_PREFIX = "/api/guest/"
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PATCH, DELETE, OPTIONS",  # the widget changes meetings too
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
    "Access-Control-Max-Age": "86400",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(GUEST_PREFIX):
        return await handler(request)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        # Answered before routing: the routes themselves do not answer OPTIONS.
        return web.Response(status=204, headers=PREFLIGHT_HEADERS)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers["Access-Control-Allow-Origin"] = "*"
        raise
    if not response.prepared:  # a WebSocket has sent its headers already; browsers do not ask there
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
