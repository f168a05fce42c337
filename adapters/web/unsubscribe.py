"""The ``List-Unsubscribe`` link of unread-message emails: it turns them off for one person.

``GET /unsubscribe/unread?kind=…&id=…&sig=…`` shows a page with one button and changes nothing, so mail
scanners that follow links do not unsubscribe anyone; the button, or a mail client's one-click
unsubscribe (RFC 8058: a ``POST`` to the same link), stores the choice through ``StopUnreadEmails``.
The signature (bot/email_digest) makes the link unforgeable: knowing someone's id is not enough.
"""

from __future__ import annotations

import hmac
import html

from aiohttp import web

from adapters.web.auth import RUNTIME
from bot.email_digest import StopUnreadEmails, unsubscribe_signature

routes = web.RouteTableDef()

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unread-message emails</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto">
<h1>Unread-message emails</h1>
{body}
</body></html>
"""


def _person(request: web.Request) -> tuple[str, str] | None:
    kind, person_id, signature = (request.query.get(k, "") for k in ("kind", "id", "sig"))
    if kind not in ("agent", "guest") or not person_id:
        return None
    expected = unsubscribe_signature(request.app[RUNTIME].settings.secret_key, kind, person_id)
    return (kind, person_id) if hmac.compare_digest(signature.encode(), expected.encode()) else None


def _page(body: str, status: int = 200) -> web.Response:
    return web.Response(text=_PAGE.format(body=body), content_type="text/html", status=status)


_INVALID = "<p>This link is invalid. Use the link in your most recent email.</p>"


@routes.get("/unsubscribe/unread")
async def confirm(request: web.Request) -> web.Response:
    if _person(request) is None:
        return _page(_INVALID, status=400)
    action = html.escape(str(request.rel_url), quote=True)
    return _page(
        "<p>Stop emails about messages you have not read yet?</p>"
        f'<form method="post" action="{action}"><button type="submit">Stop these emails</button></form>'
    )


@routes.post("/unsubscribe/unread")
async def unsubscribe(request: web.Request) -> web.Response:
    person = _person(request)
    if person is None:
        return _page(_INVALID, status=400)
    await request.app[RUNTIME].bus.handle(StopUnreadEmails(*person))
    return _page("<p>Done: you will get no more emails about unread messages.</p>")
