"""Agents work guest conversations from Microsoft Teams: real Bot Framework activities over HTTP, with
JWTs signed by a test key and checked against locally served OpenID metadata; the connector is a local
server recording what the bot sends. Each table row is one move of an agent and what follows."""

from __future__ import annotations

from typing import Any

from .conftest import Teams
from .dialog import NOT_AN_AGENT, After, Card, Dialog, Press, Say, card_facts, choices
from .fake_botframework import APP_TOKEN, GENERAL, TENANT

LINKED = "New conversations of sales will start a thread in this channel."
TOOK = "Alice took this conversation (Sales)."
SLOT_TAKEN = "That time is no longer free; here are the next free times."


async def link_sales(teams: Teams) -> None:
    await Dialog(teams).verify([(Say("link-channel sales", where="channel", mention=True), LINKED)])


async def guest_writes(teams: Teams, text: str = "Hi, I need a quote") -> tuple[dict[str, str], str]:
    g = await teams.guest()
    r = await teams.client.post(
        "/api/guest/conversations", json={"service": "sales", "text": text, "client_id": "c1"}, headers=g
    )
    assert r.status == 201
    return g, (await r.json())["conversation"]["id"]


def execute(teams: Teams, thread: str, verb: str, sender: str = "29:alice", **data: Any) -> dict[str, Any]:
    """A Universal Action press as an activity (tests/integration/test_same_in_every_channel.py uses it)."""
    return teams.activity(
        "invoke",
        sender=sender,
        name="adaptiveCard/action",
        conversation=thread,
        conversation_type="channel",
        value={
            "action": {"type": "Action.Execute", "verb": verb, "data": {"action": verb, **data}},
            "trigger": "manual",
        },
    )


async def conversation_in_teams(teams: Teams) -> Dialog:
    """Sales linked to General, Ann wrote, the thread exists: the dialogue in that thread."""
    await link_sales(teams)
    g, cid = await guest_writes(teams)
    await teams.settle()
    [thread] = teams.ms.threads
    return Dialog(teams, thread=thread, guest=g, cid=cid)


async def test_personal_help_and_unknown_input_get_the_help_card(teams: Teams) -> None:
    await Dialog(teams).verify(
        [
            (
                Say("help"),
                Card(first="Mention me with one of these:", facts={"inbox": "Your open conversations"}),
            ),
            (
                Say("what is this?"),
                Card(
                    facts={"link-channel <service>": "Post this service's new conversations in this channel"}
                ),
            ),
        ]
    )
    assert all(c.authorization == f"Bearer {APP_TOKEN}" for c in teams.ms.calls)
    assert len(teams.ms.token_requests) == 1  # the app token is reused across turns


async def test_the_whole_dialogue(teams: Teams) -> None:
    await link_sales(teams)

    # A guest writes in the widget → a new thread in the linked channel with the conversation's card.
    g, cid = await guest_writes(teams)
    await teams.settle()
    create = [c for c in teams.ms.calls if c.method == "POST" and c.path == "/v3/conversations"]
    assert len(create) == 1
    params = create[0].body
    assert params["isGroup"] is True and params["channelData"]["channel"]["id"] == GENERAL
    assert params["channelData"]["tenant"]["id"] == TENANT
    card = params["activity"]["attachments"][0]["content"]
    assert card_facts(card) == {
        "Guest": "Ann <ann@example.org>",
        "Service": "Sales",
        "Assignee": "nobody yet",
        "Status": "Open",
    }
    assert [a["title"] for a in card["actions"]] == [
        "Assign to me",
        "Assign…",
        "Resolve",
        "Schedule meeting",
        "Open in inbox",
    ]
    assert card["actions"][-1]["url"] == f"http://convene.test/inbox/c/{cid}"
    [thread] = teams.ms.threads
    card_id = thread.partition(";messageid=")[2]
    assert teams.ms.texts(thread) == ["Ann started a conversation with Sales.", "Ann: Hi, I need a quote"]

    dialog = Dialog(teams, thread=thread, guest=g, cid=cid)
    steps = await dialog.verify(
        [
            # "Assign to me" (Universal Action): the refreshed card is the invoke response, the card in
            # the channel is updated in place, and the guest is told.
            (
                Press("assign_me", {"conversation_id": "{cid}"}),
                Card(facts={"Assignee": "Alice"}),
                After(thread=[TOOK], card={"Assignee": "Alice"}, guest_has=("system", TOOK)),
            ),
            # A reply in the thread reaches the guest; it is not echoed back into Teams.
            (
                Say("Hello Ann, happy to help", where="thread"),
                None,
                After(thread=[], card={}, guest=("agent", "Hello Ann, happy to help")),
            ),
            # A reply starting with // is an internal note: agents only, the guest never sees it.
            (
                Say("// she asked for the enterprise price", where="thread"),
                None,
                After(thread=[], guest_unchanged=True),
            ),
            # Someone who is no agent writes in the thread: a refusal there, nothing reaches the guest.
            (
                Say("I'll take it", by="mallory", where="thread"),
                Card(first=NOT_AN_AGENT),
                After(guest_unchanged=True),
            ),
            # Mentioning the bot in the thread runs a command instead of answering the guest.
            (
                Say("link", where="thread", mention=True),
                "http://convene.test/book/alice",
                After(guest_unchanged=True),
            ),
        ]
    )
    assert steps[0].card_updates[0].path == f"/v3/conversations/{thread}/activities/{card_id}"

    # The guest answers → a reply in the thread.
    await teams.client.post(f"/api/guest/conversations/{cid}/messages", json={"text": "Thanks!"}, headers=g)
    await teams.settle()
    assert teams.ms.texts(thread)[-1] == "Ann: Thanks!"


async def test_a_duplicate_activity_does_nothing_twice(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    once = Say("Only once", where="thread", activity_id="dup-1")
    await dialog.verify(
        [
            (once, None, After(guest=("agent", "Only once"))),
            (once, None, After(guest_unchanged=True)),
            (once, None, After(guest_unchanged=True)),
        ]
    )
    assert [t for _, t in await dialog.guest_texts() if t == "Only once"] == ["Only once"]


async def test_a_non_agent_pressing_a_button_is_refused_and_nothing_changes(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    nothing = After(thread=[], card={}, guest_unchanged=True)
    await dialog.verify(
        [
            (
                Press("assign_me", {"conversation_id": "{cid}"}, by="mallory"),
                Card(first=NOT_AN_AGENT),
                nothing,
            ),
            # Action.Submit (older clients) takes the same way: a refusal in the thread, nothing else.
            (
                Press("assign_me", {"conversation_id": "{cid}"}, by="mallory", submit=True),
                Card(first=NOT_AN_AGENT),
                nothing,
            ),
        ]
    )


async def test_buttons_on_a_conversation_the_agent_cannot_see_or_that_do_not_exist_are_refused(
    teams: Teams,
) -> None:
    dialog = await conversation_in_teams(teams)
    nothing = After(thread=[], card={}, guest_unchanged=True)
    await dialog.verify(
        [
            (
                Press("assign_me", {"conversation_id": "no-such-conversation"}),
                Card(error="No such conversation."),
                nothing,
            ),
            # Carol answers for Support only: Sales' conversation is not hers to see.
            (
                Press("assign_me", {"conversation_id": "{cid}"}, by="carol"),
                Card(error="No such conversation."),
                nothing,
            ),
            (
                Press("dance", {"conversation_id": "{cid}"}),
                Card(first="Unknown action 'dance'.", error="Unknown action 'dance'."),
                nothing,
            ),
            # Only the card verbs are reachable: not the methods behind them.
            (
                Press("card", {"conversation_id": "{cid}"}),
                Card(first="Unknown action 'card'.", error="Unknown action 'card'."),
                nothing,
            ),
        ]
    )


async def test_guest_books_and_the_agent_reschedules_from_the_card(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    thread, g = dialog.thread, dialog.guest_headers
    await dialog.verify(
        [(Press("assign_me", {"conversation_id": "{cid}"}), Card(facts={"Assignee": "Alice"}))]
    )

    # The guest books with Alice → a notice in the thread; the card shows the meeting and offers Reschedule.
    r = await teams.client.post(
        "/api/guest/meetings",
        json={"agent": "alice", "start": "2026-11-24T09:00:00Z", "duration": 30, "subject": "Quote"},
        headers=g,
    )
    assert r.status == 201, await r.text()
    dialog.values["meeting"] = (await r.json())["meeting"]["id"]
    await teams.settle()
    assert teams.ms.texts(thread)[-1].startswith(
        "Meeting booked: Quote, Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin)"
    )
    card = [c for c in teams.ms.calls if c.method == "PUT"][-1].body["attachments"][0]["content"]
    assert card_facts(card)["Next meeting"] == "Tue 24.11.2026 10:00 CET"
    assert [a["title"] for a in card["actions"]][2:5] == ["Resolve", "Reschedule", "Cancel meeting"]

    new_start = "2026-11-24T13:00:00+00:00"  # 14:00 in Berlin, after lunch
    meeting = {"conversation_id": "{cid}", "meeting_id": "{meeting}"}
    steps = await dialog.verify(
        [
            # Reschedule opens a form: durations and free times in her zone.
            (Press("schedule_form", meeting), Card(inputs=["duration", "slot"])),
            (
                Press("reschedule", {**meeting, "slot": new_start, "duration": "30"}),
                Card(facts={"Assignee": "Alice", "Next meeting": "Tue 24.11.2026 14:00 CET"}),
                After(card={"Next meeting": "Tue 24.11.2026 14:00 CET"}),
            ),
            # Taking the same slot again is refused by the engine, in its words, on the form.
            (
                Press("book", {"conversation_id": "{cid}", "slot": new_start, "duration": "30"}),
                Card(error=SLOT_TAKEN, inputs=["duration", "slot", "subject"]),
                After(thread=[], card={}, guest_unchanged=True),
            ),
            # A form sent without its time or duration is answered on the form, and nothing changes.
            (
                Press("book", {"conversation_id": "{cid}", "duration": "30"}),
                Card(error="Choose a time."),
                After(card={}),
            ),
            (
                Press("change_duration", {"meeting_id": "{meeting}"}),
                Card(error="Choose a duration."),
                After(card={}),
            ),
            # Cancel asks first, then cancels; the card drops the meeting.
            (Press("cancel_form", meeting), Card(first="Cancel the meeting on Tue 24.11.2026 14:00 CET?")),
            (
                Press("cancel", meeting),
                Card(facts={"Next meeting": None}),
                After(card={"Next meeting": None}),
            ),
        ]
    )
    form = steps[0].answers[0]
    assert isinstance(form, dict)
    assert [c["value"] for c in choices(form, "duration")] == ["30"]
    slots = choices(form, "slot")
    assert "2026-11-24T09:00:00+00:00" not in [c["value"] for c in slots]  # the booked hour is not offered
    assert slots[0]["title"].endswith("CET") and new_start in [c["value"] for c in slots]
    guest_lines = [t for k, t in await dialog.guest_texts() if k == "system"]
    assert any("14:00" in line and "resched" in line.lower() for line in guest_lines), guest_lines
    refused = steps[2].answers[0]
    assert isinstance(refused, dict) and new_start not in [c["value"] for c in choices(refused, "slot")]
