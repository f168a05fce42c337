"""Microsoft's side of Teams, served on 127.0.0.1: the Bot Framework OpenID metadata and signing keys,
the login endpoint that gives the bot its app token (HTTPS, as msal insists), and the connector
(``/v3/conversations/…``) that records everything the bot sends. Also: the JWTs Bot Framework would
send with each activity, signed by a test key."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.network import self_signed_cert

APP_ID = "00000000-0000-4000-8000-00000000c0de"
APP_PASSWORD = "test-app-password"
TENANT = "tenant-1"
BOT_ID = f"28:{APP_ID}"
ISSUER = "https://api.botframework.com"
APP_TOKEN = "bot-app-token"
TEAM = "19:team@thread.tacv2"
GENERAL = "19:general@thread.tacv2"

PEOPLE = {
    # Teams user id → what the connector's member lookup answers
    "29:alice": {
        "id": "29:alice",
        "name": "Alice A",
        "aadObjectId": "aad-alice",
        "email": "alice@example.com",
    },
    "29:bob": {
        "id": "29:bob",
        "name": "Bob B",
        "aadObjectId": "aad-bob",
        "userPrincipalName": "bob@example.com",
    },
    "29:carol": {
        "id": "29:carol",
        "name": "Carol C",
        "aadObjectId": "aad-carol",
        "email": "carol@example.com",
    },
    "29:mallory": {
        "id": "29:mallory",
        "name": "Mallory",
        "aadObjectId": "aad-mallory",
        "email": "mallory@contoso.com",
    },
}


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, kid: str, endorsements: list[str] | None) -> None:
        self.kid = kid
        self.endorsements = endorsements
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        key: dict[str, Any] = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64(numbers.n),
            "e": _b64(numbers.e),
        }
        if self.endorsements is not None:
            key["endorsements"] = self.endorsements
        return key

    def token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": APP_ID,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class Call:
    method: str
    path: str
    body: Any
    authorization: str | None
    status: int = 200  # what the fake answered, when it refused (a fault, a removed bot)


@dataclass
class FakeBotFramework:
    folder: Path
    calls: list[Call] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # next connector answers
    threads: list[str] = field(default_factory=list)  # conversations (channel threads) the bot started
    personal: list[str] = field(default_factory=list)  # people the bot opened a one-to-one chat with
    login_status: int | None = None  # while set, the login endpoint answers this (e.g. 503: it is down)
    token_lifetime: int = 3600  # seconds; 0 makes the bot ask for a token before every send
    removed: set[str] = field(default_factory=set)  # conversations the bot was removed from: 403

    def __post_init__(self) -> None:
        self.key = SigningKey("key-1", ["msteams", "webchat"])
        self.unendorsed = SigningKey("key-2", ["webchat"])  # published, but not for Teams
        self.rogue = SigningKey("key-rogue", ["msteams"])  # never published
        self._ids = itertools.count(1000)
        self._runners: list[web.AppRunner] = []

    # --- servers ---------------------------------------------------------------------------------

    async def start(self) -> None:
        metadata = web.Application()
        metadata.router.add_get("/openid", self._openid)
        metadata.router.add_get("/keys", self._keys)
        self.metadata_base = await self._serve(metadata)
        # botbuilder caches signing keys per metadata URL for the whole process; an earlier test's server
        # on the same (reused) port published other keys under the same kid, which would fail as a 401.
        JwtTokenExtractor.metadataCache.pop(self.openid_url, None)

        login = web.Application()
        login.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._login_metadata)
        login.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self.cert_path, key_path = self_signed_cert(self.folder, "login")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, key_path)
        self.login_base = await self._serve(login, context)

        connector = web.Application()
        connector.router.add_route("*", "/v3/{tail:.*}", self._connector)
        self.connector_base = await self._serve(connector)

    async def _serve(self, app: web.Application, context: ssl.SSLContext | None = None) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self._runners.append(runner)
        port = runner.addresses[0][1]
        return f"{'https' if context else 'http'}://127.0.0.1:{port}"

    async def stop(self) -> None:
        for runner in self._runners:
            await runner.cleanup()

    @property
    def openid_url(self) -> str:
        return f"{self.metadata_base}/openid"

    @property
    def login_url(self) -> str:
        return f"{self.login_base}/botframework.com"

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{self.metadata_base}/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.jwk(), self.unendorsed.jwk()]})

    async def _login_metadata(self, request: web.Request) -> web.Response:
        if self.login_status is not None:
            return web.Response(status=self.login_status, text="Service Unavailable")
        base = f"{self.login_base}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if self.login_status is not None:
            return web.Response(status=self.login_status, text="Service Unavailable")
        if form.get("client_id") != APP_ID or form.get("client_secret") != APP_PASSWORD:
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response(
            {"access_token": APP_TOKEN, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    async def _connector(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        call = Call(request.method, request.path, body, request.headers.get("Authorization"))
        self.calls.append(call)
        if call.authorization != f"Bearer {APP_TOKEN}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        parts = request.path.split("/")[3:]  # after /v3/conversations
        if parts and parts[0] in self.removed:
            call.status = 403
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        if self.faults:
            status, headers = self.faults.pop(0)
            call.status = status
            return web.json_response({"error": {"code": "Throttled"}}, status=status, headers=headers)
        if request.method == "POST" and parts == [] and not (body.get("channelData") or {}).get("channel"):
            member = body["members"][0]["id"]  # a one-to-one chat with one person (a direct message)
            self.personal.append(member)
            return web.json_response({"id": f"a:personal-{member}"}, status=201)
        if request.method == "POST" and parts == []:
            n = next(self._ids)
            channel = body["channelData"]["channel"]["id"]
            self.threads.append(f"{channel};messageid={n}")
            return web.json_response({"id": self.threads[-1], "activityId": str(n)}, status=201)
        if request.method == "GET" and len(parts) == 3 and parts[1] == "members":
            person = PEOPLE.get(parts[2])
            if person is None:
                return web.json_response({"error": {"code": "NotFound"}}, status=404)
            return web.json_response(person)
        if request.method in {"POST", "PUT"}:
            return web.json_response({"id": parts[-1] if request.method == "PUT" else str(next(self._ids))})
        return web.json_response({"error": {"code": "BadRequest"}}, status=400)

    # --- what the bot sent -----------------------------------------------------------------------

    def sent(self, method: str = "POST", *, path_contains: str = "") -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and path_contains in c.path and "/members/" not in c.path
        ]

    def texts(self, conversation_id: str) -> list[str]:
        """Plain-text lines the bot posted into one conversation (a thread, a personal chat)."""
        path = f"/v3/conversations/{conversation_id}/activities"
        return [
            c.body["text"] for c in self.calls if c.method == "POST" and c.path == path and c.body.get("text")
        ]

    def cards(self, conversation_id: str) -> list[dict[str, Any]]:
        path = f"/v3/conversations/{conversation_id}/activities"
        return [
            a["content"]
            for c in self.calls
            if c.method == "POST" and c.path == path
            for a in c.body.get("attachments") or []
        ]


def activity(
    kind: str = "message",
    *,
    service_url: str,
    sender: str = "29:alice",
    text: str | None = None,
    conversation: str = "a:personal-alice",
    conversation_type: str = "personal",
    mention: bool = False,
    value: Any = None,
    name: str | None = None,
    activity_id: str | None = None,
) -> dict[str, Any]:
    person = PEOPLE.get(sender, {"id": sender, "name": sender})
    data: dict[str, Any] = {
        "type": kind,
        "id": activity_id or f"act-{time.monotonic_ns()}",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": person["id"], "name": person["name"], "aadObjectId": person.get("aadObjectId")},
        "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT},
        "recipient": {"id": BOT_ID, "name": "Convene"},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if conversation_type == "channel":
        data["conversation"]["isGroup"] = True
        data["channelData"].update(
            {"channel": {"id": GENERAL}, "team": {"id": TEAM}, "teamsChannelId": GENERAL}
        )
    if text is not None:
        data["text"] = f"<at>Convene</at> {text}" if mention else text
    if mention:
        data["entities"] = [
            {"type": "mention", "text": "<at>Convene</at>", "mentioned": {"id": BOT_ID, "name": "Convene"}}
        ]
    if value is not None:
        data["value"] = value
    if name is not None:
        data["name"] = name
    return data


def dumps(value: Any) -> str:
    return json.dumps(value)
