"""The whole conversation across the widget API and Slack: signed requests in, a fake Slack Web API out."""

from __future__ import annotations

from typing import Any

from .conftest import SALES, SlackDriver


async def guest_writes(
    slack: SlackDriver, text: str = "Hi, I need a quote", name: str = "Ann"
) -> tuple[dict[str, str], str]:
    r = await slack.client.post("/api/guest/sessions", json={"name": name, "email": "ann@example.org"})
    headers = {"Authorization": f"Bearer {(await r.json())['token']}"}
    r = await slack.client.post(
        "/api/guest/conversations", json={"service": "sales", "text": text}, headers=headers
    )
    assert r.status == 201
    return headers, (await r.json())["conversation"]["id"]


async def guest_sees(slack: SlackDriver, headers: dict[str, str], cid: str) -> list[tuple[str, str, str]]:
    r = await slack.client.get(f"/api/guest/conversations/{cid}/messages", headers=headers)
    return [(m["author"]["kind"], m["author"]["name"], m["text"]) for m in (await r.json())["messages"]]


def card_text(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            parts.append(
                item.get("text", "")
                if isinstance(item.get("text"), str)
                else item.get("text", {}).get("text", "")
            )
    return "\n".join(parts)


async def link_sales(slack: SlackDriver) -> None:
    r = await slack.command("UALICE", "link-channel sales")
    assert r.status == 200
    await slack.settle()


async def test_guest_to_slack_and_back(slack: SlackDriver) -> None:
    fake = slack.fake
    await link_sales(slack)
    assert fake.ephemerals("UALICE") == ["New conversations of `sales` will appear in this channel."]

    # A guest writes in the widget → the root card appears in #sales, the message in its thread.
    g, cid = await guest_writes(slack)
    await slack.settle()
    [root] = [a for a in fake.of("chat.postMessage") if "thread_ts" not in a]
    assert root["channel"] == SALES
    card = card_text(root["blocks"])
    for expected in ("*Ann* · ann@example.org", "Sales", "Unassigned", "Hi, I need a quote"):
        assert expected in card
    buttons = [e["action_id"] for b in root["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["assign_to_me", "assign_open", "meeting_schedule", "open_inbox"]
    thread_ts = slack_root_ts(slack)
    assert fake.thread(SALES, thread_ts) == [
        "_Ann started a conversation with Sales._",
        "*Ann*: Hi, I need a quote",
    ]

    # Alice clicks "Assign to me" → the card shows her, the thread and the guest get the notice.
    r = await slack.click("UALICE", "assign_to_me", cid, message_ts=thread_ts)
    assert r.status == 200
    await slack.settle()
    updates = fake.of("chat.update")
    assert updates and updates[-1]["ts"] == thread_ts
    assert "Alice" in card_text(updates[-1]["blocks"])
    assert fake.thread(SALES, thread_ts)[-1] == "_Alice took this conversation (Sales)._"
    assert ("system", "Convene", "Alice took this conversation (Sales).") in await guest_sees(slack, g, cid)

    # Alice replies in the thread → the guest reads it under her name; Slack does not get an echo.
    r = await slack.send(
        slack.event_body("UALICE", "Hello Ann &amp; welcome", thread_ts=thread_ts), "application/json"
    )
    assert r.status == 200
    await slack.settle()
    assert (await guest_sees(slack, g, cid))[-1] == ("agent", "Alice", "Hello Ann & welcome")
    assert not any("Hello Ann" in t for t in fake.thread(SALES, thread_ts))

    # The guest answers → it lands in the thread and the card's last message follows.
    await slack.client.post(f"/api/guest/conversations/{cid}/messages", json={"text": "Thanks!"}, headers=g)
    await slack.settle()
    assert fake.thread(SALES, thread_ts)[-1] == "*Ann*: Thanks!"
    assert "Thanks!" in card_text(fake.of("chat.update")[-1]["blocks"])

    # Alice was looked up in Slack once (users.info → email → agent), then found in agent_identities.
    assert [a["user"] for a in fake.of("users.info")] == ["UALICE"]


def slack_root_ts(slack: SlackDriver) -> str:
    """The ts Slack gave the root card: every thread line refers to it."""
    replies = [a["thread_ts"] for a in slack.fake.of("chat.postMessage") if "thread_ts" in a]
    assert replies, "no thread replies yet"
    return replies[0]
