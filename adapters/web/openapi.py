"""The OpenAPI document, built from the live router so it cannot drift from the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

GUEST, AGENT = "guestToken", "agentToken"  # the two bearer schemes below
_ATTRIBUTE = "openapi"
Handler = TypeVar("Handler", bound=Callable[..., Any])


def documented(
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    responses: dict[str, str] | None = None,
    auth: str | None = None,
) -> Callable[[Handler], Handler]:
    """The one way to describe a route, written beside it (under ``@routes.get(...)``, or on the
    handler a channel mounts). The document reads it from the live router, so a route and its
    description cannot drift apart, and an undocumented route shows up as ``undocumented``."""

    def describe(handler: Handler) -> Handler:
        setattr(
            handler,
            _ATTRIBUTE,
            {"summary": summary, "body": body, "responses": responses or {}, "auth": auth},
        )
        return handler

    return describe


def schema(**props: str) -> dict[str, Any]:
    """``schema(text="string", seq="integer")``: a flat JSON object for a request body."""
    return {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}}


def _doc(handler: Any) -> dict[str, Any] | None:
    doc = getattr(handler, _ATTRIBUTE, None)
    return doc if isinstance(doc, dict) else None


def _handlers(app: web.Application) -> dict[tuple[str, str], Any]:
    found = {}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and route.method != "HEAD":
            found[(route.method, path)] = route.handler
    return found


def documented_paths(app: web.Application) -> set[tuple[str, str]]:
    return {key for key, handler in _handlers(app).items() if _doc(handler) is not None}


def api_routes(app: web.Application) -> set[tuple[str, str]]:
    """Routes that belong in the document: the API, health and metrics (pages and static files don't)."""
    return {
        (method, path)
        for method, path in _handlers(app)
        if path.startswith(("/api/", "/healthz", "/metrics", "/slack/"))
    }


def openapi_document(app: web.Application) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    handlers = _handlers(app)
    for method, path in sorted(api_routes(app)):
        doc = _doc(handlers[(method, path)]) or {
            "summary": "undocumented",
            "body": None,
            "responses": {},
            "auth": None,
        }
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
                GUEST: {"type": "http", "scheme": "bearer", "description": "from POST /api/guest/sessions"},
                AGENT: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "from `convene agent token EMAIL` or a sign-in link",
                },
            }
        },
        "paths": paths,
    }
