"""The participant's one-time link from the assistant's invitation mail.

``GET /assistant/join?token=…`` shows a page with one button; the button ``POST``s the token, which
signs the person in as the guest with the invited email and opens the conversation. A GET alone uses
nothing up, so mail scanners that follow links do not spend the one-time token.
"""

from __future__ import annotations

import html
import json

from aiohttp import web

from adapters.web.auth import RUNTIME
from adapters.web.errors import field, read_json
from adapters.web.openapi import documented
from bot.assistant.commands import RedeemConversationInvitation

routes = web.RouteTableDef()

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Join the conversation</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.ico" sizes="any"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto">
<h1>Join the conversation</h1>
<p>You were invited to a conversation about a meeting. This link works once.</p>
<button id="join" data-token="{token}">Join the conversation</button>
<p id="error" role="alert"></p>
<script type="module" src="/assistant/join.js"></script>
</body></html>
"""

_SCRIPT = """
const button = document.getElementById("join");
button.addEventListener("click", async () => {
  button.disabled = true;
  const response = await fetch("/api/assistant/join", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: button.dataset.token }),
  });
  const body = await response.json();
  if (!response.ok) {
    document.getElementById("error").textContent = body.message || "This link is invalid, used or expired.";
    return;
  }
  // The widget keeps its guest session under this key (see widget.js): the conversation opens signed in.
  localStorage.setItem(`convene:${location.origin}:session`, JSON.stringify(body.session));
  location.href = body.location;
});
"""


@routes.get("/assistant/join")
async def join_page(request: web.Request) -> web.Response:
    token = html.escape(request.query.get("token", ""), quote=True)
    return web.Response(text=_PAGE.format(token=token), content_type="text/html")


@routes.get("/assistant/join.js")
async def join_script(request: web.Request) -> web.Response:
    return web.Response(text=_SCRIPT, content_type="text/javascript")


@routes.post("/api/assistant/join")
@documented(
    "Redeem a participant's one-time link from the assistant's mail {token}: a guest session and the "
    "conversation to open; 401 invalid_invitation_link when used, expired or unknown",
    body={"type": "object", "properties": {"token": {"type": "string"}}},
    responses={"401": "invalid_invitation_link"},
)
async def join(request: web.Request) -> web.Response:
    body = await read_json(request)
    joined = await request.app[RUNTIME].bus.handle(RedeemConversationInvitation(token=field(body, "token")))
    session = {"token": joined.token, "guest_id": joined.guest.id, "name": joined.guest.name}
    return web.json_response(
        {
            "session": session,
            "conversation_id": joined.conversation_id,
            "location": f"/c/{joined.conversation_id}",  # its own page, not the demo site
        },
        dumps=json.dumps,
    )
