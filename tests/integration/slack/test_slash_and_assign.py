"""``/convene`` and the assign buttons and modal, as an agent in Slack would use them: dialogue tables
of what the agent sends, what Slack is asked to do, what the agent is told, and who has the
conversation afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.identity import NOT_AN_AGENT

from .conftest import SlackDriver
from .dialog import Click, Expect, Scene, Slash, Step, Submit, open_scene, verify_dialog

USAGE = "*Usage:* `/convene <command>`"
REFUSED = [NOT_AN_AGENT]
NO_CONVERSATION = ["No such conversation."]
NO_MEETING = ["No such meeting."]
NO_SERVICE = ["There is no service called 'nosuchservice'."]
TOLD_IN_CHANNEL = ["chat.postEphemeral"]
ASSIGNED = ["chat.postEphemeral", "chat.update", "chat.postMessage"]  # the answer, the card, the notice


@pytest.fixture
async def scene(slack: SlackDriver) -> Scene:
    return await open_scene(slack)


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
        ("new <mailto:dan@example.org|dan@example.org>", "`new` needs a name"),
    ],
)
async def test_bad_arguments_answer_with_usage_at_once(
    slack: SlackDriver, text: str, reply_starts: str
) -> None:
    # answered in the ack: no identity look-up, no engine, no Web API call (bolt's one auth.test aside)
    [heard] = await verify_dialog(
        slack, Scene(), [("UALICE", Slash(text), Expect(ack=reply_starts, calls=[]))]
    )
    assert USAGE in heard.answer["text"]


LINK = "http://convene.test/book/alice?start=01.12.2026&end=15.12.2026&subject=Intro+call+%26+demo"


@pytest.mark.parametrize(
    "user, says, expect",
    [
        # assigning from the slash command
        (
            "UALICE",
            Slash("assign {cid} <@UBOB|bob>"),
            Expect(told=["Assigned to Bob."], calls=["users.info", *ASSIGNED], assignee="bob"),
        ),
        (
            "UALICE",
            Slash("assign {cid} support"),
            Expect(told=["Assigned to the whole `support` service."], calls=ASSIGNED, assignee=None),
        ),
        # Carol is not in Sales: the engine moves the conversation to her service (Support).
        ("UALICE", Slash("assign {cid} <@UCAROL>"), Expect(told=["Assigned to Carol."], assignee="carol")),
        (
            "UALICE",
            Slash("assign {cid} <@USTRANGER>"),
            Expect(
                told=["<@USTRANGER> is not a Convene agent."],
                calls=["users.info", *TOLD_IN_CHANNEL],
                assignee=None,
            ),
        ),
        (
            "UALICE",
            Slash("assign {unknown} support"),
            Expect(told=NO_CONVERSATION, calls=TOLD_IN_CHANNEL, assignee=None),
        ),
        (
            "UALICE",
            Slash("assign {cid} nosuchservice"),
            Expect(told=NO_SERVICE, calls=TOLD_IN_CHANNEL, assignee=None),
        ),
        (
            "USTRANGER",
            Slash("assign {cid} support"),
            Expect(told=REFUSED, calls=["users.info", *TOLD_IN_CHANNEL], assignee=None),
        ),
        # a new conversation: the engine's rule (someone from outside by email) answers in Slack
        (
            "UALICE",
            Slash("new Launch plans"),
            Expect(
                told=["Add at least one person from outside the team by email address."],
                calls=TOLD_IN_CHANNEL,
            ),
        ),
        (
            "UALICE",
            Slash("new Launch plans <mailto:dan@example.org|dan@example.org>"),
            Expect(
                told=["Created “Launch plans”: http://convene.test/inbox/c/…"],
                # the answer, then the new conversation's thread in Sales' channel and its first notice
                calls=["chat.postEphemeral", "chat.postMessage", "chat.postMessage"],
            ),
        ),
        # the other commands
        (
            "UALICE",
            Slash("link start=01.12.2026 end=15.12.2026 subject=Intro call & demo"),
            Expect(told=[f"Your booking link: {LINK}"], calls=TOLD_IN_CHANNEL),
        ),
        ("UALICE", Slash("inbox"), Expect(told=["Your conversations (0)"], calls=TOLD_IN_CHANNEL)),
        ("UALICE", Slash("meetings"), Expect(told=["Your upcoming meetings (0)"], calls=TOLD_IN_CHANNEL)),
        ("UALICE", Slash("link-channel nosuchservice"), Expect(told=NO_SERVICE, calls=TOLD_IN_CHANNEL)),
        (
            "USTRANGER",
            Slash("link-channel support"),
            Expect(told=REFUSED, calls=["users.info", *TOLD_IN_CHANNEL]),
        ),
        ("USTRANGER", Slash("inbox"), Expect(told=REFUSED)),
        ("USTRANGER", Slash("link"), Expect(told=REFUSED)),
        ("USTRANGER", Slash("settings"), Expect(told=REFUSED, calls=["users.info", *TOLD_IN_CHANNEL])),
        # the buttons on the card
        (
            "UALICE",
            Click("assign_to_me"),
            Expect(told=[], calls=["chat.update", "chat.postMessage"], assignee="alice"),
        ),
        ("UBOB", Click("assign_to_me"), Expect(told=[], assignee="bob")),
        # Carol is not in Sales: its conversations are not hers to see, let alone take.
        (
            "UCAROL",
            Click("assign_to_me"),
            Expect(told=NO_CONVERSATION, calls=["users.info", *TOLD_IN_CHANNEL], assignee=None),
        ),
        (
            "USTRANGER",
            Click("assign_to_me"),
            Expect(told=REFUSED, calls=["users.info", *TOLD_IN_CHANNEL], assignee=None, guest_sees=None),
        ),
        (
            "UALICE",
            Click("assign_to_me", "{unknown}"),
            Expect(told=NO_CONVERSATION, calls=TOLD_IN_CHANNEL, assignee=None),
        ),
        ("UALICE", Click("assign_open", "{unknown}"), Expect(told=NO_CONVERSATION, calls=TOLD_IN_CHANNEL)),
        ("USTRANGER", Click("assign_open"), Expect(told=REFUSED, calls=["users.info", *TOLD_IN_CHANNEL])),
        (
            "UALICE",
            Click("meeting_schedule", "{unknown}"),
            Expect(told=NO_CONVERSATION, calls=TOLD_IN_CHANNEL),
        ),
        ("UALICE", Click("meeting_cancel", "{unknown}"), Expect(told=NO_MEETING, calls=TOLD_IN_CHANNEL)),
        ("UALICE", Click("meeting_reschedule", "{unknown}"), Expect(told=NO_MEETING, calls=TOLD_IN_CHANNEL)),
        ("UALICE", Click("meeting_duration", "{unknown}"), Expect(told=NO_MEETING, calls=TOLD_IN_CHANNEL)),
    ],
)
async def test_what_an_agent_sends_and_what_follows(
    slack: SlackDriver, scene: Scene, user: str, says: Step, expect: Expect
) -> None:
    await verify_dialog(slack, scene, [(user, says, expect)])


async def test_a_stranger_cannot_link_a_channel(slack: SlackDriver, scene: Scene) -> None:
    await verify_dialog(slack, scene, [("USTRANGER", Slash("link-channel support"), Expect(told=REFUSED))])
    async with slack.runtime.uow(read_only=True) as uow:
        assert await uow.bindings.service_channels("support") == []


async def test_inbox_lists_my_conversations(slack: SlackDriver, scene: Scene) -> None:
    await verify_dialog(
        slack,
        scene,
        [
            ("UALICE", Click("assign_to_me"), Expect(assignee="alice")),
            ("UALICE", Slash("inbox"), Expect(told=["Your conversations (1)"], calls=TOLD_IN_CHANNEL)),
        ],
    )
    listing = slack.fake.of("chat.postEphemeral")[-1]
    first = listing["blocks"][0]["text"]["text"]
    assert "*Ann*" in first and scene.cid in first
    assert [e["action_id"] for e in listing["blocks"][1]["elements"]] == ["assign_to_me", "open_inbox"]


def options(view: dict[str, Any], prefix: str) -> list[str]:
    block = next(b for b in view["blocks"] if b["block_id"].split(":")[0] == prefix)
    return [o["text"]["text"] for o in block["element"]["options"]]


async def test_assign_modal_filters_assignees_by_service(slack: SlackDriver, scene: Scene) -> None:
    await verify_dialog(
        slack, scene, [("UALICE", Click("assign_open"), Expect(told=[], calls=["views.open"]))]
    )
    view = slack.last_view()
    assert view["callback_id"] == "assign_modal"
    assert options(view, "service") == ["Sales", "Support"]
    assert options(view, "assignee") == ["The whole service", "Alice", "Bob"]

    # Picking another service refreshes the assignee list in place.
    await verify_dialog(
        slack,
        scene,
        [("UALICE", Click("assign_service", "support", in_view=True), Expect(calls=["views.update"]))],
    )
    assert options(slack.last_view(), "assignee") == ["The whole service", "Carol", "Dave"]

    await verify_dialog(
        slack,
        scene,
        [
            (
                "UALICE",
                Submit({"service": "support", "assignee": "carol"}),
                Expect(
                    modal_errors=None,
                    assignee="carol",
                    guest_sees=("system", "Convene", "Alice assigned this conversation to Carol (Support)."),
                ),
            )
        ],
    )


@pytest.mark.parametrize(
    "values, errors, assignee",
    [
        ({"service": "sales", "assignee": "dave"}, {"assignee": "dave is not a member of Sales."}, None),
        (
            {"service": "sales", "assignee": "nobody"},
            {"assignee": "There is no agent called 'nobody'."},
            None,
        ),
        ({"service": "sales", "assignee": "bob"}, None, "bob"),
        ({"service": "sales", "assignee": "*"}, None, None),
    ],
    ids=["not-a-member", "no-such-agent", "a-member", "the-whole-service"],
)
async def test_engine_refusals_show_inside_the_assign_modal(
    slack: SlackDriver,
    scene: Scene,
    values: dict[str, str],
    errors: dict[str, str] | None,
    assignee: str | None,
) -> None:
    await verify_dialog(
        slack,
        scene,
        [
            ("UALICE", Click("assign_open"), Expect(calls=["views.open"])),
            ("UALICE", Submit(values), Expect(modal_errors=errors, assignee=assignee)),
        ],
    )


async def test_a_stranger_submitting_the_assign_modal_is_refused_inside_it(
    slack: SlackDriver, scene: Scene
) -> None:
    await verify_dialog(
        slack,
        scene,
        [
            ("UALICE", Click("assign_open"), Expect(calls=["views.open"])),
            (
                "USTRANGER",
                Submit({"service": "sales", "assignee": "bob"}),
                Expect(modal_errors={"service": NOT_AN_AGENT}, assignee=None, guest_sees=None),
            ),
        ],
    )


def test_new_takes_a_name_and_the_addresses_slack_wraps_in_mailto() -> None:
    from adapters.slack.slash import NewConversation, parse

    text = "new Launch plans <mailto:dan@example.org|dan@example.org> eve@example.org"
    assert parse(text) == NewConversation("Launch plans", ("dan@example.org", "eve@example.org"))
