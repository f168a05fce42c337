"""One mapping from engine refusals to HTTP: a JSON body with a stable ``code``; never a 500 for bad input."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.errors import DomainError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, code: str, message: str, **details: Any) -> web.Response:
    return web.json_response({"code": code, "message": message, **details}, status=status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as error:
        return error_response(error.status, error.code, error.message, **_jsonable(error.details))
    except web.HTTPException as error:
        if error.status >= 400 and request.path.startswith("/api/"):
            return error_response(error.status, error.reason.lower().replace(" ", "_"), error.reason)
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on our side.")


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in details.items():
        try:
            json.dumps(value)
            out[key] = value
        except TypeError:
            out[key] = str(value)
    return out


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise DomainError("The request body is not valid JSON.", code="malformed_json") from None
    if not isinstance(body, dict):
        raise DomainError("The request body must be a JSON object.", code="malformed_json")
    return body


def field(
    body: dict[str, Any], name: str, kind: type | tuple[type, ...] = str, *, required: bool = True
) -> Any:
    value = body.get(name)
    if value is None:
        if required:
            raise DomainError(f"'{name}' is required.", code="missing_field", field=name)
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise DomainError(f"'{name}' has the wrong type.", code="invalid_field", field=name)
    return value
