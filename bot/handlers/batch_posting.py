"""Many ``PostMessage`` commands in one transaction (group commit), with the rules of one.

Each message keeps its own checks (the conversation exists, the author may see and write it, only
agents write internal notes, a resent ``client_id`` returns the message it already made); a refusal
is that message's answer alone. What passes is written set-wise: one insert for the messages, one
update for the conversations' last-message fields, one for the authors' read markers, and the unit of
work's one insert for the outbox rows. Sequence numbers are given in order of arrival.

A guest's message "to sales" (``StartConversation``) joins the batch too: its conversation is found,
or opened as ``start_conversation`` opens it (the notice, the members, the channels), in the batch's
transaction, and its message is then written with the others.

A database error is not decided here: the batcher (``bot/batcher.py``) retries the batch one message
per transaction, so one bad row never fails the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from bot.commands import PostMessage, StartConversation
from bot.errors import DomainError
from bot.events import Audience, MessagePosted
from bot.handlers.conversations import Posted, open_for_first_message
from bot.handlers.posting import PostingHooks, Read, check_post
from bot.model import Conversation, Member, Message
from bot.notices import mentioned_agents
from bot.ports import Clock, UnitOfWork

Outcome = Posted | DomainError


async def write_batch(
    commands: Sequence[PostMessage | StartConversation], uow: UnitOfWork, clock: Clock, posting: PostingHooks
) -> list[Outcome]:
    """One outcome per command, in order: each start's conversation found or opened first (in the order
    the starts came), then every message as ``post_messages`` writes them. A start's ``Posted`` says
    ``created`` when its conversation is new (as ``start_conversation`` answers)."""
    outcomes: list[Outcome | None] = [None] * len(commands)
    posts: list[PostMessage] = []
    placed: list[int] = []  # the command each of ``posts`` answers
    opened: dict[str, tuple[Conversation, list[Member]]] = {}
    for i, cmd in enumerate(commands):
        if isinstance(cmd, StartConversation):
            try:
                found = await open_for_first_message(uow, cmd, clock)
            except DomainError as refusal:
                outcomes[i] = refusal
                continue
            if found.members is not None:  # new: its row is not yet saved with the notice's number
                opened[found.conversation.id] = (found.conversation, found.members)
            cmd = PostMessage(found.conversation.id, found.guest.actor, cmd.text, cmd.client_id)
        posts.append(cmd)
        placed.append(i)
    for i, outcome in zip(placed, await post_messages(posts, uow, clock, posting, opened), strict=True):
        if isinstance(commands[i], StartConversation) and isinstance(outcome, Posted):
            outcome = Posted(outcome.conversation, outcome.message, outcome.conversation.id in opened)
        outcomes[i] = outcome
    return cast(list[Outcome], outcomes)  # every place is filled


async def post_messages(
    commands: Sequence[PostMessage],
    uow: UnitOfWork,
    clock: Clock,
    posting: PostingHooks,
    opened: Mapping[str, tuple[Conversation, list[Member]]] | None = None,
) -> list[Outcome]:
    """One outcome per command, in order; the caller has already cleaned each text. ``opened``: the
    conversations this transaction created, as they stand in memory, with their members."""
    opened = opened or {}
    ids = sorted({c.conversation_id for c in commands} - opened.keys())
    conversations = await uow.conversations.get_many(ids, for_update=True) if ids else {}
    members = await uow.conversations.members_of(list(conversations)) if conversations else {}
    for conversation_id, (fresh, its_members) in opened.items():
        conversations[conversation_id] = fresh
        members[conversation_id] = its_members
    services: dict[str, list[str]] = {}
    for cmd in commands:
        if cmd.author.kind == "agent" and cmd.author.id not in services:
            services[cmd.author.id] = [s.slug for s in await uow.services.of_agent(cmd.author.id)]
    resends = [
        (c.conversation_id, c.author.key, c.client_id)
        for c in commands
        if c.client_id and c.conversation_id in conversations and c.conversation_id not in opened
    ]  # a conversation opened now holds only its notice: nothing there to resend
    earlier = {
        (m.conversation_id, m.author.key, m.client_id): m
        for m in (await uow.messages.by_client_ids(resends) if resends else [])
    }

    now = clock.now()
    outcomes: list[Outcome] = []
    written: list[tuple[Conversation, Message]] = []
    # Who may post what where depends on the conversation's routing and members, which a batch does
    # not change: each (conversation, author, kind of message) is checked once.
    allowed: set[tuple[str, str, str, bool]] = set()
    for cmd in commands:
        conversation = conversations.get(cmd.conversation_id)
        author = cmd.author
        checked = (cmd.conversation_id, author.kind, author.id, cmd.internal)
        if checked not in allowed:
            try:
                check_post(
                    cmd, conversation, services.get(author.id, []), members.get(cmd.conversation_id, [])
                )
            except DomainError as refusal:
                outcomes.append(refusal)
                continue
            allowed.add(checked)
        assert conversation is not None
        key = (conversation.id, cmd.author.key, cmd.client_id)
        if cmd.client_id and key in earlier:  # a resend, maybe of a message earlier in this very batch
            outcomes.append(Posted(_copy(conversation), earlier[key], False))
            continue
        message = Message(
            conversation_id=conversation.id,
            seq=conversation.next_seq(),
            author=cmd.author,
            text=cmd.text,
            created_at=now,
            client_id=cmd.client_id,
            internal=cmd.internal,
            guest_seq=None if cmd.internal else conversation.next_guest_seq(),
        )
        conversation.last_message_at = now
        if cmd.client_id:
            earlier[key] = message
        written.append((conversation, message))
        outcomes.append(Posted(_copy(conversation), message, True))  # as of this message
    if not written:
        return outcomes

    await uow.messages.add_many([m for _, m in written])
    await uow.conversations.save_many(list({c.id: c for c, _ in written}.values()))
    for _, message in written:
        mentions = await mentioned_agents(uow, message.text, internal=True) if message.internal else ()
        uow.record(_posted(message, mentions))
    for append_hook in posting.after_append:
        await append_hook(uow, written, members)
    await _mark_authors_read(uow, written, members, posting)
    return outcomes


def _copy(conversation: Conversation) -> Conversation:
    """What ``copy.copy`` makes of it (a new object sharing the field values), for a fraction of the
    cost: the batch copies a conversation per message."""
    copied = object.__new__(Conversation)
    copied.__dict__.update(conversation.__dict__)
    return copied


def _posted(message: Message, mentions: tuple[str, ...] = ()) -> MessagePosted:
    """``MessagePosted(...)`` with these fields, built as ``_copy`` builds: a frozen dataclass's
    ``__init__`` sets each of its 13 fields through ``object.__setattr__``, three times the cost of the
    rest (every message passes here). ``tests/unit/test_batch_posting`` holds it equal to the class's own."""
    internal = message.internal
    event = object.__new__(MessagePosted)
    event.__dict__.update(
        conversation_id=message.conversation_id,
        message_id=message.id,
        seq=message.seq,
        author=message.author,
        text=message.text,
        created_at=message.created_at,
        internal=internal,
        client_id=message.client_id,
        kind="system" if message.author.kind == "system" else "text",
        audience=Audience.AGENTS if internal else Audience.EVERYONE,
        guest_seq=message.guest_seq,
        attachments=(),
        mentions=mentions,
    )
    return event


async def _mark_authors_read(
    uow: UnitOfWork,
    written: list[tuple[Conversation, Message]],
    members: dict[str, list[Member]],
    posting: PostingHooks,
) -> None:
    """Each author has read up to their last message of the batch: one update for all markers.

    An agent who is not yet a member becomes one, as with a single message."""
    last: dict[tuple[str, str, str], Message] = {}
    for conversation, message in written:
        last[(conversation.id, message.author.kind, message.author.id)] = message
    changed: list[tuple[str, Member]] = []
    reads: list[Read] = []
    for (conversation_id, kind, member_id), message in last.items():
        listed = members.setdefault(conversation_id, [])
        member = next((m for m in listed if m.kind == kind and m.id == member_id), None)
        if member is None:
            agent = await uow.agents.get(member_id) if kind == "agent" else None
            if agent is None:
                continue
            member = Member("agent", agent.slug, agent.name, agent.email, last_read_seq=message.seq)
            await uow.conversations.add_member(conversation_id, member)
            listed.append(member)
        elif message.seq > member.last_read_seq:
            member.last_read_seq = message.seq
            changed.append((conversation_id, member))
        else:
            continue
        reads.append((conversation_id, kind, member_id, message.seq))
    await uow.conversations.save_members(changed)
    if reads:
        for hook in posting.after_read:  # after the markers are written: the hooks read them back
            await hook(uow, reads)
