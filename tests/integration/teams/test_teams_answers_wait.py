"""Direct answers while Microsoft's login endpoint is down: replies to text commands, Action.Submit
answer cards and the "not an agent" card cannot be sent (no app token), so they wait in the outbox
(``QueueChannelReply``) and reach Teams once the token can be had: each exactly once, in order per
conversation. The HTTP answers to Teams never depend on it."""

from __future__ import annotations

from typing import Any

from adapters.teams import cards
from bot.outbox_cli import failed_lines

from .conftest import Teams
from .dialog import NOT_AN_AGENT, Press, Say, card_facts, card_lines
from .test_teams_dialogue import TOOK, conversation_in_teams
from .test_teams_failures import DOWN, outbox_rounds


def answers_in(teams: Teams, conversation_id: str) -> list[str | dict[str, Any]]:
    """Everything the bot posted into one conversation, in order: texts, and cards as their JSON."""
    path = f"/v3/conversations/{conversation_id}/activities"
    return [
        c.body.get("text") or c.body["attachments"][0]["content"]
        for c in teams.ms.calls
        if c.method == "POST" and c.path == path and c.status < 300
    ]


def first_line(answer: str | dict[str, Any]) -> str:
    return answer if isinstance(answer, str) else card_lines(answer)[0]


async def test_direct_answers_given_while_the_login_endpoint_is_down_arrive_once_after_it_recovers(
    teams: Teams, clock: Any
) -> None:
    teams.ms.token_lifetime = 0  # no token outlives a send: each one needs the login endpoint
    dialog = await conversation_in_teams(teams)
    chat, strangers_chat = "a:personal-alice", "a:personal-mallory"
    teams.ms.login_status = DOWN
    calls_before = len(teams.ms.calls)

    steps = await dialog.verify(
        [
            (Say("help"), None),  # nothing reaches the connector yet: there is no token
            (Say("meetings"), None),
            (Press("assign_me", {"conversation_id": "{cid}"}, submit=True), None),
            (Say("inbox", by="mallory"), None),
        ]
    )
    assert [s.status for s in steps] == [201, 201, 201, 201]  # every activity acknowledged
    assert teams.ms.calls[calls_before:] == []
    await outbox_rounds(teams, clock, 2)  # still down: the answers keep waiting
    assert teams.ms.calls[calls_before:] == []

    teams.ms.login_status = None
    await outbox_rounds(teams, clock, 3)

    help_first = first_line(cards.help_card())
    meetings_first = first_line(cards.meetings_card([]))
    assert [first_line(a) for a in answers_in(teams, chat)] == [help_first, meetings_first]
    assert [first_line(a) for a in answers_in(teams, strangers_chat)] == [NOT_AN_AGENT]
    pressed = [a for a in answers_in(teams, dialog.thread) if isinstance(a, dict)]
    assert [card_facts(card)["Assignee"] for card in pressed] == ["Alice"]  # the Action.Submit answer
    assert answers_in(teams, dialog.thread).count(TOOK) == 1  # the engine's notice, too

    sent = len(teams.ms.calls)
    await outbox_rounds(teams, clock, 3)
    assert len(teams.ms.calls) == sent  # exactly once: nothing is sent again
    assert await failed_lines(teams.runtime) == ["no dead letters"]
