"""Runs Calendar v3 calls for one agent: fresh credentials, a thread per blocking call, retries.

google-api-python-client sits on httplib2, which blocks, so every call goes through
``asyncio.to_thread``; that keeps the event loop (guests' websockets, and in tests the fake servers)
responsive. We pass ``num_retries=0`` and retry ourselves so throttling waits are injectable and
uniform with Graph.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import httplib2
import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import Request as RefreshRequest
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from adapters.calendars.google.oauth import credentials_from_dict, credentials_to_dict
from adapters.calendars.google.workspace import WORKSPACE, delegated_credentials, service_account_info
from adapters.calendars.retry import (
    RETRYABLE_STATUSES,
    CalendarHTTPError,
    MailboxLimiter,
    RetryPolicy,
    TransientError,
    parse_retry_after,
)
from scheduling.calendar import CalendarAccount
from scheduling.errors import CalendarDisconnected, CalendarUnavailable

DEFAULT_API_URL = "https://www.googleapis.com"
SERVICE_PATH = "calendar/v3/"
# Google signals per-user/per-project throttling with 403 and these reasons, not only 429.
THROTTLE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})

BuildRequest = Callable[[Any], Any]  # (calendar Resource) -> googleapiclient HttpRequest


def api_endpoint(config: Mapping[str, Any]) -> str:
    """``client_options.api_endpoint`` replaces rootUrl + servicePath as a whole (discovery.py,
    ``build_from_document``), so ``google_api_url`` (a root such as https://www.googleapis.com) gets
    the service path appended here; a URL that already ends in it is used as is."""
    root = str(config.get("google_api_url") or DEFAULT_API_URL).rstrip("/") + "/"
    return root if root.endswith(SERVICE_PATH) else root + SERVICE_PATH


def _error_reason(error: HttpError) -> str | None:
    try:
        body = json.loads(error.content or b"{}")
        errors = body.get("error", {}).get("errors") or [{}]
        reason = errors[0].get("reason")
        return str(reason) if reason else None
    except (ValueError, AttributeError):
        return None


def _has_error(error: RefreshError, code: str) -> bool:
    return any(code in (arg.get("error", "") if isinstance(arg, dict) else str(arg)) for arg in error.args)


def _is_invalid_grant(error: RefreshError) -> bool:
    return _has_error(error, "invalid_grant")


def _translate(error: Exception) -> Exception:
    """Map library exceptions to: transient (retry), disconnected (stop) or an HTTP answer."""
    if isinstance(error, HttpError):
        status = int(error.resp.status)
        reason = _error_reason(error)
        retry_after = parse_retry_after(error.resp.get("retry-after"))
        if status in RETRYABLE_STATUSES or (status == 403 and reason in THROTTLE_REASONS):
            return TransientError(
                f"Google Calendar answered {status} {reason or ''}".strip(), status, retry_after
            )
        if status == 401:
            return CalendarDisconnected(None, "Google rejected the agent's access token")
        return CalendarHTTPError(
            status, f"Google Calendar answered {status} {reason or ''}".strip(), reason=reason
        )
    if isinstance(error, RefreshError):
        if _has_error(error, "unauthorized_client") or _has_error(error, "access_denied"):
            return CalendarDisconnected(
                None, "Google Workspace refused domain-wide delegation for this user (unauthorized_client)"
            )
        if _is_invalid_grant(error):
            return CalendarDisconnected(
                None, "Google access was revoked or expired; the agent must reconnect"
            )
        if getattr(error, "retryable", False):
            return TransientError(f"token refresh failed: {error}")
        return CalendarUnavailable(None, f"token refresh failed: {error}")
    if isinstance(error, OSError | httplib2.HttpLib2Error | TransportError | GoogleAuthError):
        return TransientError(f"Google Calendar unreachable: {error!r}")
    return error


def calendar_call(resource: str, method: str, **params: Any) -> BuildRequest:
    """``calendar_call("events", "list", calendarId=...)`` is ``svc.events().list(calendarId=...)``,
    bound to its parameters now (the request itself is built later, on a worker thread)."""
    return lambda service: getattr(getattr(service, resource)(), method)(**params)


def _reraise(error: Exception) -> NoReturn:
    translated = _translate(error)
    if translated is error:
        raise error
    raise translated from error


class GoogleClient:
    def __init__(self, config: Mapping[str, Any], policy: RetryPolicy, timeout: float = 30.0) -> None:
        self._config = config
        self._endpoint = api_endpoint(config)
        self._policy = policy
        self._timeout = timeout
        self._limit = MailboxLimiter(4)
        self._refresh_locks: dict[str, asyncio.Lock] = {}
        self._service_account = service_account_info(config)
        self._delegated: dict[str, Any] = {}  # email -> service-account credentials (token kept in memory)

    @property
    def delegation_configured(self) -> bool:
        return self._service_account is not None

    async def execute(self, account: CalendarAccount, build_request: BuildRequest, what: str) -> Any:
        async with self._limit(account.email):
            return await self._policy.run(lambda: self._attempt(account, build_request), what)

    async def _attempt(self, account: CalendarAccount, build_request: BuildRequest) -> Any:
        credentials = await self._fresh_credentials(account)
        token_before = credentials.token
        try:
            return await asyncio.to_thread(self._execute_blocking, credentials, build_request)
        finally:
            # google-auth refreshes by itself on a 401 mid-call; keep what it got (a delegated token
            # is only kept in memory: it is re-minted from the key, never stored).
            if credentials.token != token_before and account.external_user_id != WORKSPACE:
                await self._store(account, credentials)

    async def _fresh_credentials(self, account: CalendarAccount) -> Any:
        lock = self._refresh_locks.setdefault(account.email.lower(), asyncio.Lock())
        async with lock:  # one refresh per agent, not one per concurrent call
            if account.external_user_id == WORKSPACE:
                return await self._delegated_credentials(account)
            credentials = credentials_from_dict(self._config, account.credentials)
            if credentials.valid:
                return credentials
            if not credentials.refresh_token:
                raise CalendarDisconnected(None, "no Google refresh token stored; the agent must reconnect")
            await asyncio.to_thread(self._refresh_blocking, credentials)
            await self._store(account, credentials)
            return credentials

    async def _delegated_credentials(self, account: CalendarAccount) -> Any:
        """The service account acting as the agent; a token is minted (signed JWT) when there is none
        or it has expired."""
        if self._service_account is None:
            raise CalendarDisconnected(None, "Google Workspace delegation is not set up on this server")
        key = account.email.lower()
        credentials = self._delegated.get(key)
        if credentials is None:
            credentials = delegated_credentials(self._config, self._service_account, account.email)
            self._delegated[key] = credentials
        if not credentials.valid:
            await asyncio.to_thread(self._refresh_blocking, credentials)
        return credentials

    @staticmethod
    async def _store(account: CalendarAccount, credentials: Credentials) -> None:
        new = credentials_to_dict(credentials)
        account.credentials = new
        if account.save_credentials is not None:
            await account.save_credentials(new)

    def _refresh_blocking(self, credentials: Any) -> None:
        # Our own session, closed at once: a command that ends must leave no socket open.
        with requests.Session() as session:
            try:
                credentials.refresh(RefreshRequest(session=session))  # type: ignore[no-untyped-call]
            except Exception as error:
                _reraise(error)

    def _execute_blocking(self, credentials: Any, build_request: BuildRequest) -> Any:
        # A fresh httplib2.Http per call: it is not thread-safe, and calls run on pool threads.
        raw = httplib2.Http(timeout=self._timeout)
        http = AuthorizedHttp(credentials, http=raw)
        service = build(
            "calendar",
            "v3",
            http=http,
            static_discovery=True,  # the bundled document: no network fetch of discovery JSON
            cache_discovery=False,
            client_options={"api_endpoint": self._endpoint},
        )
        try:
            return build_request(service).execute(num_retries=0)
        except Exception as error:
            _reraise(error)
        finally:
            raw.close()  # its keep-alive sockets (and the token refresh's) end with the call
