"""Resolve and Reopen from Microsoft Teams: the card's buttons (Universal Actions and the older
Action.Submit) and the ``resolve`` / ``reopen`` commands, in the conversation's thread (no id needed) or
anywhere with an id. Signed Bot Framework activities in, what the connector receives out."""

from __future__ import annotations

from .conftest import Teams
from .dialog import NOT_AN_AGENT, After, Card, Press, Say
from .test_teams_dialogue import conversation_in_teams

RESOLVED = "Alice resolved the conversation."
REOPENED = "Alice reopened the conversation."
OPEN_BUTTONS = ["Assign to me", "Assign…", "Resolve", "Schedule meeting", "Open in inbox"]
RESOLVED_BUTTONS = ["Assign to me", "Assign…", "Reopen", "Schedule meeting", "Open in inbox"]


async def test_the_card_buttons_resolve_and_reopen(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    await dialog.verify(
        [
            (
                Press("resolve", {"conversation_id": "{cid}"}),
                Card(facts={"Status": "Resolved"}, buttons=RESOLVED_BUTTONS),
                After(thread=[RESOLVED], card={"Status": "Resolved"}, guest=("system", RESOLVED)),
            ),
            # pressed again (a second agent, a replay): nothing more happens
            (
                Press("resolve", {"conversation_id": "{cid}"}, by="bob"),
                Card(facts={"Status": "Resolved"}),
                After(thread=[], card={}, guest_unchanged=True),
            ),
            (
                Press("reopen", {"conversation_id": "{cid}"}, submit=True),  # an older client
                Card(facts={"Status": "Open"}, buttons=OPEN_BUTTONS),
                After(thread=[REOPENED], card={"Status": "Open"}, guest=("system", REOPENED)),
            ),
        ]
    )


async def test_resolve_is_refused_to_whoever_may_not_see_the_conversation(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    nothing = After(thread=[], card={}, guest_unchanged=True)
    await dialog.verify(
        [
            # Carol answers for Support only: Sales' conversation is not hers to resolve.
            (
                Press("resolve", {"conversation_id": "{cid}"}, by="carol"),
                Card(error="No such conversation."),
                nothing,
            ),
            (Press("resolve", {"conversation_id": "{cid}"}, by="mallory"), Card(first=NOT_AN_AGENT), nothing),
            (Say("resolve", by="carol", where="thread", mention=True), "No such conversation.", nothing),
        ]
    )


async def test_the_resolve_command_in_the_thread_and_by_id(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    cid = dialog.values["cid"]
    dialog.values["short"] = cid[:8]
    await dialog.verify(
        [
            (
                Say("resolve", where="thread", mention=True),
                "Resolved.",
                After(thread=[RESOLVED], card={"Status": "Resolved"}, guest=("system", RESOLVED)),
            ),
            (Say("reopen {short}"), "Reopened.", After(thread=[REOPENED], card={"Status": "Open"})),
            (Say("resolve"), "Usage: resolve <conversation> (or resolve in its thread)", After(card={})),
            (Say("resolve 000000"), "No single conversation starts with '000000'.", After(card={})),
            (Say("resolve {short} now"), "Usage: resolve <conversation> (or resolve in its thread)"),
        ]
    )


async def test_a_guest_writing_again_reopens_the_card(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    await dialog.verify([(Say("resolve", where="thread", mention=True), "Resolved.")])
    r = await teams.client.post(
        f"/api/guest/conversations/{dialog.values['cid']}/messages",
        json={"text": "Wait, one more thing"},
        headers=dialog.guest_headers,
    )
    assert r.status in (200, 201)
    await teams.settle()
    assert teams.ms.texts(dialog.thread)[-2:] == [
        "Ann: Wait, one more thing",
        "Ann wrote again: the conversation is open.",
    ]
    [*_, last_update] = [c for c in teams.ms.calls if c.method == "PUT"]
    facts = {
        f["title"]: f["value"] for f in last_update.body["attachments"][0]["content"]["body"][1]["facts"]
    }
    assert facts["Status"] == "Open"


async def test_when_a_snooze_ends_the_assignee_hears_it_in_a_chat_with_the_bot(teams: Teams) -> None:
    from bot.model import Actor
    from bot.status.commands import SnoozeConversation

    dialog = await conversation_in_teams(teams)
    cid = dialog.values["cid"]
    await dialog.verify(
        [(Press("assign_me", {"conversation_id": "{cid}"}), Card(facts={"Assignee": "Alice"}))]
    )
    await teams.runtime.bus.handle(SnoozeConversation(cid, Actor("agent", "alice", "Alice"), preset="hour"))
    await teams.settle()
    _, update = [c for c in teams.ms.calls if c.method == "PUT"][-2:]
    snoozed = {f["title"]: f["value"] for f in update.body["attachments"][0]["content"]["body"][1]["facts"]}
    assert snoozed["Status"] == "Snoozed until Mon 23.11.2026 10:00 CET"  # Alice's zone
    assert teams.ms.personal == []
    teams.runtime.clock.advance(minutes=61)
    while await teams.runtime.jobs.run_due():
        pass
    await teams.settle()
    assert teams.ms.personal == ["29:alice"]  # on by default: no preference set
    [told] = teams.ms.texts("a:personal-29:alice")
    headline, link = told.split("\n\n")
    assert headline == "The snooze ended: your conversation with Ann is open again."
    assert link.startswith(f"Open in inbox: http://convene.test/inbox/c/{cid}/m/")  # at the thread's notice
    assert teams.ms.texts(dialog.thread)[-1] == "The snooze ended: the conversation is open again."
