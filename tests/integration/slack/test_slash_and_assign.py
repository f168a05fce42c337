"""``/convene`` and the assign buttons and modal, as an agent in Slack would use them."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import SlackDriver
from .test_dialogue import guest_sees, guest_writes, link_sales, slack_root_ts
from .test_platform_rules import assignee


@pytest.fixture
async def thread(slack: SlackDriver) -> tuple[dict[str, str], str, str]:
    await link_sales(slack)
    g, cid = await guest_writes(slack)
    await slack.settle()
    return g, cid, slack_root_ts(slack)


@pytest.mark.parametrize(
    "text, reply_starts",
    [
        ("", "*Usage:*"),
        ("help", "*Usage:*"),
        ("frobnicate", "I don't know `frobnicate`."),
        ("inbox now", "`inbox` takes no arguments."),
        ("assign", "`assign` needs a conversation id and @someone or a service."),
        ("assign 1234 @bob", "`assign` needs a conversation id and @someone or a service."),
        ("assign 0b7a0f6e-5d1f-4c38-9d1e-000000000000 Bob!", "Assign to @someone or to a service"),
        ("link start=31.02.2026", "`start` must be a date like 24.12.2026, not `31.02.2026`."),
        ("link start=10.12.2026 end=01.12.2026", "`end` comes before `start`."),
        ("link when=tomorrow", "I don't understand `when=tomorrow` in `link`."),
        ("link-channel", "`link-channel` needs one service"),
    ],
)
async def test_bad_arguments_answer_with_usage_at_once(
    slack: SlackDriver, text: str, reply_starts: str
) -> None:
    r = await slack.command("UALICE", text)
    assert r.status == 200
    reply = await r.json()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(reply_starts)
    assert "*Usage:* `/convene <command>`" in reply["text"]
    await slack.settle()
    # answered in the ack: no identity look-up, no engine (bolt's one auth.test aside)
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == []


async def test_my_booking_link(slack: SlackDriver) -> None:
    await slack.command("UALICE", "link start=01.12.2026 end=15.12.2026 subject=Intro call & demo")
    await slack.settle()
    assert slack.fake.ephemerals("UALICE") == [
        "Your booking link: http://convene.test/book/alice?start=01.12.2026&end=15.12.2026&subject=Intro+call+%26+demo"
    ]


async def test_strangers_get_a_refusal_from_every_command(slack: SlackDriver) -> None:
    await slack.command("USTRANGER", "link-channel sales")
    await slack.settle()
    assert slack.fake.ephemerals("USTRANGER")[0].startswith("You are not a Convene agent")
    async with slack.runtime.uow(read_only=True) as uow:
        assert await uow.bindings.service_channels("sales") == []


@pytest.mark.parametrize(
    "target, reply, expected_assignee",
    [
        ("<@UBOB|bob>", "Assigned to Bob.", "bob"),
        ("support", "Assigned to the whole `support` service.", None),
        ("<@UCAROL>", "Assigned to Carol.", "carol"),  # not in Sales: the engine moves it to Support
        ("<@USTRANGER>", "<@USTRANGER> is not a Convene agent.", None),
    ],
)
async def test_assign_from_the_slash_command(
    slack: SlackDriver, thread: Any, target: str, reply: str, expected_assignee: str | None
) -> None:
    _, cid, _ = thread
    await slack.command("UALICE", f"assign {cid} {target}")
    await slack.settle()
    assert slack.fake.ephemerals("UALICE")[-1] == reply
    assert await assignee(slack, cid) == expected_assignee


async def test_inbox_lists_my_conversations(slack: SlackDriver, thread: Any) -> None:
    _, cid, thread_ts = thread
    await slack.click("UALICE", "assign_to_me", cid, message_ts=thread_ts)
    await slack.settle()
    await slack.command("UALICE", "inbox")
    await slack.settle()
    [listing] = [a for a in slack.fake.of("chat.postEphemeral") if a["text"].startswith("Your conversations")]
    assert listing["text"] == "Your conversations (1)"
    first = listing["blocks"][0]["text"]["text"]
    assert "*Ann*" in first and cid in first
    assert [e["action_id"] for e in listing["blocks"][1]["elements"]] == ["assign_to_me", "open_inbox"]


async def test_assign_modal_filters_assignees_by_service(slack: SlackDriver, thread: Any) -> None:
    g, cid, thread_ts = thread
    await slack.click("UALICE", "assign_open", cid, message_ts=thread_ts)
    await slack.settle()
    view = slack.last_view()
    assert view["callback_id"] == "assign_modal"

    def options(v: dict[str, Any], prefix: str) -> list[str]:
        block = next(b for b in v["blocks"] if b["block_id"].split(":")[0] == prefix)
        return [o["text"]["text"] for o in block["element"]["options"]]

    assert options(view, "service") == ["Sales", "Support"]
    assert options(view, "assignee") == ["The whole service", "Alice", "Bob"]

    # Picking another service refreshes the assignee list in place (views.update).
    await slack.click("UALICE", "assign_service", "", view=view, selected="support")
    await slack.settle()
    view = slack.last_view()
    assert options(view, "assignee") == ["The whole service", "Carol", "Dave"]

    r = await slack.submit("UALICE", view, {"service": "support", "assignee": "carol"})
    assert r.status == 200
    assert await r.text() == ""  # the modal closes
    await slack.settle()
    assert await assignee(slack, cid) == "carol"
    assert ("system", "Convene", "Alice assigned this conversation to Carol (Support).") in await guest_sees(
        slack, g, cid
    )


async def test_engine_refusals_show_inside_the_modal(slack: SlackDriver, thread: Any) -> None:
    _, cid, thread_ts = thread
    await slack.click("UALICE", "assign_open", cid, message_ts=thread_ts)
    await slack.settle()
    view = slack.last_view()
    r = await slack.submit("UALICE", view, {"service": "sales", "assignee": "dave"})
    answer = await r.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"].values()) == ["dave is not a member of Sales."]
    await slack.settle()
    assert await assignee(slack, cid) is None
