"""``/convene invite`` over the real wire: signed slash commands, block actions and view submissions to
the app, ``views.open`` / ``views.update`` / ``chat.postEphemeral`` to the local fake Web API.

The modal has the inbox dialog's fields; every change of one that matters re-counts the free times
with the engine's own slot code; a submission creates the invitation through the same command as the
API (a refusal shows on its block and writes nothing); the result shows the links ready to copy, with
"Send by email". The clock stands on Monday 23 November 2026, 08:00 UTC (09:00 Berlin).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.slack.invite_modal import INVITE_CHANGED, INVITE_SEND, INVITE_VIEW
from storage.invitations import InvitationRow

from .conftest import SALES, SlackDriver

TUESDAY, SATURDAY = "2026-11-24", "2026-11-28"
GOOD = {
    "guest_name": "Carl",
    "guest_email": "carl@customer.example",
    "subject": "Pricing call",
    "duration": "60",
    "members": ["UALICE", "UBOB"],
    "start_date": TUESDAY,
    "end_date": TUESDAY,
    "day_start": "09:00",
    "day_end": "12:00",
}
_ids = itertools.count(1)


def state_of(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The view's state as Slack sends it: every input's value, its initial one unless changed."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element, bid = block["element"], block["block_id"]
        kind, given = element["type"], values.get(bid)
        if kind == "plain_text_input":
            entry = {"value": given if bid in values else element.get("initial_value")}
        elif kind in ("static_select", "radio_buttons"):
            chosen = {"value": given} if bid in values else element.get("initial_option")
            entry = {"selected_option": chosen}
        elif kind == "multi_users_select":
            entry = {"selected_users": given if bid in values else element.get("initial_users", [])}
        elif kind in ("multi_static_select", "checkboxes"):
            initial = [o["value"] for o in element.get("initial_options") or []]
            entry = {"selected_options": [{"value": v} for v in (given if bid in values else initial) or []]}
        elif kind == "datepicker":
            entry = {"selected_date": given if bid in values else element.get("initial_date")}
        else:
            entry = {"selected_time": given if bid in values else element.get("initial_time")}
        state[bid] = {element["action_id"]: {"type": kind, **entry}}
    return {"values": state}


def _user(user: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"}


async def change(slack: SlackDriver, user: str, values: dict[str, Any]) -> str:
    """The agent changes fields of the open modal; answers the count line of the updated modal."""
    view = slack.last_view()
    payload = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": f"trigger-invite-{next(_ids)}",
        "team": {"id": "T1", "domain": "test"},
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "hash": "h1", **view, "state": state_of(view, values)},
        "actions": [{"action_id": INVITE_CHANGED, "block_id": next(iter(values)), "type": "datepicker"}],
    }
    r = await slack.interaction(payload)
    assert r.status == 200
    await slack.settle()
    return count_line(slack.last_view())


async def submit(slack: SlackDriver, user: str, values: dict[str, Any]) -> Any:
    view = slack.last_view()
    payload = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "test"},
        "user": _user(user),
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": f"trigger-invite-{next(_ids)}",
        "view": {"id": "V1", "team_id": "T1", "hash": "h1", **view, "state": state_of(view, values)},
        "response_urls": [],
        "is_enterprise_install": False,
    }
    r = await slack.interaction(payload)
    raw = await r.text()
    await slack.settle()
    return json.loads(raw) if raw else None


def count_line(view: dict[str, Any]) -> str:
    return str(next(b for b in view["blocks"] if b.get("block_id") == "count")["text"]["text"])


async def invitations(slack: SlackDriver) -> int:
    async with slack.runtime.storage.session() as s:
        return int((await s.execute(select(func.count()).select_from(InvitationRow))).scalar_one())


@pytest.fixture
async def opened(slack: SlackDriver) -> SlackDriver:
    r = await slack.command("UALICE", "invite")
    assert (r.status, await r.text()) == (200, "")
    await slack.settle()
    return slack


async def test_the_modal_opens_with_the_inbox_dialogs_fields_and_counts_at_once(opened: SlackDriver) -> None:
    methods = [c.method for c in opened.fake.calls if c.method.startswith("views.")]
    assert methods == ["views.open", "views.update"]  # opened within the trigger's 3 s, then counted
    view = opened.last_view()
    assert view["callback_id"] == INVITE_VIEW
    blocks = {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}
    assert {"guest_name", "guest_email", "subject", "duration", "members", "start_date", "end_date"} <= set(
        blocks
    )
    assert {"day_start", "day_end", "timezone", "send_email"} <= set(blocks)
    assert blocks["members"]["element"]["type"] == "multi_users_select"
    assert blocks["members"]["element"]["initial_users"] == ["UALICE"]  # the organiser, by default
    assert blocks["timezone"]["element"]["initial_value"] == "Europe/Berlin"
    assert count_line(view).endswith("free times* in this time frame.")
    promoted = blocks["promoted"]["element"]
    assert promoted["type"] == "multi_static_select" and promoted["max_selected_items"] == 10


COUNTS = [
    # what the agent changes → the count line of the updated modal
    ({**GOOD}, "*5 free times* in this time frame."),
    ({**GOOD, "duration": "30"}, "*6 free times* in this time frame."),
    ({**GOOD, "start_date": SATURDAY, "end_date": SATURDAY}, "*No free time:* Alice, Bob have no free time…"),
    ({**GOOD, "members": ["UALICE", "USTRANGER"]}, ":warning: <@USTRANGER> is not a Convene agent."),
    ({**GOOD, "members": []}, ":warning: Choose at least one team member."),
    ({**GOOD, "timezone": "Mars/Olympus"}, ":warning: …"),
]


@pytest.mark.parametrize("values, expected", COUNTS)
async def test_every_change_recounts_the_free_times_or_says_why_there_are_none(
    opened: SlackDriver, values: dict[str, Any], expected: str
) -> None:
    line = await change(opened, "UALICE", values)
    assert line.startswith(expected[:-1]) if expected.endswith("…") else line == expected
    assert await invitations(opened) == 0  # counting writes nothing


REFUSALS = [
    ({**GOOD, "guest_email": "carl-at-example"}, "guest_email", "…"),
    ({**GOOD, "subject": "  "}, "subject", "…"),
    (
        {**GOOD, "start_date": SATURDAY, "end_date": SATURDAY},
        "members",
        "No time in this frame suits everyone…",
    ),
    ({**GOOD, "end_date": "2026-11-20"}, "end_date", "The time frame ends (2026-11-20) before it starts…"),
    ({**GOOD, "members": ["USTRANGER"]}, "members", "<@USTRANGER> is not a Convene agent."),
]


@pytest.mark.parametrize("values, block, message", REFUSALS)
async def test_a_refused_submission_shows_on_its_block_and_writes_nothing(
    opened: SlackDriver, values: dict[str, Any], block: str, message: str
) -> None:
    answer = await submit(opened, "UALICE", values)
    assert answer["response_action"] == "errors" and list(answer["errors"]) == [block]
    text = answer["errors"][block]
    assert text.startswith(message[:-1]) if message.endswith("…") else text == message
    assert await invitations(opened) == 0
    assert opened.fake.of("chat.postEphemeral") == []


async def test_a_submission_creates_the_invitation_and_shows_its_links_ready_to_copy(
    opened: SlackDriver,
) -> None:
    await change(opened, "UALICE", GOOD)  # the promoted choices are the free times of this frame
    options = next(b for b in opened.last_view()["blocks"] if b.get("block_id") == "promoted")["element"][
        "options"
    ]
    chosen = [o["value"] for o in options[:2]]
    answer = await submit(opened, "UALICE", {**GOOD, "send_email": "copy", "promoted": chosen})
    assert answer["response_action"] == "update"  # the modal shows the links: they are sure to be seen
    assert await invitations(opened) == 1
    result = opened.fake.of("chat.postEphemeral")[-1]  # and ephemerally, so they outlive the modal
    assert (result["user"], result["channel"]) == ("UALICE", SALES)
    blocks = json.loads(result["blocks"]) if isinstance(result["blocks"], str) else result["blocks"]
    assert answer["view"]["blocks"] == blocks
    code = blocks[1]["text"]["text"]
    assert code.startswith("```Pick any time: ") and code.endswith("```")
    lines = code.strip("`").splitlines()
    token = lines[0].rsplit("/", 1)[1]
    assert lines[1:] == [
        f"Tue 24 Nov 09:00: {lines[0].split(': ', 1)[1]}/20261124T0800Z",
        f"Tue 24 Nov 09:30: {lines[0].split(': ', 1)[1]}/20261124T0830Z",
    ]
    outbox = Path(opened.runtime.settings.data_dir) / "outbox"
    assert list(outbox.glob("invitation.*.eml")) == []  # "copy links": nothing mailed yet
    r = await opened.client.get(f"/api/invitations/{token}")
    view = await r.json()
    assert (r.status, view["invitation"]["subject"]) == (200, "Pricing call")
    # "Send by email" on the result: the customer gets the mail (with fresh links).
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])
    assert button["action_id"] == INVITE_SEND
    await opened.click("UALICE", INVITE_SEND, button["value"])
    await opened.settle()
    assert len(list(outbox.glob("invitation.*.eml"))) == 1
    assert opened.fake.ephemerals("UALICE")[-1].startswith("Sent to carl@customer.example with fresh links")
    assert (await opened.client.get(f"/api/invitations/{token}")).status == 404


async def test_someone_who_is_not_an_agent_gets_no_modal(slack: SlackDriver) -> None:
    await slack.command("USTRANGER", "invite")
    await slack.settle()
    assert [c for c in slack.fake.calls if c.method.startswith("views.")] == []
    assert slack.fake.ephemerals("USTRANGER")[-1].startswith("You are not")


async def test_send_by_email_in_the_result_modal_mails_the_customer_and_says_so_there(
    opened: SlackDriver,
) -> None:
    answer = await submit(opened, "UALICE", {**GOOD, "send_email": "copy"})
    result = answer["view"]
    button = next(e for b in result["blocks"] if b["type"] == "actions" for e in b["elements"])
    await opened.click("UALICE", INVITE_SEND, button["value"], view=result)  # pressed inside the modal
    await opened.settle()
    sent = opened.last_view()
    assert sent["callback_id"] == "invite_result"
    assert sent["blocks"][0]["text"]["text"].startswith("Sent to carl@customer.example with fresh links")
    outbox = Path(opened.runtime.settings.data_dir) / "outbox"
    assert len(list(outbox.glob("invitation.*.eml"))) == 1
