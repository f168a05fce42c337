"""A small Microsoft Graph client: app token, per-mailbox concurrency cap, throttling and paging."""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp

from adapters.calendars.microsoft.auth import AppTokenSource
from adapters.calendars.retry import (
    RETRYABLE_STATUSES,
    CalendarHTTPError,
    MailboxLimiter,
    RetryPolicy,
    TransientError,
    parse_retry_after,
)
from scheduling.errors import CalendarDisconnected, CalendarUnavailable

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
# Graph allows four concurrent requests per mailbox per app before it throttles.
GRAPH_CONCURRENCY_PER_MAILBOX = 4
UTC_PREFERENCE = 'outlook.timezone="UTC"'


class GraphClient:
    def __init__(
        self, base_url: str, tokens: AppTokenSource, policy: RetryPolicy, timeout: float = 30.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._policy = policy
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._limit = MailboxLimiter(GRAPH_CONCURRENCY_PER_MAILBOX)
        self._session: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            # nextLink/deltaLink come from the server; our bearer token must not follow a link that
            # points anywhere but the configured Graph.
            if not path_or_url.startswith(self.base_url + "/"):
                raise CalendarHTTPError(502, "Graph returned a link outside the configured Graph URL")
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    async def request(
        self,
        mailbox: str,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        utc: bool = False,
    ) -> dict[str, Any]:
        url = self._url(path_or_url)
        headers = {"Prefer": UTC_PREFERENCE} if utc else {}
        async with self._limit(mailbox):
            try:
                return await self._policy.run(
                    lambda: self._attempt(method, url, params, json, headers), f"Graph {method} {path_or_url}"
                )
            except CalendarUnavailable as error:
                if error.details.get("status") == 401:  # still refused with a brand-new token
                    raise CalendarDisconnected(
                        None, "Microsoft 365 keeps refusing the app's token"
                    ) from error
                raise

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        body: Any,
        headers: dict[str, str],
    ) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        token = await self._tokens.token()
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=body,
                headers={**headers, "Authorization": f"Bearer {token}"},
            ) as response:
                status = response.status
                text = await response.text()
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TransientError(f"Graph unreachable: {error!r}") from error
        if 200 <= status < 300:
            return _json(text) if text else {}
        code = (_json(text).get("error") or {}).get("code") if text else None
        if status in RETRYABLE_STATUSES:
            raise TransientError(f"Graph answered {status} {code or ''}".strip(), status, retry_after)
        if status == 401:
            # Usually an expired or revoked app token: fetch a new one and try again.
            self._tokens.invalidate()
            raise TransientError(f"Graph answered 401 {code or ''}".strip(), status)
        if status == 403:
            raise CalendarDisconnected(
                None, "Microsoft 365 denied access to this mailbox; check the app's permissions", error=code
            )
        raise CalendarHTTPError(status, f"Graph answered {status} {code or ''}".strip(), error=code)

    async def pages(
        self, mailbox: str, path: str, params: Mapping[str, str] | None = None, *, utc: bool = False
    ) -> AsyncIterator[dict[str, Any]]:
        """Each page of a collection, following ``@odata.nextLink`` (which already carries the query)."""
        page = await self.request(mailbox, "GET", path, params=params, utc=utc)
        while True:
            yield page
            link = page.get("@odata.nextLink")
            if not link:
                return
            page = await self.request(mailbox, "GET", link, utc=utc)


def _json(text: str) -> dict[str, Any]:
    try:
        value = jsonlib.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
