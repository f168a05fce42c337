"""A running Convene with Teams switched on, Microsoft's side served locally (no test may reach
Microsoft: name resolution of anything but loopback fails while these tests run)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.bootstrap import bootstrap
from bot.cli import demo
from tests.support.network import loopback_only  # noqa: F401 - autouse: no real service is reachable

from .fake_botframework import APP_ID, APP_PASSWORD, FakeBotFramework, activity


class Teams:
    """The app under test plus Microsoft's fake side, and the moves of the dialogue."""

    def __init__(self, client: TestClient, runtime: Any, ms: FakeBotFramework) -> None:
        self.client = client
        self.runtime = runtime
        self.ms = ms
        self.channel = runtime.channels["teams"]

    def activity(self, kind: str = "message", **kwargs: Any) -> dict[str, Any]:
        return activity(kind, service_url=self.ms.connector_base, **kwargs)

    async def post(self, body: dict[str, Any], *, token: str | None = "valid", **headers: str) -> Any:
        if token == "valid":
            token = self.ms.key.token(serviceurl=body.get("serviceUrl"))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post("/api/messages", json=body, headers=headers)
        await self.channel.idle()
        return response

    async def settle(self) -> None:
        """Delivers everything the engine recorded, and waits for the bot's follow-up work."""
        for _ in range(10):
            await self.channel.idle()
            if not await self.runtime.dispatcher.dispatch_once():
                break
        await self.channel.idle()

    async def guest(self, name: str = "Ann", email: str = "ann@example.org") -> dict[str, str]:
        r = await self.client.post("/api/guest/sessions", json={"name": name, "email": email})
        assert r.status == 201
        return {"Authorization": f"Bearer {(await r.json())['token']}"}

    async def guest_texts(self, headers: dict[str, str], conversation_id: str) -> list[tuple[str, str]]:
        r = await self.client.get(f"/api/guest/conversations/{conversation_id}/messages", headers=headers)
        return [(m["author"]["kind"], m["text"]) for m in (await r.json())["messages"]]


@pytest.fixture
async def teams(sqlite_url: str, make_settings: Any, clock: Any, tmp_path: Path) -> AsyncIterator[Teams]:
    ms = FakeBotFramework(tmp_path)
    await ms.start()
    settings = make_settings(
        sqlite_url,
        run_workers=False,
        teams_app_id=APP_ID,
        teams_app_password=APP_PASSWORD,
        teams_tenant_id="",
        teams_openid_metadata_url=ms.openid_url,
        extra={"teams_login_url": ms.login_url, "teams_ca_bundle": str(ms.cert_path)},
    )
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        yield Teams(client, runtime, ms)
    await runtime.storage.dispose()
    await ms.stop()
