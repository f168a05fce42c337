"""Bot Framework authentication, in both directions, from Convene settings.

Inbound: botbuilder validates each activity's JWT (issuer, audience = our app id, signing key from the
OpenID metadata, endorsements, 5 minutes of clock skew). Outbound: an app token from the login URL.

Three things botbuilder 4.17 does that we must not inherit:
- it fetches the OpenID metadata and the app token with *synchronous* HTTP (requests, msal) on the event
  loop, once per key refresh and once per turn; we do those calls in a thread and keep the results;
- some token failures surface as bare ``Exception``/``AttributeError``/PyJWT errors; every failure of
  authentication becomes ``PermissionError`` here, which ``CloudAdapter.process`` answers with 401;
- msal would ask login.microsoftonline.com about any non-Microsoft authority (instance discovery); a
  configured login URL is trusted as given.

And one thing we add: inbound handling never waits for the app token. botbuilder asks for credentials
while it processes every activity; ours are made without a token, which is fetched only when something
is sent. While the login endpoint is unreachable, activities are still verified (with the OpenID keys)
and handled, and sending fails with ``AppTokenUnavailable``, a network error the outbox retries.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import jwt
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

BOT_FRAMEWORK = "https://api.botframework.com"
OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
LOGIN_HOST = "https://login.microsoftonline.com"
KEY_REFRESH_AFTER = timedelta(hours=12)
UNKNOWN_KEY_REFRESH_EVERY = timedelta(minutes=5)


def bot_configuration(config: dict[str, Any]) -> SimpleNamespace:
    """The configuration object botbuilder reads. Once any URL is set botbuilder uses only the values
    given (no built-in public-cloud defaults), so every one of them is set explicitly."""
    tenant = config.get("teams_tenant_id") or ""
    return SimpleNamespace(
        APP_ID=config["teams_app_id"],
        APP_PASSWORD=config["teams_app_password"],
        APP_TYPE="SingleTenant" if tenant else "MultiTenant",
        APP_TENANTID=tenant,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=config.get("teams_openid_metadata_url") or OPENID_METADATA,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=BOT_FRAMEWORK,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=BOT_FRAMEWORK,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=login_url(config),
        OAUTH_URL=BOT_FRAMEWORK,
        VALIDATE_AUTHORITY=True,
    )


def login_url(config: dict[str, Any]) -> str:
    """Where the bot gets its app token: the bot's own tenant for single-tenant registrations."""
    if config.get("teams_login_url"):
        return str(config["teams_login_url"]).rstrip("/")
    return f"{LOGIN_HOST}/{config.get('teams_tenant_id') or 'botframework.com'}"


class AppTokenUnavailable(ConnectionError):
    """The login endpoint gave no app token (down, unreachable, or answering an error); nothing can be
    sent to Teams until it does. A ``ConnectionError``, so the outbox keeps retrying with backoff."""


class AppCredentials(MicrosoftAppCredentials):
    """Client-credentials token for the connector, fetched off the event loop and kept until near expiry."""

    def __init__(self, app_id: str, password: str, scope: str, authority: str, verify: Any) -> None:
        super().__init__(app_id, password, oauth_scope=scope)
        self.oauth_endpoint = authority
        self._verify = verify
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._msal: Any = None

    def fresh(self) -> bool:
        return self._token is not None and time.time() < self._expires_at - 300

    def get_access_token(self, force_refresh: bool = False) -> str:
        """Called synchronously by the connector client as it signs a request, on the event loop: it
        returns the token ``ensure_token`` (run just before every send) keeps fresh, and fetches only
        when there is none. It never waits for the lock: a fetch running in a thread may be talking to a
        login server on this very loop (a test's fake), and an attribute read is atomic anyway."""
        token = self._token
        if token is not None and not force_refresh:
            return token
        return self._fetch()

    def _fetch(self) -> str:
        with self._lock:
            scope = (
                self.oauth_scope if self.oauth_scope.endswith("/.default") else self.oauth_scope + "/.default"
            )
            try:
                result = self._app().acquire_token_for_client(scopes=[scope])
            except Exception:
                self._msal = None  # msal would replay a 5xx for a minute; the outbox keeps its own pace
                raise
            if "access_token" not in result:
                self._msal = None
                raise PermissionError(
                    f"Failed to get access token: {result.get('error')}: {result.get('error_description')}"
                )
            token: str = result["access_token"]
            self._token = token
            self._expires_at = time.time() + int(result.get("expires_in", 3600))
            return token

    async def ensure_token(self) -> None:
        if self.fresh():
            return
        try:
            await asyncio.to_thread(self._fetch)
        except Exception as error:  # noqa: BLE001 - msal raises whatever the endpoint's answer causes
            if self._token is not None and time.time() < self._expires_at:
                return  # renewal failed, but the token we have is still good for a while
            raise AppTokenUnavailable(f"no Teams app token from {self.oauth_endpoint}: {error!r}") from error

    def _app(self) -> Any:
        if self._msal is None:
            import requests
            from msal import ConfidentialClientApplication

            session = requests.Session()
            if self._verify is not True:
                # requests lets REQUESTS_CA_BUNDLE override a session's CA file unless the
                # environment is ignored; a configured bundle must win.
                session.trust_env = False
                session.verify = self._verify
            self._msal = ConfidentialClientApplication(
                self.microsoft_app_id,
                client_credential=self.microsoft_app_password,
                authority=self.oauth_endpoint,
                instance_discovery=False,  # the configured login URL is trusted; never ask Microsoft about it
                http_client=session,
                timeout=15,
            )
        return self._msal


class AppCredentialFactory(ServiceClientCredentialsFactory):
    """One credentials object per (scope, login URL), so the token is reused across turns."""

    def __init__(self, app_id: str, password: str, *, verify: Any = True) -> None:
        self.app_id = app_id
        self.password = password
        self.verify = verify
        self._cache: dict[tuple[str, str], AppCredentials] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(app_id) and app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return False  # Teams is only enabled with an app id and password

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        if app_id != self.app_id:
            raise PermissionError("Invalid app id")
        key = (oauth_scope or BOT_FRAMEWORK, login_endpoint)
        credentials = self._cache.get(key)
        if credentials is None:
            credentials = AppCredentials(self.app_id, self.password, key[0], login_endpoint, self.verify)
            self._cache[key] = credentials
        # No token here: botbuilder calls this for every inbound activity, which must not depend on the
        # login endpoint. ``Connector.client`` fetches it (off the loop) before anything is sent.
        return credentials


class TeamsAuthentication(ConfigurationBotFrameworkAuthentication):
    """Botbuilder's validation, with every failure a PermissionError and the key fetch off the loop."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.settings = bot_configuration(config)
        self.credentials = AppCredentialFactory(
            config["teams_app_id"], config["teams_app_password"], verify=config.get("teams_ca_bundle") or True
        )
        super().__init__(self.settings, credentials_factory=self.credentials)
        self.metadata_url: str = self.settings.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        self._last_unknown_refresh = datetime.min

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        if not auth_header or not auth_header.startswith("Bearer "):
            raise PermissionError("Missing bearer token")
        try:
            await self._signing_keys_ready(auth_header[len("Bearer ") :])
            return await super().authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as error:  # noqa: BLE001 - expired, unknown key, bad endorsement, malformed
            raise PermissionError(f"Invalid token: {type(error).__name__}: {error}") from error

    async def _signing_keys_ready(self, token: str) -> None:
        """Refreshes botbuilder's key cache in a thread so its own (blocking) refresh never runs on the loop;
        a token signed with a key we have not seen refreshes too (Microsoft rotates keys), at most every
        few minutes so forged kids cannot make us hammer the metadata endpoint."""
        metadata = JwtTokenExtractor.get_open_id_metadata(self.metadata_url)
        now = datetime.now()
        stale = metadata.last_updated < now - KEY_REFRESH_AFTER
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            kid = None
        unknown = kid is not None and not any(k.get("kid") == kid for k in metadata.keys)
        if unknown and not stale:
            if self._last_unknown_refresh > now - UNKNOWN_KEY_REFRESH_EVERY:
                raise PermissionError("Unknown signing key")
            self._last_unknown_refresh = now
        if stale or unknown:
            await asyncio.to_thread(asyncio.run, metadata._refresh())
        if kid is not None and not any(k.get("kid") == kid for k in metadata.keys):
            raise PermissionError("Unknown signing key")
