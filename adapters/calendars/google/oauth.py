"""Google OAuth 2.0 web-server flow (authorization code + PKCE) and the credentials we persist.

The engine stores the credentials dict encrypted; this module only turns it into google-auth
``Credentials`` and back. Every endpoint is configurable so tests run against a local server.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
from google.oauth2.credentials import Credentials

from scheduling.errors import CalendarDisconnected, CalendarUnavailable, SchedulingError

DEFAULT_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"

# calendar.readonly cannot write bookings, and full "calendar" is more than we need: list calendars,
# query free/busy, and read/write events.
SCOPES: tuple[str, ...] = (
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.events",
)


def token_url(config: Mapping[str, Any]) -> str:
    return str(config.get("google_token_url") or DEFAULT_TOKEN_URL)


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)  # 86 chars, inside RFC 7636's 43..128
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def authorization_url(
    config: Mapping[str, Any], redirect_uri: str, state: str, login_hint: str | None = None
) -> tuple[str, str]:
    """Where to send the agent's browser, and the PKCE verifier to keep (server side, with ``state``)
    until the callback hands us the code."""
    verifier, challenge = _pkce_pair()
    params = {
        "client_id": config["google_client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "state": state,
        # offline + consent: Google only returns a refresh token on a consented offline grant, and
        # we need one because bookings are written while the agent is away.
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    base = str(config.get("google_auth_url") or DEFAULT_AUTH_URL)
    return f"{base}?{urlencode(params)}", verifier


def _expiry_from(expires_in: Any) -> str | None:
    if expires_in is None:
        return None
    return (datetime.now(UTC) + timedelta(seconds=int(expires_in))).isoformat()


async def exchange_code(
    config: Mapping[str, Any], code: str, code_verifier: str, redirect_uri: str
) -> dict[str, Any]:
    """Trade the callback's code for tokens. Returns the credentials dict to persist (encrypted)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": code_verifier,
        "redirect_uri": redirect_uri,
        "client_id": config["google_client_id"],
        "client_secret": config["google_client_secret"],
    }
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(token_url(config), data=form) as response:
                payload = await response.json(content_type=None)
                status = response.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise CalendarUnavailable(None, f"Google token endpoint unreachable: {error}") from error
    if status != 200 or "access_token" not in payload:
        error_code = payload.get("error") if isinstance(payload, dict) else None
        if error_code == "invalid_grant":
            raise CalendarDisconnected(None, "Google refused the authorization code; connect again")
        raise CalendarUnavailable(None, f"Google token endpoint answered {status}", error=error_code)
    granted = set(str(payload.get("scope", " ".join(SCOPES))).split())
    missing = [scope for scope in SCOPES if scope not in granted]
    if missing:
        # Google's consent screen lets people untick scopes; without these we would fail later, on
        # a guest's booking, so refuse the connection now with a clear reason.
        raise SchedulingError(
            "calendar_scopes_missing", "Google Calendar access was only partly granted", missing=missing
        )
    return {
        "token": payload["access_token"],
        "refresh_token": payload.get("refresh_token"),
        "expiry": _expiry_from(payload.get("expires_in")),
        "scopes": sorted(granted),
    }


def credentials_from_dict(config: Mapping[str, Any], data: Mapping[str, Any]) -> Credentials:
    expiry = None
    if data.get("expiry"):
        moment = datetime.fromisoformat(str(data["expiry"]))
        # google-auth compares expiry with a naive UTC clock.
        expiry = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return Credentials(  # type: ignore[no-untyped-call]
        token=data.get("token"),
        refresh_token=data.get("refresh_token"),
        token_uri=token_url(config),
        client_id=config.get("google_client_id"),
        client_secret=config.get("google_client_secret"),
        scopes=list(data.get("scopes") or SCOPES),
        expiry=expiry,
    )


def credentials_to_dict(credentials: Credentials) -> dict[str, Any]:
    expiry = credentials.expiry.replace(tzinfo=UTC).isoformat() if credentials.expiry else None
    return {
        "token": credentials.token,
        "refresh_token": credentials.refresh_token,
        "expiry": expiry,
        "scopes": sorted(credentials.scopes or SCOPES),
    }
