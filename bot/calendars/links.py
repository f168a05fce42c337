"""Signed, short-lived links that start an agent's calendar connection from outside the inbox
(a Slack or Teams message, the "your calendar is disconnected" mail), where no bearer token exists.

Stateless: an HMAC of the secret key over (agent, expiry). The OAuth ``state`` that follows is the
one-time part; the link only says who is connecting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from bot.errors import Unauthorized

CONNECT_PATH = "/calendar/google/connect"
DEFAULT_HOURS = 1


def _sign(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), b"calendar-connect:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def connect_token(secret: str, agent_slug: str, now: datetime, *, hours: float = DEFAULT_HOURS) -> str:
    expires = int((now + timedelta(hours=hours)).timestamp())
    payload = json.dumps({"a": agent_slug, "e": expires}, separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")
    return f"{body}.{_sign(secret, payload)}"


def connect_link(settings: Any, agent_slug: str, now: datetime, *, hours: float = DEFAULT_HOURS) -> str:
    token = connect_token(settings.secret_key, agent_slug, now, hours=hours)
    return f"{settings.base_url}{CONNECT_PATH}?link={token}"


def agent_of_link(secret: str, token: str, now: datetime) -> str:
    """The agent the link was made for; refuses a forged, damaged or expired link."""
    refused = Unauthorized(
        "This calendar link is invalid or expired; ask for a new one.", code="invalid_link"
    )
    body, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, TypeError):
        raise refused from None
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, once a 500).
    given = signature.encode("utf-8", "surrogatepass")
    if not signature or not hmac.compare_digest(given, _sign(secret, payload).encode()):
        raise refused
    data = json.loads(payload)
    if int(data["e"]) <= now.timestamp():
        raise refused
    return str(data["a"])
