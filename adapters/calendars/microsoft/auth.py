"""The organisation-wide app token for Microsoft Graph (client-credentials grant, via msal).

One admin consent covers every mailbox in the tenant, so there is no per-agent grant to store.
msal blocks (requests), so it runs in a thread; the token is cached here until shortly before expiry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import msal
import requests

from adapters.calendars.retry import TransientError
from scheduling.errors import CalendarDisconnected

DEFAULT_AUTHORITY_URL = "https://login.microsoftonline.com"
# Errors that another attempt cannot fix: the admin must fix the app registration or consent.
REJECTIONS = frozenset({"invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope"})
EXPIRY_MARGIN = 120.0  # seconds; a token must outlive the request that carries it


class CABundleSession(requests.Session):
    """A requests session that trusts one CA bundle (a private authority, or the tests' self-signed
    one). requests lets ``REQUESTS_CA_BUNDLE`` override ``Session.verify``; a configured bundle must win."""

    def __init__(self, ca_bundle: str) -> None:
        super().__init__()
        self.verify = ca_bundle

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        settings["verify"] = self.verify
        return settings


class AppTokenSource:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        authority: str,
        scope: str,
        http_client: Any | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._authority = authority
        self._scope = scope
        self._http_client = http_client
        self._clock = clock
        self._app: msal.ConfidentialClientApplication | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._stale = False
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                token, lifetime = await asyncio.to_thread(self._acquire_blocking)
                self._token, self._expires_at = token, self._clock() + max(0.0, lifetime - EXPIRY_MARGIN)
                return token
            return self._token

    def invalidate(self) -> None:
        """Graph said 401: forget the token so the next attempt fetches a new one (msal keeps its
        own cache, which would hand the refused token back, so that is emptied too)."""
        self._token = None
        self._stale = True

    def _acquire_blocking(self) -> tuple[str, float]:
        try:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._client_secret,
                    authority=self._authority,
                    # Instance discovery would ask login.microsoftonline.com about any other host;
                    # the real authority is a well-known host that needs no discovery anyway.
                    instance_discovery=False,
                    http_client=self._http_client,
                )
            if self._stale:
                cache = self._app.token_cache
                for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                    cache.remove_at(item)
                self._stale = False
            result = self._app.acquire_token_for_client(scopes=[self._scope])
        except (requests.RequestException, OSError) as error:
            self._app = None  # discovery may not have happened; redo it next time
            raise TransientError(f"Microsoft identity platform unreachable: {error!r}") from error
        except ValueError as error:  # msal: authority discovery failed
            self._app = None
            raise TransientError(f"Microsoft authority unusable: {error}") from error
        if "access_token" not in result:
            code = result.get("error")
            if code in REJECTIONS:
                raise CalendarDisconnected(
                    None,
                    "Microsoft 365 refused the app's credentials; an admin must check the app registration and consent",
                    error=code,
                )
            raise TransientError(
                f"Microsoft token request failed: {code} {result.get('error_description', '')}"
            )
        return str(result["access_token"]), float(result.get("expires_in", 3600))
