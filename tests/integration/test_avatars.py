"""An agent's uploaded picture becomes the avatar guests see; anything that is not a picture is refused."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.commands import IssueAgentToken

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def client(seeded: Any) -> Any:
    async with TestClient(TestServer(make_app(seeded, manage_workers=False))) as c:
        c.runtime = seeded
        yield c


async def test_an_uploaded_picture_is_what_the_guest_sees(client: Any) -> None:
    alice = {
        "Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken('alice@example.com'))}"
    }
    r = await client.put("/api/agent/avatar", data=PNG, headers=alice)
    assert r.status == 200
    url = (await r.json())["avatar_url"]
    path = url.removeprefix(client.runtime.settings.base_url)
    served = await client.get(path)
    assert served.status == 200 and await served.read() == PNG and served.content_type == "image/png"

    session = await (await client.post("/api/guest/sessions", json={"name": "Ann"})).json()
    guest = {"Authorization": f"Bearer {session['token']}"}
    started = await (
        await client.post("/api/guest/conversations", json={"agent": "alice", "text": "hi"}, headers=guest)
    ).json()
    assert started["conversation"]["title"] == "Alice"
    assert started["conversation"]["avatar"]["url"] == url

    await client.delete("/api/agent/avatar", headers=alice)
    again = await (
        await client.get(f"/api/guest/conversations/{started['conversation']['id']}", headers=guest)
    ).json()
    assert again["avatar"]["url"] is None and again["avatar"]["initials"] == "A"


@pytest.mark.parametrize(
    "body, headers, status, code",
    [
        (b"<svg onload=alert(1)>", "alice", 400, "avatar_not_an_image"),  # the bytes decide, not the type
        (PNG + b"\x00" * (512 * 1024), "alice", 400, "avatar_too_large"),
        (PNG, None, 401, "invalid_token"),
    ],
)
async def test_bad_uploads_are_refused_and_change_nothing(
    client: Any, body: bytes, headers: str | None, status: int, code: str
) -> None:
    auth = {}
    if headers:
        auth = {
            "Authorization": f"Bearer {await client.runtime.bus.handle(IssueAgentToken('alice@example.com'))}"
        }
    r = await client.put("/api/agent/avatar", data=body, headers={**auth, "Content-Type": "image/png"})
    assert r.status == status and (await r.json())["code"] == code
    async with client.runtime.uow(read_only=True) as uow:
        assert (await uow.agents.get("alice")).avatar_url is None


@pytest.mark.parametrize("name", ["..%2Fsecret_key", "alice.png", "alice-0123456789ab.gif"])
async def test_only_stored_pictures_are_served(client: Any, name: str) -> None:
    assert (await client.get(f"/avatars/{name}")).status == 404
