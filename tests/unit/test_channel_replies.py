"""``QueueChannelReply``: a chat channel's direct answer recorded as one agents-only event with one
direct destination, or refused with a clear message and nothing recorded."""

from __future__ import annotations

import pytest

from bot import access, channel_replies
from bot.channel_replies import ChannelReplyQueued, QueueChannelReply
from bot.errors import InvalidInput
from bot.events import Audience, from_json, to_json
from tests.fakes.engine import FakeEngine

ADDRESS = {"service_url": "https://smba.example/", "conversation_id": "a:personal-alice"}
PAYLOAD = {"type": "message", "text": "Assigned to Alice."}


async def test_a_queued_reply_is_one_agents_only_event_for_its_one_destination() -> None:
    engine = FakeEngine()
    channel_replies.register(engine)  # FakeEngine has the bus register() uses
    await engine.handle(QueueChannelReply("teams", ADDRESS, PAYLOAD, by="29:alice"))

    [row] = engine.state.outbox
    event = row["event"]
    assert isinstance(event, ChannelReplyQueued)
    assert access.who_sees(event) is Audience.AGENTS and event.conversation_id == ""
    assert event.direct_destinations() == [("teams", ADDRESS)]
    assert from_json(event.type, to_json(event)) == event  # survives the outbox's JSON


@pytest.mark.parametrize(
    "command",
    [
        QueueChannelReply("", ADDRESS, PAYLOAD, by="29:alice"),
        QueueChannelReply("teams", {}, PAYLOAD, by="29:alice"),
        QueueChannelReply("teams", ADDRESS, {}, by="29:alice"),
    ],
)
async def test_a_reply_without_channel_address_or_payload_is_refused_and_records_nothing(
    command: QueueChannelReply,
) -> None:
    engine = FakeEngine()
    channel_replies.register(engine)  # FakeEngine has the bus register() uses
    with pytest.raises(InvalidInput) as refused:
        await engine.handle(command)
    assert refused.value.code == "invalid_reply"
    assert engine.state.outbox == []
