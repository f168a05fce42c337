"""Direct messages to agents in Teams, by their preferences (bot.notices), over the real wire: the
activities that link the channel and make Alice known carry Bot Framework JWTs from the local JWKS;
the bot opens a 1:1 chat with her (create conversation, with its app token) on the fake connector
and posts the notice there, only when she asked for it."""

from __future__ import annotations

from bot.commands import PostMessage
from bot.model import Actor
from bot.preferences import change

from .conftest import Teams
from .test_teams_dialogue import guest_writes, link_sales

BOB = Actor("agent", "bob", "Bob")


async def prefer(teams: Teams, slug: str, data: dict[str, object]) -> None:
    async with teams.runtime.uow() as uow:
        await change(uow, slug, data, teams.runtime.clock.now())
        await uow.commit()


async def test_a_mention_reaches_alice_in_a_one_to_one_chat_when_she_asked(teams: Teams) -> None:
    await link_sales(teams)  # Alice (29:alice) linked the channel: Teams knows her now
    _, cid = await guest_writes(teams)
    await teams.settle()
    await teams.runtime.bus.handle(PostMessage(cid, BOB, "@alice please call her", internal=True))
    await teams.settle()
    assert teams.ms.personal == []  # not asked for: no chat opened

    await prefer(teams, "alice", {"teams": {"mention": True}})
    posted = await teams.runtime.bus.handle(PostMessage(cid, BOB, "@alice now, please", internal=True))
    await teams.settle()
    assert teams.ms.personal == ["29:alice"]
    [line] = teams.ms.texts("a:personal-29:alice")
    assert line.startswith("Bob mentioned you in a note")
    assert "“@alice now, please”" in line
    assert f"http://convene.test/inbox/c/{cid}/m/{posted.message.id}" in line


async def test_an_agent_teams_does_not_know_gets_no_direct_message(teams: Teams) -> None:
    await link_sales(teams)
    await prefer(teams, "bob", {"teams": {"new_conversation": True}})  # Bob never talked to the bot
    await guest_writes(teams)
    await teams.settle()
    assert teams.ms.personal == []
