"""A message with a file, posted to Slack: the thread gets the message's line and, under it, a text
line naming the file with a link to the conversation in the web inbox (where the agent, signed in,
opens it). No file travels to the chat platform."""

from __future__ import annotations

from tests.integration.test_avatars import PNG

from .conftest import SlackDriver
from .dialog import open_scene, slack_root_ts


async def test_a_guest_file_reaches_the_slack_thread_as_a_line_with_the_inbox_link(
    slack: SlackDriver,
) -> None:
    scene = await open_scene(slack)
    r = await slack.client.post(
        f"/api/guest/conversations/{scene.cid}/files",
        params={"name": "photo.png"},
        data=PNG,
        headers=scene.guest,
    )
    assert r.status == 201
    await slack.settle()
    channel = slack.fake.of("chat.postMessage")[0]["channel"]
    line = slack.fake.thread(channel, slack_root_ts(slack))[-1]
    assert line == f"*Ann*: 📎 photo.png (1 KB): http://convene.test/inbox/c/{scene.cid}"
