"""Resolve and Reopen from Slack: the root card's buttons and ``/convene resolve|reopen <id>``, as
dialogue tables of what the agent sends, what Slack is asked to do, what the thread and the guest see,
and what the card says afterwards."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.identity import NOT_AN_AGENT

from .conftest import SALES, SlackDriver
from .dialog import Click, Expect, Scene, Slash, Step, card_text, open_scene, verify_dialog

NO_CONVERSATION = ["No such conversation."]
TOLD = ["chat.postEphemeral"]
CARD_AND_NOTICE = ["chat.update", "chat.postMessage"]
RESOLVED = "Alice resolved the conversation."


@pytest.fixture
async def scene(slack: SlackDriver) -> Scene:
    return await open_scene(slack)


def card(slack: SlackDriver) -> tuple[str, list[str]]:
    """The root card's text and its buttons' action ids, as last updated."""
    blocks: list[dict[str, Any]] = slack.fake.of("chat.update")[-1]["blocks"]
    actions = next(b for b in blocks if b["type"] == "actions")
    return card_text(blocks), [e["action_id"] for e in actions["elements"]]


async def status_of(slack: SlackDriver, cid: str) -> str:
    async with slack.runtime.uow(read_only=True) as uow:
        return (await uow.conversations.get(cid)).status


@pytest.mark.parametrize(
    "user, says, expect, status",
    [
        (
            "UALICE",
            Click("conversation_resolve"),
            Expect(
                told=[],
                calls=CARD_AND_NOTICE,
                thread_ends=f"_{RESOLVED}_",
                guest_sees=("system", "Convene", RESOLVED),
            ),
            "resolved",
        ),
        (
            "UALICE",
            Slash("resolve {cid}"),
            Expect(
                told=["Resolved."],
                calls=["chat.postEphemeral", *CARD_AND_NOTICE],
                thread_ends=f"_{RESOLVED}_",
            ),
            "resolved",
        ),
        # Carol is in Support: Sales' conversations are not hers to see, let alone resolve.
        (
            "UCAROL",
            Click("conversation_resolve"),
            Expect(told=NO_CONVERSATION, calls=["users.info", *TOLD], guest_sees=None),
            "open",
        ),
        ("UCAROL", Slash("resolve {cid}"), Expect(told=NO_CONVERSATION), "open"),
        ("USTRANGER", Click("conversation_resolve"), Expect(told=[NOT_AN_AGENT], guest_sees=None), "open"),
        ("UALICE", Slash("resolve {unknown}"), Expect(told=NO_CONVERSATION, calls=TOLD), "open"),
        ("UALICE", Slash("resolve"), Expect(ack="`resolve` needs a conversation id", calls=[]), "open"),
        ("UALICE", Slash("reopen 12"), Expect(ack="`reopen` needs a conversation id", calls=[]), "open"),
        # Reopening an open conversation changes nothing and says nothing in the thread.
        ("UALICE", Click("conversation_reopen"), Expect(told=[], calls=[], guest_sees=None), "open"),
    ],
)
async def test_what_an_agent_sends_and_what_follows(
    slack: SlackDriver, scene: Scene, user: str, says: Step, expect: Expect, status: str
) -> None:
    await verify_dialog(slack, scene, [(user, says, expect)])
    assert await status_of(slack, scene.cid) == status


async def test_the_card_shows_the_status_and_offers_the_other_button(
    slack: SlackDriver, scene: Scene
) -> None:
    first = slack.fake.of("chat.postMessage")[0]["blocks"]
    assert "*Status*\nOpen" in card_text(first)
    await verify_dialog(slack, scene, [("UBOB", Click("conversation_resolve"), Expect(told=[]))])
    text, buttons = card(slack)
    assert "*Status*\nResolved" in text
    assert "conversation_reopen" in buttons and "conversation_resolve" not in buttons

    await verify_dialog(
        slack,
        scene,
        [
            (
                "UBOB",
                Slash("reopen {cid}"),
                Expect(told=["Reopened."], thread_ends="_Bob reopened the conversation._"),
            )
        ],
    )
    text, buttons = card(slack)
    assert "*Status*\nOpen" in text and "conversation_resolve" in buttons


async def test_a_guest_writing_again_reopens_the_card(slack: SlackDriver, scene: Scene) -> None:
    await verify_dialog(slack, scene, [("UALICE", Click("conversation_resolve"), Expect(told=[]))])
    r = await slack.client.post(
        f"/api/guest/conversations/{scene.cid}/messages",
        json={"text": "One more question"},
        headers=scene.guest,
    )
    assert r.status in (200, 201)
    await slack.settle()
    assert slack.fake.thread(SALES, scene.ts)[-1] == "_Ann wrote again: the conversation is open._"
    text, buttons = card(slack)
    assert "*Status*\nOpen" in text and "conversation_resolve" in buttons
    assert await status_of(slack, scene.cid) == "open"


async def test_the_inbox_command_leaves_resolved_conversations_out(slack: SlackDriver, scene: Scene) -> None:
    await verify_dialog(
        slack,
        scene,
        [
            ("UALICE", Click("assign_to_me"), Expect(assignee="alice")),
            ("UALICE", Slash("inbox"), Expect(told=["Your conversations (1)"])),
            ("UALICE", Click("conversation_resolve"), Expect(told=[])),
            ("UALICE", Slash("inbox"), Expect(told=["Your conversations (0)"])),
        ],
    )


async def test_when_a_snooze_ends_the_assignee_gets_a_direct_message(
    slack: SlackDriver, scene: Scene
) -> None:
    from bot.model import Actor
    from bot.status.commands import SnoozeConversation

    await verify_dialog(slack, scene, [("UBOB", Click("assign_to_me"), Expect(assignee="bob"))])
    await slack.runtime.bus.handle(
        SnoozeConversation(scene.cid, Actor("agent", "alice", "Alice"), preset="hour")
    )
    await slack.settle()
    slack.runtime.clock.advance(minutes=30)
    await slack.runtime.jobs.run_due()
    await slack.settle()
    assert not [a for a in slack.fake.of("chat.postMessage") if a["channel"] == "UBOB"]  # not yet
    slack.runtime.clock.advance(minutes=31)
    while await slack.runtime.jobs.run_due():
        pass
    await slack.settle()
    [dm] = [a for a in slack.fake.of("chat.postMessage") if a["channel"] == "UBOB"]  # on by default
    assert dm["text"] == "The snooze ended: your conversation with Ann is open again."
    assert f'"url": "http://convene.test/inbox/c/{scene.cid}/m/' in json.dumps(dm["blocks"])
    assert "thread_ts" not in dm
    assert slack.fake.thread(SALES, scene.ts)[-1] == "_The snooze ended: the conversation is open again._"
    text, buttons = card(slack)
    assert "*Status*\nOpen" in text and "conversation_resolve" in buttons

    # Snoozed again, and that snooze ends too: a second direct message, not taken for a redelivery.
    await slack.runtime.bus.handle(SnoozeConversation(scene.cid, Actor("agent", "bob", "Bob"), preset="hour"))
    slack.runtime.clock.advance(minutes=61)
    while await slack.runtime.jobs.run_due():
        pass
    await slack.settle()
    assert len([a for a in slack.fake.of("chat.postMessage") if a["channel"] == "UBOB"]) == 2


async def test_a_snooze_shows_on_the_card_in_the_snoozers_zone(slack: SlackDriver, scene: Scene) -> None:
    from bot.model import Actor
    from bot.status.commands import SnoozeConversation

    await slack.runtime.bus.handle(
        SnoozeConversation(scene.cid, Actor("agent", "alice", "Alice"), until="2026-11-24T09:00")
    )
    await slack.settle()
    text, buttons = card(slack)
    assert "*Status*\nSnoozed until Tue 24 Nov 09:00 (Europe/Berlin)" in text
    assert "conversation_reopen" in buttons
    # the snooze is a note among agents: it reaches the thread as a line (Slack is agents only)
    assert slack.fake.thread(SALES, scene.ts)[-1] == "_Alice snoozed the conversation._"
