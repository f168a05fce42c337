"""The OpenAPI document, built from the live router so it cannot drift from the routes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

_DOCS: dict[tuple[str, str], dict[str, Any]] = {}


def document(
    method: str,
    path: str,
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    responses: dict[str, str] | None = None,
    auth: str | None = None,
) -> None:
    """Channel plugins and engine modules describe the routes they add."""
    _DOCS[(method.upper(), path)] = {
        "summary": summary,
        "body": body,
        "responses": responses or {},
        "auth": auth,
    }


def _obj(**props: str) -> dict[str, Any]:
    return {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}}


G, A = "guestToken", "agentToken"
for method, path, summary, body, auth in [
    ("GET", "/healthz", "Health: 200 {status: ok} once the database answers", None, None),
    ("GET", "/metrics", "Prometheus metrics", None, None),
    ("GET", "/api/openapi.json", "This document", None, None),
    (
        "POST",
        "/api/guest/sessions",
        "Start a guest session; returns {token, guest_id}",
        _obj(name="string", email="string", timezone="string"),
        None,
    ),
    ("GET", "/api/guest/me", "The signed-in guest", None, G),
    (
        "POST",
        "/api/guest/conversations",
        "Write to a service or an agent; reuses the guest's earlier conversation with them",
        _obj(service="string", agent="string", text="string", client_id="string"),
        G,
    ),
    ("GET", "/api/guest/conversations", "The guest's conversations", None, G),
    ("GET", "/api/guest/conversations/{id}", "One conversation (title as the guest sees it)", None, G),
    (
        "GET",
        "/api/guest/conversations/{id}/messages",
        "Messages after ?after=seq (a guest numbers only the messages guests see)",
        None,
        G,
    ),
    (
        "POST",
        "/api/guest/conversations/{id}/messages",
        "Post a message (client_id makes resends idempotent)",
        _obj(text="string", client_id="string"),
        G,
    ),
    (
        "POST",
        "/api/guest/conversations/{id}/read",
        "Mark read up to seq (in the guest's numbering)",
        _obj(seq="integer"),
        G,
    ),
    (
        "GET",
        "/api/guest/ws",
        "WebSocket: first frame {token}; then live {type: message|event}; send {type: send, conversation_id|service|agent, text, client_id} → {type: ack}",
        None,
        None,
    ),
    ("POST", "/api/agent/login", "Email a one-time sign-in link (always 202)", _obj(email="string"), None),
    (
        "POST",
        "/api/agent/login/redeem",
        "Exchange a sign-in link token for a bearer token",
        _obj(token="string"),
        None,
    ),
    ("GET", "/api/agent/me", "The signed-in agent", None, A),
    ("GET", "/api/agent/services", "Services and their members", None, A),
    ("GET", "/api/agent/conversations", "Inbox: ?scope=mine|services, with unread counts", None, A),
    ("GET", "/api/agent/conversations/{id}", "One conversation", None, A),
    (
        "GET",
        "/api/agent/conversations/{id}/messages",
        "Messages after ?after=seq (internal notes included)",
        None,
        A,
    ),
    (
        "POST",
        "/api/agent/conversations/{id}/messages",
        "Reply (internal: true for a note guests never see)",
        _obj(text="string", client_id="string", internal="boolean"),
        A,
    ),
    (
        "POST",
        "/api/agent/conversations/{id}/assign",
        "Assign: {to: me} or {service, assignee|null}",
        _obj(to="string", service="string", assignee="string"),
        A,
    ),
    ("POST", "/api/agent/conversations/{id}/read", "Mark read up to seq", _obj(seq="integer"), A),
    (
        "GET",
        "/api/agent/ws",
        "WebSocket for the inbox: first frame {token}; live events of every visible conversation",
        None,
        None,
    ),
]:
    document(method, path, summary, body=body, auth=auth)


def documented_paths() -> set[tuple[str, str]]:
    return set(_DOCS)


def api_routes(app: web.Application) -> set[tuple[str, str]]:
    """Routes that belong in the document: the API, health and metrics (pages and static files don't)."""
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if not path or route.method == "HEAD":
            continue
        if path.startswith(("/api/", "/healthz", "/metrics", "/slack/")):
            found.add((route.method, path))
    return found


def openapi_document(app: web.Application) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, path in sorted(api_routes(app)):
        doc = _DOCS.get(
            (method, path), {"summary": "undocumented", "body": None, "responses": {}, "auth": None}
        )
        operation: dict[str, Any] = {
            "summary": doc["summary"],
            "responses": {
                "200": {"description": "OK"},
                **{k: {"description": v} for k, v in doc["responses"].items()},
            },
        }
        if doc["body"]:
            operation["requestBody"] = {"content": {"application/json": {"schema": doc["body"]}}}
        if doc["auth"]:
            operation["security"] = [{doc["auth"]: []}]
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            operation["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
            ]
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convene", "version": "0.1.0"},
        "components": {
            "securitySchemes": {
                G: {"type": "http", "scheme": "bearer", "description": "from POST /api/guest/sessions"},
                A: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "from `convene agent token EMAIL` or a sign-in link",
                },
            }
        },
        "paths": paths,
    }
