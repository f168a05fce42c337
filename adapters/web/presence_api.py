"""The widget's header: who answers (names and pictures) and whether they are at work now.

Translation only: the team and the rule "available now / next opening" are ``bot.presence``'s.
Public like the booking page's slots: the widget shows it before the guest has a session.
"""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME
from adapters.web.openapi import documented
from adapters.web.serialize import iso
from bot.presence import team_presence

routes = web.RouteTableDef()


@routes.get("/api/guest/team")
@documented(
    "The team behind ?service= or ?agent=: {members: [{slug, name, avatar, available}], open, "
    "next_opening (UTC, null while open)}",
    responses={"404": "unknown_service or unknown_agent"},
)
async def team(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    async with runtime.uow(read_only=True) as uow:
        presence = await team_presence(
            uow,
            runtime.clock,
            service=request.query.get("service") or None,
            agent=request.query.get("agent") or None,
        )
    return web.json_response(
        {
            "members": [
                {"slug": m.slug, "name": m.name, "avatar": m.avatar, "available": m.available}
                for m in presence.members
            ],
            "open": presence.open,
            "next_opening": iso(presence.next_opening) if presence.next_opening else None,
        }
    )
