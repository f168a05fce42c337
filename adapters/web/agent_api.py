"""The agent API behind the web inbox (and anything else holding an agent token)."""

from __future__ import annotations

from aiohttp import web

from adapters.web.auth import RUNTIME, current_agent
from adapters.web.errors import field, read_json
from adapters.web.guest_api import _after
from adapters.web.limits import in_background, limit_login_ip, login_mail_allowed
from adapters.web.openapi import AGENT, documented, schema
from adapters.web.serialize import message_json, summary_json, view_json
from bot import queries
from bot.bootstrap import Runtime
from bot.commands import AssignConversation, IssueAgentToken, MarkRead, PostMessage, RedeemLoginLink
from bot.errors import DomainError, InvalidInput
from bot.links import is_deep_path
from bot.status import queries as status_queries

routes = web.RouteTableDef()


@routes.post("/api/agent/login")
@documented(
    "Email a one-time sign-in link (202 whoever asks); next: a deep link /inbox/c/{id}[/m/{message}] "
    "the link lands on",
    body=schema(email="string", next="string"),
    responses={"400": "invalid_next {field}"},
)
async def request_login_link(request: web.Request) -> web.Response:
    limit_login_ip(request)  # 429 past the per-IP limit
    body = await read_json(request)
    email = field(body, "email")
    next_path = body.get("next")
    if next_path is None or next_path == "":
        next_path = ""
    elif not is_deep_path(next_path):  # a sign-in leads into the inbox, never elsewhere
        raise InvalidInput(
            "next is a link into the inbox, like /inbox/c/{id}.", code="invalid_next", field="next"
        )
    # The same answer, as fast, whether or not the address belongs to an agent or is past its
    # limit: no account discovery. The link is issued after the answer.
    if login_mail_allowed(request, email):
        in_background(request, _issue_login_link(request.app[RUNTIME], email, next_path))
    return web.json_response({"status": "sent"}, status=202)


async def _issue_login_link(runtime: Runtime, email: str, next_path: str = "") -> None:
    try:
        await runtime.bus.handle(IssueAgentToken(email=email, kind="login", next_path=next_path))
    except DomainError as error:
        if error.code != "unknown_agent":
            raise


@routes.post("/api/agent/login/redeem")
@documented("Exchange a sign-in link token for a bearer token", body=schema(token="string"))
async def redeem(request: web.Request) -> web.Response:
    body = await read_json(request)
    token = await request.app[RUNTIME].bus.handle(RedeemLoginLink(token=field(body, "token")))
    return web.json_response({"token": token})


@routes.get("/api/agent/me")
@documented("The signed-in agent", auth=AGENT)
async def me(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        services = await uow.services.of_agent(agent.slug)
    return web.json_response(
        {
            "slug": agent.slug,
            "name": agent.name,
            "email": agent.email,
            "timezone": agent.timezone,
            "services": [s.slug for s in services],
        }
    )


@routes.get("/api/agent/services")
@documented("Services and their members", auth=AGENT)
async def services(request: web.Request) -> web.Response:
    await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await uow.services.list()
        agents = {a.slug: a.name for a in await uow.agents.list()}
    return web.json_response(
        {
            "services": [
                {
                    "slug": s.slug,
                    "name": s.name,
                    "members": [{"slug": m, "name": agents.get(m, m)} for m in s.members],
                }
                for s in found
            ]
        }
    )


@routes.get("/api/agent/conversations")
@documented(
    "Inbox: ?filter=mine|unassigned|services|snoozed|resolved (or the older ?scope=mine|services), "
    "with unread counts, and how many conversations each filter holds (counts)",
    auth=AGENT,
    responses={"400": "invalid_field {field: filter|scope}"},
)
async def list_conversations(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    scope = request.query.get("scope", "services")
    if scope not in {"mine", "services"}:
        raise InvalidInput("'scope' is 'mine' or 'services'.", code="invalid_field", field="scope")
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found, counts = await status_queries.inbox(uow, agent, request.query.get("filter", scope))
    return web.json_response({"conversations": [summary_json(s) for s in found], "counts": counts})


@routes.get("/api/agent/conversations/{id}")
@documented("One conversation", auth=AGENT)
async def get_conversation(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        view = await queries.view_conversation(uow, agent.actor, request.match_info["id"])
    return web.json_response(view_json(view, for_agent=True))


@routes.get("/api/agent/conversations/{id}/messages")
@documented("Messages after ?after=seq (internal notes included)", auth=AGENT)
async def list_messages(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    async with request.app[RUNTIME].uow(read_only=True) as uow:
        found = await queries.messages(uow, agent.actor, request.match_info["id"], after_seq=_after(request))
    return web.json_response({"messages": [message_json(m) for m in found]})


@routes.post("/api/agent/conversations/{id}/messages")
@documented(
    "Reply (internal: true for a note guests never see)",
    body=schema(text="string", client_id="string", internal="boolean"),
    auth=AGENT,
)
async def post_message(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    posted = await request.app[RUNTIME].bus.handle(
        PostMessage(
            conversation_id=request.match_info["id"],
            author=agent.actor,
            text=field(body, "text"),
            client_id=field(body, "client_id", required=False),
            internal=bool(field(body, "internal", bool, required=False)),
        )
    )
    return web.json_response({"message": message_json(posted.message)}, status=201 if posted.created else 200)


@routes.post("/api/agent/conversations/{id}/assign")
@documented(
    "Assign: {to: me} or {service, assignee|null}; naming only an assignee lets the engine pick "
    "a service they belong to",
    body=schema(to="string", service="string", assignee="string"),
    auth=AGENT,
)
async def assign(request: web.Request) -> web.Response:
    """``{"to": "me"}`` or ``{"service": "sales", "assignee": "bob" | null}``."""
    agent = await current_agent(request)
    body = await read_json(request)
    runtime = request.app[RUNTIME]
    conversation_id = request.match_info["id"]
    to = field(body, "to", required=False)
    if to not in (None, "me"):
        raise InvalidInput("'to' is 'me' or left out.", code="invalid_field", field="to")
    assignee: str | None = field(body, "assignee", required=False)
    service = field(
        body, "service", required=assignee is None and to is None
    )  # a person alone: the engine picks
    if to == "me":
        service, assignee = None, agent.slug  # the engine picks the service
    conversation = await runtime.bus.handle(
        AssignConversation(
            conversation_id=conversation_id, service=service, assignee=assignee, by=agent.actor
        )
    )
    return web.json_response(
        {"id": conversation.id, "service": conversation.service, "assignee": conversation.assignee}
    )


@routes.post("/api/agent/conversations/{id}/read")
@documented("Mark read up to seq", body=schema(seq="integer"), auth=AGENT)
async def mark_read(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    body = await read_json(request)
    seq = await request.app[RUNTIME].bus.handle(
        MarkRead(conversation_id=request.match_info["id"], reader=agent.actor, seq=field(body, "seq", int))
    )
    return web.json_response({"seq": seq})
