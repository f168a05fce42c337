"""Appending to a conversation: the one place messages get their sequence number and event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot import access
from bot.commands import PostMessage
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.events import Audience, MessagePosted
from bot.model import SYSTEM, Actor, Conversation, Member, Message
from bot.notices import mentioned_agents
from bot.ports import UnitOfWork

# Hooks take every message (or read) of one transaction at once: a batch of messages (group commit,
# ``bot/batcher.py``) costs them a few statements, not a few per message.
Read = tuple[str, str, str, int]  # conversation, member kind, member id, seq read up to
AfterRead = Callable[[UnitOfWork, Sequence[Read]], Awaitable[None]]


class AfterAppend(Protocol):
    async def __call__(
        self,
        uow: UnitOfWork,
        written: Sequence[tuple[Conversation, Message]],
        members: Mapping[str, list[Member]] | None = None,  # as the handler read them, if it did
    ) -> None: ...


@dataclass
class PostingHooks:
    """Engine modules that follow every message people write and every read, inside the same
    transaction (the email digests arm their jobs here), so a crash can never leave a message without
    its notification. ``bootstrap`` makes one, each module's ``register(runtime)`` appends to it, and
    the bus hands it to the handlers that post or read (the ``posting`` dependency).

    The system's own notices (``post_notice``) run no hooks: nobody is mailed about them."""

    after_append: list[AfterAppend] = field(default_factory=list)
    after_read: list[AfterRead] = field(default_factory=list)


def check_post(
    cmd: PostMessage, conversation: Conversation | None, services: Sequence[str], members: Sequence[Member]
) -> None:
    """Who may post what where: the same refusals, in the same order, for one message
    (``post_message``) and for each message of a batch (``batch_posting``)."""
    if conversation is None or not access.can_see(conversation, cmd.author, services, members):
        raise NotFound("No such conversation.", code="unknown_conversation")
    if not access.can_write(conversation, cmd.author, services, members):
        raise Forbidden("This conversation is read-only for you.", code="read_only")
    if cmd.internal and cmd.author.kind != "agent":
        raise InvalidInput("Only agents can write internal notes.", code="internal_for_agents")


async def append_message(
    uow: UnitOfWork,
    conversation: Conversation,
    author: Actor,
    text: str,
    now: datetime,
    *,
    client_id: str | None = None,
    internal: bool = False,
    hooks: PostingHooks | None = None,
    attachments: tuple[dict[str, Any], ...] = (),  # the files' summaries (bot.attachments), for the event
    members: list[Member] | None = None,  # the conversation's, when the caller has them: hooks reuse them
    save: bool = True,  # False: only for post_notice(saved_later=True)
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        seq=conversation.next_seq(),
        author=author,
        text=text,
        created_at=now,
        client_id=client_id,
        internal=internal,
        guest_seq=None if internal else conversation.next_guest_seq(),
    )
    conversation.last_message_at = now
    await uow.messages.add(message)
    if save:
        await uow.conversations.save(conversation)
    uow.record(
        MessagePosted(
            conversation_id=conversation.id,
            message_id=message.id,
            seq=message.seq,
            author=author,
            text=text,
            created_at=now,
            internal=internal,
            client_id=client_id,
            kind="system" if author.kind == "system" else "text",
            audience=Audience.AGENTS if internal else Audience.EVERYONE,
            guest_seq=message.guest_seq,
            attachments=attachments,
            mentions=await mentioned_agents(uow, text, internal=internal),
        )
    )
    known = {conversation.id: members} if members is not None else None
    for hook in hooks.after_append if hooks else ():
        await hook(uow, [(conversation, message)], known)
    return message


async def post_notice(
    uow: UnitOfWork, conversation: Conversation, text: str, now: datetime, *, saved_later: bool = False
) -> Message:
    """The system's own line in the thread: creation, assignment, renames, meeting changes.
    ``saved_later``: the caller appends another message to ``conversation`` in this transaction at
    once, and that one saves the conversation (the guest's first message after "X started...")."""
    return await append_message(uow, conversation, SYSTEM, text, now, save=not saved_later)
