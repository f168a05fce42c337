"""One mapping from engine refusals to HTTP: a JSON body with a stable ``code``; never a 500 for bad input.

Text that no field may hold is refused here, where it enters, before any handler sees it: a lone
surrogate (no database can store it; PostgreSQL and SQLite's driver fail on it), a NUL (PostgreSQL
refuses it in text), JSON nested deeper than ``MAX_DEPTH``, and whole numbers past a 32-bit column.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.errors import DomainError

log = logging.getLogger(__name__)
MAX_DEPTH = 32
MAX_INT = 2**31 - 1  # the widest integer column (seq, duration) and what PostgreSQL's ``integer`` holds
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, code: str, message: str, **details: Any) -> web.Response:
    return web.json_response({"code": code, "message": message, **details}, status=status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        _check_url(request)  # pages too: a feed or callback reads the database with what it was given
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


def bad_text(value: str) -> bool:
    """A NUL or a lone surrogate: text that no column can hold."""
    if "\x00" in value:
        return True
    if value.isascii():  # a flag of the string: no copy to encode (every frame's strings pass here)
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_text(name: str) -> DomainError:
    return DomainError(
        f"'{name}' holds a character that is not allowed (NUL or a lone surrogate).",
        code="invalid_text",
        field=name,
    )


def _check_url(request: web.Request) -> None:
    """Query parameters and path parameters, as aiohttp decoded them."""
    for name, value in [*request.query.items(), *request.match_info.items()]:
        if bad_text(name) or bad_text(value):
            raise refuse_text(name if not bad_text(name) else "query")


def check_json(value: Any, name: str = "body", depth: int = 0) -> None:
    """Every string (keys too) and the nesting depth of a parsed JSON value."""
    if depth > MAX_DEPTH:
        raise DomainError(
            f"The request body is nested deeper than {MAX_DEPTH} levels.", code="too_deep", field=name
        )
    if isinstance(value, str):
        if bad_text(value):
            raise refuse_text(name)
    elif isinstance(value, dict):
        for key, item in value.items():
            if bad_text(key):
                raise refuse_text(name)
            check_json(item, key if depth == 0 else name, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, name, depth + 1)


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except RecursionError:
        raise DomainError(
            f"The request body is nested deeper than {MAX_DEPTH} levels.", code="too_deep", field="body"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise DomainError("The request body is not valid JSON.", code="malformed_json") from None
    check_json(body)
    if not isinstance(body, dict):
        raise DomainError("The request body must be a JSON object.", code="malformed_json")
    return body


def whole_number(raw: object, name: str, *, default: int | None = None) -> int:
    """A count or a sequence number, from JSON or a query string: 0 to 2^31-1, nothing else."""
    if raw is None and default is not None:
        return default
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_INT:
        raise DomainError(
            f"'{name}' must be a whole number from 0 to {MAX_INT:,}.", code="invalid_field", field=name
        )
    return raw


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
    if kind is int:
        return whole_number(value, name)
    return value
