"""Direct messages to agents in Slack, by their preferences (bot.notices, bot.preferences), over the
real wire: the app looks the agent up by address (users.lookupByEmail) and posts to them on the local
fake Web API. A mention of Alice in Bob's internal note, a guest's message in Alice's conversation and
a new conversation in her service reach her only when she asked for it."""

from __future__ import annotations

from typing import Any

from bot.commands import AssignConversation, PostMessage
from bot.model import Actor
from bot.preferences import change

from .conftest import SlackDriver
from .dialog import guest_writes, link_sales

ALICE = Actor("agent", "alice", "Alice")
BOB = Actor("agent", "bob", "Bob")


async def prefer(slack: SlackDriver, slug: str, data: dict[str, Any]) -> None:
    runtime = slack.runtime
    async with runtime.uow() as uow:
        await change(uow, slug, data, runtime.clock.now())
        await uow.commit()


def dms_to(slack: SlackDriver, user: str) -> list[dict[str, Any]]:
    return [a for a in slack.fake.of("chat.postMessage") if a.get("channel") == user]


def words(call: dict[str, Any]) -> str:
    blocks = call["blocks"] if isinstance(call["blocks"], list) else __import__("json").loads(call["blocks"])
    return " ".join(
        str(b.get("text", {}).get("text", ""))
        + " ".join(str(e.get("url", "")) for e in b.get("elements", []))
        for b in blocks
    )


async def test_a_mention_in_a_note_reaches_the_mentioned_agent_who_asked_for_it(slack: SlackDriver) -> None:
    await prefer(slack, "alice", {"slack": {"mention": True}})
    _, cid = await guest_writes(slack)
    await slack.settle()
    posted = await slack.runtime.bus.handle(
        PostMessage(cid, BOB, "@alice can you take this? cc @carol", internal=True)
    )
    await slack.settle()
    [dm] = dms_to(slack, "UALICE")
    assert "Bob mentioned you in a note" in words(dm)
    assert "can you take this?" in words(dm)
    assert f"http://convene.test/inbox/c/{cid}/m/{posted.message.id}" in words(dm)
    assert dms_to(slack, "UCAROL") == []  # Carol did not ask for mentions in Slack
    assert [c.args["email"] for c in slack.fake.calls if c.method == "users.lookupByEmail"] == [
        "alice@example.com"
    ]


async def test_no_direct_message_without_the_preference_and_none_for_a_public_reply(
    slack: SlackDriver,
) -> None:
    _, cid = await guest_writes(slack)
    await slack.runtime.bus.handle(PostMessage(cid, BOB, "@alice have a look", internal=True))
    await prefer(slack, "alice", {"slack": {"mention": True}})
    await slack.runtime.bus.handle(PostMessage(cid, BOB, "@alice said hi"))  # to the guest: no mention
    await slack.settle()
    assert dms_to(slack, "UALICE") == []
    assert not [c for c in slack.fake.calls if c.method == "users.lookupByEmail"]


async def test_a_guest_message_reaches_the_assignee_and_a_new_conversation_the_service(
    slack: SlackDriver,
) -> None:
    await link_sales(slack)
    await prefer(slack, "alice", {"slack": {"guest_message": True}})
    await prefer(slack, "bob", {"slack": {"new_conversation": True}})
    headers, cid = await guest_writes(slack, name="Ann")
    await slack.settle()
    [started] = dms_to(slack, "UBOB")
    assert "New conversation with Ann" in words(started) and f"/inbox/c/{cid}" in words(started)
    assert dms_to(slack, "UALICE") == []  # not assigned to her yet

    await slack.runtime.bus.handle(AssignConversation(cid, "sales", "alice", ALICE))
    r = await slack.client.post(
        f"/api/guest/conversations/{cid}/messages", json={"text": "Any news?"}, headers=headers
    )
    assert r.status in (200, 201), await r.text()
    await slack.settle()
    [message] = dms_to(slack, "UALICE")
    assert "New message from Ann" in words(message) and "Any news?" in words(message)
    assert len(dms_to(slack, "UBOB")) == 1  # Bob asked only for new conversations
