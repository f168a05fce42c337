"""``/metrics``: Prometheus series for the people who run Convene, not for the internet.

With ``CONVENE_METRICS_TOKEN`` set, a scrape needs ``Authorization: Bearer <token>`` (compared in
constant time) from anywhere. Without it, only a loopback peer is answered, and a request that came
through a proxy on the same host (it carries ``Forwarded``/``X-Forwarded-For``) does not count as one.
"""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from adapters.web.auth import RUNTIME, bearer
from adapters.web.errors import error_response
from adapters.web.openapi import documented
from bot.metrics import OUTBOX_DEAD, OUTBOX_PENDING

PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def _loopback(request: web.Request) -> bool:
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address((request.remote or "").split("%")[0]).is_loopback
    except ValueError:
        return False  # a Unix socket or an unknown peer: not provably local


def refusal(request: web.Request) -> web.Response | None:
    """Why this request may not read the metrics, or None when it may."""
    token = str(request.app[RUNTIME].settings.metrics_token or "")
    if token:
        given = bearer(request) or ""
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return error_response(401, "metrics_token_required", "Send the metrics bearer token.")
    if _loopback(request):
        return None
    return error_response(
        403, "metrics_loopback_only", "Metrics answer on loopback only unless a metrics token is set."
    )


@documented(
    "Prometheus metrics (bearer CONVENE_METRICS_TOKEN when set, else loopback only)",
    responses={"401": "metrics_token_required", "403": "metrics_loopback_only"},
)
async def metrics(request: web.Request) -> web.Response:
    refused = refusal(request)
    if refused is not None:
        return refused
    outbox = request.app[RUNTIME].storage.outbox
    OUTBOX_PENDING.set(await outbox.pending())
    OUTBOX_DEAD.set(await outbox.dead_count())
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response
