"""A message with a file, posted to Teams: the thread gets the message's line and, under it, a text
line naming the file with a link to the conversation in the web inbox (where the agent, signed in,
opens it). No file travels to the chat platform."""

from __future__ import annotations

from tests.integration.test_attachments import PDF

from .conftest import Teams
from .test_teams_dialogue import guest_writes, link_sales


async def test_a_guest_file_reaches_the_teams_thread_as_a_line_with_the_inbox_link(teams: Teams) -> None:
    await link_sales(teams)
    guest, cid = await guest_writes(teams)
    await teams.settle()
    r = await teams.client.post(
        f"/api/guest/conversations/{cid}/files",
        params={"name": "offer.pdf", "text": "My offer"},
        data=PDF,
        headers=guest,
    )
    assert r.status == 201
    await teams.settle()
    [thread] = teams.ms.threads
    assert (
        teams.ms.texts(thread)[-1] == f"Ann: My offer\n📎 offer.pdf (1 KB): http://convene.test/inbox/c/{cid}"
    )
