"""Direct answers that wait: a reply a channel owes one person, kept in the outbox until it can be sent.

A chat channel answers a command (``help``, a button, a refusal) straight away, outside any unit of
work. When that send fails for a reason a retry can mend (the platform's login endpoint is down, the
network), the channel hands the rendered answer to the engine with ``QueueChannelReply``; the handler
records ``ChannelReplyQueued`` in one unit of work, and the outbox delivers it to the one destination it
names (``direct_destinations``: the channel and its address, e.g. a Teams conversation reference) with
the usual idempotency key per event and destination, so it arrives once. The payload is the channel's
own rendering (opaque to the engine); the engine only keeps it. Answers go to agents or to people the
bot refuses, never to a guest's thread, so the audience is agents only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.commands import Command
from bot.errors import InvalidInput
from bot.events import Audience, Event
from bot.ports import Clock, UnitOfWork

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class QueueChannelReply(Command):
    channel: str  # the channel plugin that delivers it ("teams")
    address: dict[str, Any]  # where, in that channel's terms (a conversation reference)
    payload: dict[str, Any]  # what, as that channel rendered it (an activity's JSON)
    by: str  # whose message or press it answers (the platform's user id), for the record


@dataclass(frozen=True)
class ChannelReplyQueued(Event):
    """A direct answer that could not be sent at once. Belongs to no conversation's thread."""

    conversation_id: str  # empty: no conversation's bindings get it
    channel: str
    address: dict[str, Any]
    payload: dict[str, Any]
    by: str
    audience: Audience = Audience.AGENTS

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [(self.channel, self.address)]


async def queue_channel_reply(cmd: QueueChannelReply, uow: UnitOfWork, clock: Clock) -> None:
    if not cmd.channel or not cmd.address or not isinstance(cmd.payload, dict) or not cmd.payload:
        raise InvalidInput("A queued reply needs a channel, an address and a payload.", code="invalid_reply")
    async with uow:
        uow.record(
            ChannelReplyQueued(
                conversation_id="",
                channel=cmd.channel,
                address=dict(cmd.address),
                payload=dict(cmd.payload),
                by=cmd.by,
            )
        )
        await uow.commit()


def register(runtime: Runtime) -> None:
    runtime.bus.register(QueueChannelReply, queue_channel_reply)
