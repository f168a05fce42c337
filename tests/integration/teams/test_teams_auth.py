"""Only Bot Framework may talk to /api/messages: every bad token is refused before anything is read or
written, and the bot says nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import text

from .conftest import Teams
from .fake_botframework import APP_ID


def now() -> int:
    """Read when the token is made: a module-level time goes stale in a long, loaded run."""
    return int(time.time())


def token(teams: Teams, body: dict[str, Any], case: str) -> str | None:
    service_url = body["serviceUrl"]
    ms = teams.ms
    return {
        "wrong issuer": lambda: ms.key.token(serviceurl=service_url, iss="https://evil.example.com"),
        "wrong audience": lambda: ms.key.token(
            serviceurl=service_url, aud="11111111-2222-3333-4444-555555555555"
        ),
        "no audience": lambda: ms.key.token(serviceurl=service_url, aud=None),
        "expired past the skew": lambda: ms.key.token(
            serviceurl=service_url, exp=now() - 6 * 60, nbf=now() - 3600, iat=now() - 3600
        ),
        "unknown key": lambda: ms.rogue.token(serviceurl=service_url),
        "key not endorsed for Teams": lambda: ms.unendorsed.token(serviceurl=service_url),
        "other service url": lambda: ms.key.token(serviceurl="https://smba.evil.example.com/"),
        "not signed": lambda: ms.key.token(serviceurl=service_url).rsplit(".", 1)[0] + ".",
        "garbage": lambda: "not-a-jwt",
        "no header": lambda: None,
    }[case]()


CASES = [
    "wrong issuer",
    "wrong audience",
    "no audience",
    "expired past the skew",
    "unknown key",
    "key not endorsed for Teams",
    "other service url",
    "not signed",
    "garbage",
    "no header",
]


async def counts(teams: Teams) -> tuple[int, ...]:
    async with teams.runtime.storage.session() as s:
        return tuple(
            [
                (await s.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
                for t in ("service_channels", "inbound", "agent_identities", "messages", "outbox")
            ]
        )


@pytest.mark.parametrize("case", CASES)
async def test_bad_tokens_are_refused_and_touch_nothing(teams: Teams, case: str) -> None:
    body = teams.activity(
        text="link-channel sales",
        mention=True,
        conversation="19:general@thread.tacv2;messageid=7",
        conversation_type="channel",
    )
    before = await counts(teams)
    r = await teams.post(body, token=token(teams, body, case))
    assert r.status == 401
    assert await counts(teams) == before
    assert teams.ms.calls == []  # not even a member lookup


async def test_within_the_skew_is_accepted(teams: Teams) -> None:
    body = teams.activity(text="help")
    expired_a_minute_ago = teams.ms.key.token(serviceurl=body["serviceUrl"], exp=now() - 60)
    assert (await teams.post(body, token=expired_a_minute_ago)).status == 201
    assert teams.ms.cards("a:personal-alice")


async def test_not_json_and_wrong_methods(teams: Teams) -> None:
    headers = {"Authorization": "Bearer " + teams.ms.key.token(), "Content-Type": "application/json"}
    assert (await teams.client.post("/api/messages", data="{oops", headers=headers)).status == 400
    assert (
        await teams.client.post("/api/messages", data="x", headers={**headers, "Content-Type": "text/plain"})
    ).status == 415
    assert APP_ID  # the app id is the audience every good token carries
