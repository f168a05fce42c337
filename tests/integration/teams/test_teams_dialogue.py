"""Agents work guest conversations from Microsoft Teams: real Bot Framework activities over HTTP, with
JWTs signed by a test key and checked against locally served OpenID metadata; the connector is a local
server recording what the bot sends."""

from __future__ import annotations

from typing import Any

from .conftest import Teams
from .fake_botframework import APP_TOKEN, GENERAL, TENANT


async def link_sales(teams: Teams) -> None:
    r = await teams.post(
        teams.activity(
            text="link-channel sales",
            mention=True,
            conversation=f"{GENERAL};messageid=1",
            conversation_type="channel",
        )
    )
    assert r.status in (200, 201)
    assert teams.ms.texts(f"{GENERAL};messageid=1") == [
        "New conversations of sales will start a thread in this channel."
    ]


async def guest_writes(teams: Teams, text: str = "Hi, I need a quote") -> tuple[dict[str, str], str]:
    g = await teams.guest()
    r = await teams.client.post(
        "/api/guest/conversations", json={"service": "sales", "text": text, "client_id": "c1"}, headers=g
    )
    assert r.status == 201
    return g, (await r.json())["conversation"]["id"]


def card_facts(card: dict[str, Any]) -> dict[str, str]:
    return {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}


async def test_personal_help_and_unknown_input_get_the_help_card(teams: Teams) -> None:
    for text in ("help", "what is this?"):
        r = await teams.post(teams.activity(text=text))
        assert r.status == 201
    cards = teams.ms.cards("a:personal-alice")
    assert len(cards) == 2
    for card in cards:
        titles = [f["title"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]]
        assert "inbox" in titles and "link-channel <service>" in titles
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
    }
    assert [a["title"] for a in card["actions"]] == [
        "Assign to me",
        "Assign…",
        "Schedule meeting",
        "Open in inbox",
    ]
    assert card["actions"][-1]["url"] == f"http://convene.test/inbox#conversation={cid}"
    [thread] = teams.ms.threads
    card_id = thread.partition(";messageid=")[2]
    assert teams.ms.texts(thread) == ["Ann started a conversation with Sales.", "Ann: Hi, I need a quote"]

    # Alice presses "Assign to me" (Universal Action) → the refreshed card is the invoke response,
    # the card in the channel is updated in place, and the guest is told.
    r = await teams.post(
        teams.activity(
            "invoke",
            name="adaptiveCard/action",
            conversation=thread,
            conversation_type="channel",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "assign_me",
                    "data": {"action": "assign_me", "conversation_id": cid},
                },
                "trigger": "manual",
            },
        )
    )
    assert r.status == 200
    response = await r.json()
    assert response["statusCode"] == 200
    assert card_facts(response["value"])["Assignee"] == "Alice"
    await teams.settle()
    updates = [c for c in teams.ms.calls if c.method == "PUT"]
    assert [u.path for u in updates] == [f"/v3/conversations/{thread}/activities/{card_id}"]
    assert card_facts(updates[0].body["attachments"][0]["content"])["Assignee"] == "Alice"
    assert ("system", "Alice took this conversation (Sales).") in await teams.guest_texts(g, cid)
    assert teams.ms.texts(thread)[-1] == "Alice took this conversation (Sales)."

    # Alice replies in the thread → the guest receives it; it is not echoed back into Teams.
    before = len(teams.ms.texts(thread))
    await teams.post(
        teams.activity(text="Hello Ann, happy to help", conversation=thread, conversation_type="channel")
    )
    await teams.settle()
    assert (await teams.guest_texts(g, cid))[-1] == ("agent", "Hello Ann, happy to help")
    assert len(teams.ms.texts(thread)) == before

    # The guest answers → a reply in the thread.
    await teams.client.post(f"/api/guest/conversations/{cid}/messages", json={"text": "Thanks!"}, headers=g)
    await teams.settle()
    assert teams.ms.texts(thread)[-1] == "Ann: Thanks!"


async def test_a_duplicate_activity_does_nothing_twice(teams: Teams) -> None:
    await link_sales(teams)
    g, cid = await guest_writes(teams)
    await teams.settle()
    [thread] = teams.ms.threads
    reply = teams.activity(
        text="Only once", conversation=thread, conversation_type="channel", activity_id="dup-1"
    )
    for _ in range(3):
        assert (await teams.post(reply)).status == 201
    await teams.settle()
    assert [t for k, t in await teams.guest_texts(g, cid) if t == "Only once"] == ["Only once"]


async def test_a_non_agent_pressing_a_button_is_refused_and_nothing_changes(teams: Teams) -> None:
    await link_sales(teams)
    g, cid = await guest_writes(teams)
    await teams.settle()
    [thread] = teams.ms.threads
    before = await teams.guest_texts(g, cid)
    r = await teams.post(
        teams.activity(
            "invoke",
            sender="29:mallory",
            name="adaptiveCard/action",
            conversation=thread,
            conversation_type="channel",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": "assign_me",
                    "data": {"action": "assign_me", "conversation_id": cid},
                }
            },
        )
    )
    body = await r.json()
    text = body["value"]["body"][0]["inlines"][0]["text"]
    assert text.startswith("Only Convene agents can do this.")
    await teams.settle()
    assert await teams.guest_texts(g, cid) == before
    assert not [c for c in teams.ms.calls if c.method == "PUT"]
    # Action.Submit (older clients) takes the same way: a refusal in the thread, nothing else.
    await teams.post(
        teams.activity(
            sender="29:mallory",
            conversation=thread,
            conversation_type="channel",
            value={"action": "assign_me", "conversation_id": cid},
        )
    )
    await teams.settle()
    assert teams.ms.cards(thread)[-1]["body"][0]["inlines"][0]["text"].startswith("Only Convene agents")
    assert await teams.guest_texts(g, cid) == before


def execute(teams: Teams, thread: str, verb: str, sender: str = "29:alice", **data: Any) -> dict[str, Any]:
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


async def test_guest_books_and_the_agent_reschedules_from_the_card(teams: Teams) -> None:
    await link_sales(teams)
    g, cid = await guest_writes(teams)
    await teams.settle()
    [thread] = teams.ms.threads
    await teams.post(execute(teams, thread, "assign_me", conversation_id=cid))
    await teams.settle()

    # The guest books with Alice → a notice in the thread; the card shows the meeting and offers Reschedule.
    r = await teams.client.post(
        "/api/guest/meetings",
        json={"agent": "alice", "start": "2026-11-24T09:00:00Z", "duration": 30, "subject": "Quote"},
        headers=g,
    )
    assert r.status == 201, await r.text()
    meeting_id = (await r.json())["meeting"]["id"]
    await teams.settle()
    assert teams.ms.texts(thread)[-1].startswith(
        "Meeting booked: Quote, Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin)"
    )
    card = [c for c in teams.ms.calls if c.method == "PUT"][-1].body["attachments"][0]["content"]
    assert card_facts(card)["Next meeting"] == "Tue 24.11.2026 10:00 CET"
    assert [a["title"] for a in card["actions"]][2:4] == ["Reschedule", "Cancel meeting"]

    # Alice opens Reschedule: durations and free times in her zone; the booked hour is not offered.
    form = (
        await (
            await teams.post(
                execute(teams, thread, "schedule_form", conversation_id=cid, meeting_id=meeting_id)
            )
        ).json()
    )["value"]
    inputs = {e["id"]: e for e in form["body"] if e["type"] == "Input.ChoiceSet"}
    assert [c["value"] for c in inputs["duration"]["choices"]] == ["30"]
    slots = [c["value"] for c in inputs["slot"]["choices"]]
    assert "2026-11-24T09:00:00+00:00" not in slots
    assert inputs["slot"]["choices"][0]["title"].endswith("CET")
    new_start = "2026-11-24T13:00:00+00:00"  # 14:00 in Berlin, after lunch
    assert new_start in slots

    r = await teams.post(
        execute(
            teams,
            thread,
            "reschedule",
            conversation_id=cid,
            meeting_id=meeting_id,
            slot=new_start,
            duration="30",
        )
    )
    assert card_facts((await r.json())["value"]).get("Assignee") == "Alice"
    await teams.settle()
    guest_lines = [t for k, t in await teams.guest_texts(g, cid) if k == "system"]
    assert any("14:00" in line and "resched" in line.lower() for line in guest_lines), guest_lines
    card = [c for c in teams.ms.calls if c.method == "PUT"][-1].body["attachments"][0]["content"]
    assert card_facts(card)["Next meeting"] == "Tue 24.11.2026 14:00 CET"

    # Taking the same slot again is refused by the engine, in its words, on the form.
    r = await teams.post(execute(teams, thread, "book", conversation_id=cid, slot=new_start, duration="30"))
    refused = (await r.json())["value"]
    assert any(
        e.get("inlines", [{}])[0].get("color") == "attention"
        for e in refused["body"]
        if e["type"] == "RichTextBlock"
    )

    # Cancel asks first, then cancels; the card drops the meeting.
    confirm = (
        await (
            await teams.post(
                execute(teams, thread, "cancel_form", conversation_id=cid, meeting_id=meeting_id)
            )
        ).json()
    )["value"]
    assert confirm["body"][0]["inlines"][0]["text"] == "Cancel the meeting on Tue 24.11.2026 14:00 CET?"
    await teams.post(execute(teams, thread, "cancel", conversation_id=cid, meeting_id=meeting_id))
    await teams.settle()
    card = [c for c in teams.ms.calls if c.method == "PUT"][-1].body["attachments"][0]["content"]
    assert "Next meeting" not in card_facts(card)
