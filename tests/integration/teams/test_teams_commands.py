"""Commands by @mention or in a personal chat, and the platform rules for what the bot sends."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Teams
from .fake_botframework import GENERAL
from .test_teams_dialogue import card_facts, guest_writes, link_sales


def texts_of(card: dict[str, Any]) -> list[str]:
    return [i["text"] for e in card["body"] if e["type"] == "RichTextBlock" for i in e["inlines"]]


@pytest.mark.parametrize(
    "text, reply",
    [
        ("link", "http://convene.test/book/alice"),
        (
            "link start=01.12.2026 end=05.12.2026 subject=Demo",
            "http://convene.test/book/alice?start=01.12.2026&end=05.12.2026&subject=Demo",
        ),
        ("link start=2026-12-01", "'2026-12-01' is not a date like 24.11.2026."),
        ("link start=05.12.2026 end=01.12.2026", "The end date is before the start date."),
        ("link colour=blue", "Usage: link [start=dd.mm.yyyy] [end=dd.mm.yyyy] [subject=…]"),
        ("assign abc", "Usage: assign <conversation> <agent|service>"),
        ("assign 0000000000 bob", "No single conversation starts with '0000000000'."),
        ("link-channel sales", "Use link-channel in a Teams channel, not in a chat."),
        ("link-channel nope", "Use link-channel in a Teams channel, not in a chat."),
    ],
)
async def test_personal_commands_answer_in_the_chat(teams: Teams, text: str, reply: str) -> None:
    assert (await teams.post(teams.activity(text=text))).status == 201
    assert teams.ms.texts("a:personal-alice") == [reply]


async def test_inbox_and_assign_by_command(teams: Teams) -> None:
    g, cid = await guest_writes(teams)
    await teams.post(teams.activity(text=f"assign {cid[:8]} bob"))
    assert teams.ms.texts("a:personal-alice") == ["Assigned to Bob."]
    assert (await teams.guest_texts(g, cid))[-1] == (
        "system",
        "Alice assigned this conversation to Bob (Sales).",
    )
    await teams.post(teams.activity(sender="29:bob", conversation="a:personal-bob", text="inbox"))
    [inbox] = teams.ms.cards("a:personal-bob")
    assert f"Ann (1 unread) · {cid[:8]}" in texts_of(inbox)
    # Refusals are the engine's own words.
    await teams.post(teams.activity(text=f"assign {cid[:8]} carol"))
    assert teams.ms.texts("a:personal-alice")[-1] == "Assigned to Carol."  # carol's own service: support
    # Now in Support, the conversation is no longer Alice's to see, let alone assign.
    await teams.post(teams.activity(text=f"assign {cid[:8]} bob"))
    assert teams.ms.texts("a:personal-alice")[-1] == f"No single conversation starts with '{cid[:8]}'."


async def test_channel_mentions_run_commands_and_chatter_is_ignored(teams: Teams) -> None:
    thread = f"{GENERAL};messageid=5"
    await teams.post(teams.activity(text="hello everyone", conversation=thread, conversation_type="channel"))
    assert teams.ms.calls == []  # not for us: no answer, no lookup
    await teams.post(
        teams.activity(
            text="link-channel nope", mention=True, conversation=thread, conversation_type="channel"
        )
    )
    assert teams.ms.texts(thread) == ["There is no service called 'nope'."]
    await teams.post(
        teams.activity(text="dance", mention=True, conversation=thread, conversation_type="channel")
    )
    [help_card] = teams.ms.cards(thread)
    assert texts_of(help_card)[0] == "I don't know “dance”."


async def test_a_non_agent_is_refused_and_not_remembered(teams: Teams) -> None:
    await teams.post(teams.activity(sender="29:mallory", conversation="a:personal-mallory", text="inbox"))
    [card] = teams.ms.cards("a:personal-mallory")
    assert texts_of(card)[0].startswith("Only Convene agents can do this.")
    async with teams.runtime.uow(read_only=True) as uow:
        assert await uow.identities.get("teams", "aad-mallory") is None


async def test_identity_is_looked_up_once_then_cached(teams: Teams) -> None:
    for _ in range(3):
        await teams.post(teams.activity(sender="29:bob", conversation="a:personal-bob", text="help"))
    lookups = [c for c in teams.ms.calls if "/members/" in c.path]
    assert len(lookups) == 1  # Bob's userPrincipalName matched bob@example.com, then the cache answers
    async with teams.runtime.uow(read_only=True) as uow:
        assert await uow.identities.get("teams", "aad-bob") == "bob"


async def test_throttling_and_gateway_errors_are_retried_respecting_retry_after(teams: Teams) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    teams.channel.connector.sleep = sleep
    await link_sales(teams)
    teams.ms.faults[:] = [(429, {"Retry-After": "7"}), (502, {}), (412, {})]
    g, cid = await guest_writes(teams)
    await teams.settle()
    [thread] = teams.ms.threads
    assert waits[0] == 7.0 and len(waits) == 3
    assert teams.ms.texts(thread) == ["Ann started a conversation with Sales.", "Ann: Hi, I need a quote"]


async def test_a_lasting_failure_leaves_the_notice_to_the_outbox(teams: Teams, clock: Any) -> None:
    async def sleep(seconds: float) -> None:
        return None

    teams.channel.connector.sleep = sleep
    await link_sales(teams)
    teams.ms.faults[:] = [(503, {})]  # not retryable here: the outbox tries again later
    g, cid = await guest_writes(teams)
    await teams.settle()
    assert teams.ms.threads == []
    clock.advance(minutes=5)
    await teams.settle()
    [thread] = teams.ms.threads  # exactly one thread, even though the first try failed
    assert teams.ms.texts(thread) == ["Ann started a conversation with Sales.", "Ann: Hi, I need a quote"]
    r = await teams.post(
        teams.activity(
            "invoke",
            name="adaptiveCard/action",
            conversation=thread,
            conversation_type="channel",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "assign_form",
                    "data": {"action": "assign_form", "conversation_id": cid},
                }
            },
        )
    )
    form = (await r.json())["value"]
    assert [e.get("id") for e in form["body"] if e["type"] == "Input.ChoiceSet"] == ["service", "assignee"]
    r = await teams.post(
        teams.activity(
            "invoke",
            name="adaptiveCard/action",
            conversation=thread,
            conversation_type="channel",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "assign",
                    "data": {
                        "action": "assign",
                        "conversation_id": cid,
                        "service": "sales",
                        "assignee": "carol",
                    },
                }
            },
        )
    )
    refused = (await r.json())["value"]
    assert "carol is not a member of Sales." in texts_of(refused)
    assert card_facts(await _card(teams, thread, cid))["Assignee"] == "nobody yet"


async def _card(teams: Teams, thread: str, cid: str) -> dict[str, Any]:
    r = await teams.post(
        teams.activity(
            "invoke",
            name="adaptiveCard/action",
            conversation=thread,
            conversation_type="channel",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "show_card",
                    "data": {"action": "show_card", "conversation_id": cid},
                }
            },
        )
    )
    return (await r.json())["value"]


async def test_settings_card_saves_through_the_engine(teams: Teams) -> None:
    await teams.post(teams.activity(text="settings"))
    [form] = teams.ms.cards("a:personal-alice")
    assert {e.get("id") for e in form["body"]} >= {"timezone", "durations", "buffer_before", "lunch_break"}
    submit = {
        "action": "save_settings",
        "timezone": "Europe/London",
        "durations": "30,60",
        "buffer_before": "15",
        "lunch_break": "12:00-13:00",
    }
    await teams.post(teams.activity(value=submit))
    assert texts_of(teams.ms.cards("a:personal-alice")[-1])[-1] == "Saved."
    async with teams.runtime.uow(read_only=True) as uow:
        alice = await uow.agents.get("alice")
    assert alice.settings["timezone"] == "Europe/London" and alice.settings["durations"] == [30, 60]
    await teams.post(teams.activity(value={**submit, "timezone": "Mars/Olympus"}))
    refused = texts_of(teams.ms.cards("a:personal-alice")[-1])
    assert "Saved." not in refused and any("Mars/Olympus" in t or "time zone" in t for t in refused), refused


async def test_the_route_is_documented(teams: Teams) -> None:
    doc = await (await teams.client.get("/api/openapi.json")).json()
    assert "post" in doc["paths"]["/api/messages"]
