"""The whole conversation across the widget API and Slack, played as a dialogue table: signed
requests in, a fake Slack Web API out, the guest's view of the conversation checked after each line."""

from __future__ import annotations

from .conftest import SALES, SlackDriver
from .dialog import Click, Expect, Reply, Scene, Slash, card_text, guest_sees, guest_writes, verify_dialog

# Re-exported: tests/integration/test_same_in_every_channel.py sets its scene with them.
from .dialog import link_sales as link_sales
from .dialog import slack_root_ts as slack_root_ts


async def test_guest_to_slack_and_back(slack: SlackDriver) -> None:
    fake = slack.fake
    scene = Scene()
    await verify_dialog(
        slack,
        scene,
        [
            (
                "UALICE",
                Slash("link-channel sales"),
                Expect(
                    ack=None,
                    told=["New conversations of `sales` will appear in this channel."],
                    calls=["users.info", "chat.postEphemeral"],  # who is UALICE? then the answer
                ),
            )
        ],
    )

    # A guest writes in the widget → the root card appears in #sales, the message in its thread.
    scene.guest, scene.cid = await guest_writes(slack)
    await slack.settle()
    [root] = [a for a in fake.of("chat.postMessage") if "thread_ts" not in a]
    assert root["channel"] == SALES
    card = card_text(root["blocks"])
    for expected in ("*Ann* · ann@example.org", "Sales", "Unassigned", "Hi, I need a quote"):
        assert expected in card
    buttons = [e["action_id"] for b in root["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [
        "assign_to_me",
        "assign_open",
        "meeting_schedule",
        "conversation_resolve",
        "open_inbox",
    ]
    scene.ts = root_ts = next(a["thread_ts"] for a in fake.of("chat.postMessage") if "thread_ts" in a)
    assert fake.thread(SALES, root_ts) == [
        "_Ann started a conversation with Sales._",
        "*Ann*: Hi, I need a quote",
    ]

    await verify_dialog(
        slack,
        scene,
        [
            # "Assign to me" → the card shows Alice, the thread and the guest get the notice.
            (
                "UALICE",
                Click("assign_to_me"),
                Expect(
                    told=[],  # the card itself changes; a button on a shared card needs no answer
                    calls=["chat.update", "chat.postMessage"],  # the card, then the notice line
                    assignee="alice",
                    thread_ends="_Alice took this conversation (Sales)._",
                    guest_sees=("system", "Convene", "Alice took this conversation (Sales)."),
                ),
            ),
            # A thread reply reaches the guest unescaped, under her name; Slack gets no echo of it.
            (
                "UALICE",
                Reply("Hello Ann &amp; welcome"),
                Expect(told=[], calls=[], guest_sees=("agent", "Alice", "Hello Ann & welcome")),
            ),
        ],
    )
    updated = fake.of("chat.update")[-1]
    assert updated["ts"] == root_ts and "Alice" in card_text(updated["blocks"])

    # The guest answers → it lands in the thread and the card's last message follows.
    await slack.client.post(
        f"/api/guest/conversations/{scene.cid}/messages", json={"text": "Thanks!"}, headers=scene.guest
    )
    await slack.settle()
    assert fake.thread(SALES, root_ts)[-1] == "*Ann*: Thanks!"
    assert "Thanks!" in card_text(fake.of("chat.update")[-1]["blocks"])
    assert ("agent", "Alice", "Hello Ann & welcome") in await guest_sees(slack, scene.guest, scene.cid)

    # Alice was looked up in Slack once (users.info → email → agent), then found in agent_identities.
    assert [a["user"] for a in fake.of("users.info")] == ["UALICE"]
