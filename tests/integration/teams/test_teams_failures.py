"""When Microsoft's side fails: the login endpoint is down, Teams replays a button press, or the bot was
removed from a conversation. Inbound activities are still verified and handled; what Convene owes Teams
waits in the outbox and arrives exactly once; a conversation the bot left becomes a dead letter."""

from __future__ import annotations

from typing import Any

from bot.outbox_cli import failed_lines

from .conftest import Teams
from .dialog import After, Card, Press, Say, card_facts
from .test_teams_dialogue import TOOK, conversation_in_teams

DOWN = 503


async def outbox_rounds(teams: Teams, clock: Any, rounds: int) -> None:
    """``rounds`` outbox attempts, each once its backoff has passed (the clock moves, nobody waits)."""
    for _ in range(rounds):
        clock.advance(hours=1)
        await teams.settle()


async def test_while_the_login_endpoint_is_down_activities_are_handled_and_notices_wait_in_the_outbox(
    teams: Teams, clock: Any
) -> None:
    teams.ms.token_lifetime = 0  # no token outlives a send: each one needs the login endpoint
    dialog = await conversation_in_teams(teams)
    teams.ms.login_status = DOWN
    requests_before = len(teams.ms.token_requests)

    [press, reply] = await dialog.verify(
        [
            # The invoke response is the card (no connector call): it answers at once.
            (Press("assign_me", {"conversation_id": "{cid}"}), Card(facts={"Assignee": "Alice"})),
            # A thread reply reaches the guest; nothing needs to go back to Teams for it.
            (
                Say("Hello Ann, happy to help", where="thread"),
                None,
                After(guest=("agent", "Hello Ann, happy to help")),
            ),
        ]
    )
    assert press.status == 200 and reply.status == 201
    assert len(teams.ms.token_requests) > requests_before  # the outbox tried, and could not send
    assert TOOK not in teams.ms.texts(dialog.thread) and press.card_updates == []

    # Still down: the outbox keeps the notice and tries again later.
    await outbox_rounds(teams, clock, 2)
    assert TOOK not in teams.ms.texts(dialog.thread)

    teams.ms.login_status = None
    await outbox_rounds(teams, clock, 3)
    assert teams.ms.texts(dialog.thread).count(TOOK) == 1
    updates = [c for c in teams.ms.sent("PUT") if dialog.thread in c.path]
    assert [card_facts(u.body["attachments"][0]["content"])["Assignee"] for u in updates] == ["Alice"]
    assert await failed_lines(teams.runtime) == ["no dead letters"]


async def test_a_forged_token_is_refused_while_the_login_endpoint_is_down(teams: Teams) -> None:
    teams.ms.login_status = DOWN
    forged = teams.ms.rogue.token(serviceurl=teams.ms.connector_base)
    response = await teams.post(teams.activity(text="help"), token=forged)
    assert response.status == 401
    assert teams.ms.calls == []


async def test_a_replayed_button_press_answers_with_the_current_card_and_runs_nothing(teams: Teams) -> None:
    dialog = await conversation_in_teams(teams)
    press = Press("assign_me", {"conversation_id": "{cid}"}, activity_id="press-1")
    first, again = await dialog.verify(
        [
            (press, Card(facts={"Assignee": "Alice"}), After(thread=[TOOK], card={"Assignee": "Alice"})),
            (press, Card(facts={"Assignee": "Alice"}), After(thread=[], card={}, guest_unchanged=True)),
        ]
    )
    assert isinstance(first.answers[0], dict) and isinstance(again.answers[0], dict)
    assert card_facts(again.answers[0]) == card_facts(first.answers[0])
    assert [t for t in await dialog.guest_texts() if t == ("system", TOOK)] == [("system", TOOK)]


async def test_a_conversation_the_bot_was_removed_from_becomes_a_dead_letter(
    teams: Teams, clock: Any
) -> None:
    dialog = await conversation_in_teams(teams)
    teams.ms.removed.add(dialog.thread)  # Teams answers 403 for it from now on
    assert dialog.guest_headers is not None
    r = await teams.client.post(
        f"/api/guest/conversations/{dialog.values['cid']}/messages",
        json={"text": "Anyone?"},
        headers=dialog.guest_headers,
    )
    assert r.status == 201
    await teams.settle()
    await outbox_rounds(teams, clock, 6)

    [letter] = await teams.runtime.storage.outbox.failed()
    assert letter.event_type == "MessagePosted" and letter.attempts == 5
    assert "PermanentDeliveryError" in letter.last_error and "403" in letter.last_error
    assert f"{letter.id}\tMessagePosted\t5 attempts" in (await failed_lines(teams.runtime))[0]


async def test_teams_5xx_answers_are_retried_past_the_dead_letter_limit_and_sent_once(
    teams: Teams, clock: Any
) -> None:
    dialog = await conversation_in_teams(teams)
    teams.ms.faults.extend([(503, {})] * 7)  # seven attempts in a row meet a 503
    assert dialog.guest_headers is not None
    await teams.client.post(
        f"/api/guest/conversations/{dialog.values['cid']}/messages",
        json={"text": "Anyone?"},
        headers=dialog.guest_headers,
    )
    await teams.settle()
    await outbox_rounds(teams, clock, 7)

    assert teams.ms.faults == []
    line = f"/v3/conversations/{dialog.thread}/activities"
    tries = [c.status for c in teams.ms.calls if c.path == line and c.body.get("text") == "Ann: Anyone?"]
    assert tries == [503] * 7 + [200]  # tried on every round, posted once
    assert await failed_lines(teams.runtime) == ["no dead letters"]
