"""Headers that tell the browser what our pages may do: a Content-Security-Policy on every HTML page,
no MIME sniffing and no software versions on every response.

Why a strict CSP: guests and agents type text that other people's browsers show. The DOM helpers
never parse HTML (``static/lib/dom.js``), and the policy is the second wall: were markup ever
injected, the browser still runs no inline script, no inline event handler, no ``javascript:`` URL
and applies no inline style. So no page carries ``<script>`` bodies, ``style=`` or ``onclick=``;
scripts and styles are files under ``/static/``, and styles set from scripts go through
``element.style`` (the CSSOM, which CSP allows).

Framing: no page of ours is meant to live in a frame. The widget is a script that draws into a
Shadow DOM on the host page, and the booking page (``/book/{agent}``) is a link people open, so
``frame-ancestors 'none'`` everywhere keeps anyone from laying our buttons under theirs.

``connect-src 'self'`` covers the live WebSocket too: CSP 3 lets ``'self'`` match ``ws:``/``wss:``
on the same host and port. Avatars are ours (``/avatars/…``); ``data:`` is not needed. Pictures
attached to messages are ``blob:`` URLs: the page fetches them with the viewer's bearer token (an
``<img src>`` could not send it) and shows the bytes it got.
"""

from __future__ import annotations

from aiohttp import web

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",  # attachments: bytes fetched with the viewer's token (lib/attachments.js)
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


async def every_response_headers(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """On every response, 404s and static files included (a middleware misses what the router
    raises): no MIME sniffing, a Server header without software
    versions (aiohttp's names both), and on HTML the CSP and its older twin X-Frame-Options."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Server"] = "Convene"
    response.headers["Referrer-Policy"] = "no-referrer"  # links out never carry a token in the URL
    if response.content_type == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"
