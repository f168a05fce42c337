"""Identity over HTTP: signing out, proving a guest's email, and a conversation's join link.

Translation only: idle expiry and sign-out are ``bot.sessions``; proven addresses ``bot.identity``;
who may rotate or turn off a link the membership handlers.
"""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME, bearer, current_agent, current_guest
from adapters.web.errors import field, read_json
from adapters.web.openapi import AGENT, GUEST, documented, schema
from bot.commands import SetLink
from bot.identity import RedeemEmailProof, RequestEmailProof
from bot.sessions import SignOut

routes = web.RouteTableDef()


@routes.post("/api/agent/logout")
@documented("Sign out: the bearer token in use stops working at once", auth=AGENT)
async def agent_logout(request: web.Request) -> web.Response:
    await current_agent(request)
    await request.app[RUNTIME].bus.handle(SignOut(token=bearer(request) or "", kind="agent"))
    return web.json_response({"signed_out": True})


@routes.delete("/api/guest/session")
@documented("End the guest session: the bearer token in use stops working at once", auth=GUEST)
async def guest_logout(request: web.Request) -> web.Response:
    await current_guest(request)
    await request.app[RUNTIME].bus.handle(SignOut(token=bearer(request) or "", kind="guest"))
    return web.json_response({"signed_out": True})


@routes.post("/api/guest/email/prove")
@documented("Mail a one-time link that proves the guest's email address (always 202)", auth=GUEST)
async def request_proof(request: web.Request) -> web.Response:
    guest = await current_guest(request)
    await request.app[RUNTIME].bus.handle(RequestEmailProof(guest_id=guest.id))
    return web.json_response({"status": "sent"}, status=202)


@routes.post("/api/guest/email/redeem")
@documented(
    "Redeem a one-time email link: proves the address and returns {token, guest_id, conversation}",
    body=schema(token="string"),
    responses={"401": "invalid_email_link"},
)
async def redeem_proof(request: web.Request) -> web.Response:
    body = await read_json(request)
    session = await request.app[RUNTIME].bus.handle(RedeemEmailProof(token=field(body, "token")))
    return web.json_response(
        {
            "token": session.token,
            "guest_id": session.guest.id,
            "name": session.guest.name,
            "conversation": session.conversation or None,
        }
    )


@routes.post("/api/agent/conversations/{id}/link")
@routes.delete("/api/agent/conversations/{id}/link")
@documented(
    "POST: a new join link (the old token stops working); DELETE, or POST {enabled: false}: joining "
    "by link is off. Returns {link_token} (null when off)",
    body=schema(enabled="boolean"),
    auth=AGENT,
    responses={"403": "agents_only", "404": "unknown_conversation"},
)
async def set_link(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    enabled = False
    if request.method == "POST":
        body = await read_json(request) if request.can_read_body else {}
        flag = field(body, "enabled", bool, required=False)
        enabled = True if flag is None else flag
    conversation = await request.app[RUNTIME].bus.handle(
        SetLink(conversation_id=request.match_info["id"], by=agent.actor, enabled=enabled)
    )
    return web.json_response({"id": conversation.id, "link_token": conversation.link_token})
