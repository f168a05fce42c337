"""One Convene with Slack and Teams both switched on: the web API, the Slack modal and the Teams card
offer the same booking options for the same agent, and naming a person assigns the same way in each.

Both platforms speak their real wire protocols to local fakes (signed Slack requests, Bot Framework
activities with JWTs), exactly as in tests/integration/slack and tests/integration/teams.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import make_app
from bot.bootstrap import bootstrap
from bot.cli import demo
from tests.support.network import loopback_only  # noqa: F401 - autouse: no real service is reachable

from .slack.conftest import SECRET, USERS, SlackDriver
from .slack.fake_slack import FakeSlack
from .slack.test_dialogue import link_sales as link_slack_channel
from .slack.test_dialogue import slack_root_ts
from .teams.conftest import Teams
from .teams.fake_botframework import APP_ID, APP_PASSWORD, FakeBotFramework
from .teams.test_teams_dialogue import execute
from .teams.test_teams_dialogue import link_sales as link_teams_channel

# 03:00 UTC is still yesterday in New York: a window taken in UTC would start a day late.
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@dataclass
class Everywhere:
    client: TestClient
    runtime: Any
    slack: SlackDriver
    teams: Teams


@pytest.fixture
async def everywhere(
    sqlite_url: str, make_settings: Any, clock: Any, tmp_path: Path
) -> AsyncIterator[Everywhere]:
    clock.set(NOW)
    fake_slack = FakeSlack()
    fake_slack.users.update(USERS)
    await fake_slack.start()
    ms = FakeBotFramework(tmp_path)
    await ms.start()
    settings = make_settings(
        sqlite_url,
        run_workers=False,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.url + "/api/",
        teams_app_id=APP_ID,
        teams_app_password=APP_PASSWORD,
        teams_tenant_id="",
        teams_openid_metadata_url=ms.openid_url,
        extra={
            "slack_min_interval": 0,
            "teams_login_url": ms.login_url,
            "teams_ca_bundle": str(ms.cert_path),
        },
    )
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
        yield Everywhere(
            client, runtime, SlackDriver(client, fake_slack, runtime), Teams(client, runtime, ms)
        )
    await runtime.stop()
    await ms.stop()
    await fake_slack.stop()


async def guest_writes_to_sales(client: TestClient) -> tuple[dict[str, str], str]:
    r = await client.post("/api/guest/sessions", json={"name": "Ann", "email": "ann@example.org"})
    guest = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await client.post("/api/guest/conversations", json={"service": "sales", "text": "Hi"}, headers=guest)
    assert r.status == 201
    return guest, (await r.json())["conversation"]["id"]


async def alice_works_in_new_york(runtime: Any, durations: list[int]) -> None:
    async with runtime.uow() as uow:
        alice = await uow.agents.get("alice")
        alice.settings = {"timezone": "America/New_York", "durations": durations}
        await uow.agents.save(alice)
        await uow.commit()


@dataclass(frozen=True)
class Offer:
    timezone: str
    durations: list[int]
    default_duration: int
    default_subject: str
    window: str  # "Sun 22 Nov 2026 to Tue 22 Dec 2026"


def window_text(start: date, end: date) -> str:
    return f"{start:%a %d %b %Y} to {end:%a %d %b %Y}"


async def web_offer(world: Everywhere, guest: dict[str, str]) -> Offer:
    info = await (await world.client.get("/api/agents/alice/booking", headers=guest)).json()
    start, end = date.fromisoformat(info["window_start"]), date.fromisoformat(info["window_end"])
    assert info["horizon_days"] == (end - start).days
    return Offer(
        info["timezone"],
        info["durations"],
        info["default_duration"],
        info["default_subject"],
        window_text(start, end),
    )


async def slack_offer(world: Everywhere, cid: str) -> Offer:
    slack = world.slack
    await slack.click("UALICE", "meeting_schedule", cid, message_ts=slack_root_ts(slack))
    await slack.settle()
    blocks = {b.get("block_id", "").split(":")[0]: b for b in slack.last_view()["blocks"]}
    duration = blocks["duration"]["element"]
    context = blocks["window"]["elements"][0]["text"]  # "Times in <zone>, <first> to <last>."
    zone, _, window = context.removeprefix("Times in ").removesuffix(".").partition(", ")
    return Offer(
        zone,
        [int(o["value"]) for o in duration["options"]],
        int(duration["initial_option"]["value"]),
        blocks["subject"]["element"]["initial_value"],
        window,
    )


async def teams_offer(world: Everywhere, cid: str) -> Offer:
    teams = world.teams
    [thread] = teams.ms.threads
    r = await teams.post(execute(teams, thread, "schedule_form", conversation_id=cid))
    form = (await r.json())["value"]
    inputs = {e["id"]: e for e in form["body"] if e["type"].startswith("Input.")}
    texts = [i["text"] for e in form["body"] if e["type"] == "RichTextBlock" for i in e["inlines"]]
    context = next(t for t in texts if t.startswith("Times in "))
    zone, _, window = context.removeprefix("Times in ").removesuffix(".").partition(", ")
    return Offer(
        zone,
        [int(c["value"]) for c in inputs["duration"]["choices"]],
        int(inputs["duration"]["value"]),
        inputs["subject"]["value"],
        window,
    )


@pytest.mark.parametrize(
    "durations, expected_default",
    [
        ([20, 45, 90], 20),  # no 30 offered: the shortest
        ([60, 30, 15], 30),  # 30 offered: 30, whatever the order they were typed in
    ],
)
async def test_web_slack_and_teams_offer_the_same_booking_options(
    everywhere: Everywhere, durations: list[int], expected_default: int
) -> None:
    await alice_works_in_new_york(everywhere.runtime, durations)
    await link_slack_channel(everywhere.slack)
    await link_teams_channel(everywhere.teams)
    guest, cid = await guest_writes_to_sales(everywhere.client)
    await everywhere.teams.settle()
    await everywhere.slack.settle()
    expected = Offer(
        "America/New_York",
        sorted(durations),
        expected_default,
        "Meeting with Ann",
        window_text(date(2026, 11, 22), date(2026, 12, 22)),  # today and the horizon, in New York
    )
    offers = {
        "web": await web_offer(everywhere, guest),
        "slack": await slack_offer(everywhere, cid),
        "teams": await teams_offer(everywhere, cid),
    }
    assert offers == {"web": expected, "slack": expected, "teams": expected}


async def test_booking_without_duration_or_subject_takes_the_engines_defaults(everywhere: Everywhere) -> None:
    await alice_works_in_new_york(everywhere.runtime, [20, 45, 90])
    guest, _ = await guest_writes_to_sales(everywhere.client)
    r = await everywhere.client.post(
        "/api/guest/meetings", json={"agent": "alice", "start": "2026-11-24T15:00:00Z"}, headers=guest
    )
    assert r.status == 201, await r.text()
    meeting = (await r.json())["meeting"]
    assert (meeting["duration"], meeting["subject"], meeting["end"]) == (
        20,
        "Meeting with Ann",
        "2026-11-24T15:20:00Z",
    )


async def assign_in_slack(world: Everywhere, cid: str, person: str) -> None:
    slack_user = {"bob": "<@UBOB|bob>", "carol": "<@UCAROL>"}[person]
    await world.slack.command("UALICE", f"assign {cid} {slack_user}")
    await world.slack.settle()


async def assign_in_teams(world: Everywhere, cid: str, person: str) -> None:
    await world.teams.post(world.teams.activity(text=f"assign {cid[:8]} {person}"))


@pytest.mark.parametrize("channel", ["slack", "teams"])
@pytest.mark.parametrize(
    "person, service",
    [
        ("bob", "sales"),  # in Sales: the conversation stays there
        ("carol", "support"),  # only in Support: the conversation moves with her
    ],
)
async def test_assigning_a_person_has_one_outcome_in_every_channel(
    everywhere: Everywhere, channel: str, person: str, service: str
) -> None:
    _, cid = await guest_writes_to_sales(everywhere.client)
    assign = assign_in_slack if channel == "slack" else assign_in_teams
    await assign(everywhere, cid, person)
    async with everywhere.runtime.uow(read_only=True) as uow:
        conversation = await uow.conversations.get(cid)
    assert (conversation.assigned_service, conversation.assignee) == (service, person)


async def test_with_every_channel_on_every_route_is_documented_beside_it(everywhere: Everywhere) -> None:
    doc = await (await everywhere.client.get("/api/openapi.json")).json()
    summaries = {
        (method.upper(), path): operation["summary"]
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
    }
    assert {("POST", "/slack/events"), ("POST", "/api/messages")} <= set(summaries)
    assert [route for route, summary in summaries.items() if summary == "undocumented"] == []
