"""Unread-message emails, on the product's timing.

While a member leaves messages unread, the first email goes out 5 minutes after the first unread
message; then at most two more, at least 4 hours apart: at most 3 a day. Messages that arrive meanwhile
are batched into the next email. When the member has read everything, the timer resets: the next
unread message again gets an email within 5 minutes.

"A day" is a rolling 24 hours, counted over the emails of the current unread streak: the fourth email
goes out no earlier than 24 hours after the first. We chose it over the member's calendar day because
guests often have no known time zone, and a calendar day would send the fourth email just after
midnight; with a rolling window a member who never reads gets mail at the same hours each day.

Who gets them: members with an email address, for messages they did not write; guests never for
internal notes; nobody for the system's own notices. Agents of a service who are not members get none.

The state is in the database (``uow.digests``: emails sent in this streak, the last seq emailed) and
every decision is re-made by the job from it, so a crash or restart changes nothing. Jobs are armed in
the same transaction as the message and the read: ``register`` adds ``on_message`` and ``on_read`` to
the runtime's posting hooks, which the bus hands to the handlers that post and read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot import queries
from bot.events import UnreadDigestReady
from bot.handlers.posting import Read
from bot.model import Actor, Conversation, DigestState, Member, Message
from bot.ports import Clock, JobItem, UnitOfWork
from bot.runtime import Runtime

FIRST_DELAY = timedelta(minutes=5)
GAP = timedelta(hours=4)
PER_DAY = 3
DAY = timedelta(hours=24)
JOB_KIND = "email_digest"
MAX_LISTED = 20  # messages quoted in one email; the rest are counted


def next_email_at(pending_since: datetime | None, sends: Sequence[datetime]) -> datetime | None:
    """When the next email may go: ``None`` while nothing new is unread.

    ``pending_since``: when the oldest unread, not yet emailed message arrived.
    ``sends``: when this streak's emails went out (the streak ends when the member reads everything).
    """
    if pending_since is None:
        return None
    due = pending_since + FIRST_DELAY  # a short wait batches a burst of messages into one email
    if sends:
        due = max(due, sends[-1] + GAP)
    if len(sends) >= PER_DAY:
        due = max(due, sends[-PER_DAY] + DAY)
    return due


def wants_email(member: Member, message: Message) -> bool:
    return (
        bool(member.email)
        and message.author.kind != "system"
        and message.author.key != member.key
        and not (message.internal and member.kind != "agent")
    )


def job_key(conversation_id: str, kind: str, member_id: str) -> str:
    return f"digest:{conversation_id}:{kind}:{member_id}"


def _payload(state: DigestState) -> dict[str, Any]:
    return {"conversation_id": state.conversation_id, "kind": state.member_kind, "member_id": state.member_id}


async def on_message(
    uow: UnitOfWork,
    written: Sequence[tuple[Conversation, Message]],
    members: Mapping[str, list[Member]] | None = None,
) -> None:
    """The messages of one transaction, in order: one read of members (none when the handler passes
    the ones it read) and one of states, for all of them."""
    digests = getattr(uow, "digests", None)
    written = [(c, m) for c, m in written if m.author.kind != "system"]
    if digests is None or not written:
        return
    if members is None:
        members = await uow.conversations.members_of(sorted({c.id for c, _ in written}))
    wanting = [(c, m, [x for x in members.get(c.id, []) if wants_email(x, m)]) for c, m in written]
    wanting = [w for w in wanting if w[2]]
    if not wanting:
        return
    states = {
        (s.conversation_id, s.member_kind, s.member_id): s
        for s in await digests.for_conversations(sorted({c.id for c, _, _ in wanting}))
    }
    for conversation, message, recipients in wanting:
        for member in recipients:
            key = (conversation.id, member.kind, member.id)
            state = states.setdefault(key, DigestState(*key))
            if state.pending_since is not None:
                continue  # already armed: this message rides along in the next email
            state.pending_since = message.created_at
            await digests.save(state)
            await uow.jobs.schedule(
                JOB_KIND,
                next_email_at(state.pending_since, state.sends),  # type: ignore[arg-type]
                _payload(state),
                key=job_key(conversation.id, member.kind, member.id),
            )


async def on_read(uow: UnitOfWork, reads: Sequence[Read]) -> None:
    """Read markers that moved in one transaction: one read of states; most readers have none."""
    digests = getattr(uow, "digests", None)
    if digests is None or not reads:
        return
    states = {
        (s.conversation_id, s.member_kind, s.member_id): s
        for s in await digests.for_conversations(sorted({r[0] for r in reads}))
    }
    for conversation_id, kind, member_id, seq in reads:
        state = states.get((conversation_id, kind, member_id))
        if state is not None:
            await _read(uow, digests, state, seq)


async def _read(uow: UnitOfWork, digests: Any, state: DigestState, seq: int) -> None:
    conversation_id, kind, member_id = state.conversation_id, state.member_kind, state.member_id
    conversation = await uow.conversations.get(conversation_id)
    key = job_key(conversation_id, kind, member_id)
    if conversation is None or seq >= conversation.last_seq:
        # Read everything: the streak ends, and with it the daily count.
        state.sends, state.pending_since = [], None
        state.emailed_seq = max(state.emailed_seq, seq)
        await digests.save(state)
        await uow.jobs.cancel(key)
        await uow.jobs.cancel(key + ":again")
        return
    member = next(
        (m for m in await uow.conversations.members(conversation_id) if m.kind == kind and m.id == member_id),
        None,
    )
    pending = await _pending(uow, member, state) if member else []
    state.pending_since = pending[0].created_at if pending else None
    await digests.save(state)
    due = next_email_at(state.pending_since, state.sends)
    if due is None:
        await uow.jobs.cancel(key)
    else:
        await uow.jobs.schedule(JOB_KIND, due, _payload(state), key=key)


async def _pending(uow: UnitOfWork, member: Member, state: DigestState) -> list[Message]:
    after = max(member.last_read_seq, state.emailed_seq)
    found = await uow.messages.list(
        state.conversation_id, after_seq=after, include_internal=member.kind == "agent"
    )
    return [m for m in found if wants_email(member, m)]


async def send_digest(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
    """Decides from the database alone, so running it twice, late, or after a crash is harmless."""
    conversation_id, kind, member_id = (job.payload[k] for k in ("conversation_id", "kind", "member_id"))
    digests: Any = getattr(uow, "digests")  # noqa: B009 - registered by the storage plugin
    members = await uow.conversations.members(conversation_id)
    member = next((m for m in members if m.kind == kind and m.id == member_id), None)
    if member is None or not member.email:
        await digests.delete(conversation_id, kind, member_id)
        return
    state = await digests.get(conversation_id, kind, member_id) or DigestState(
        conversation_id, kind, member_id
    )
    pending = await _pending(uow, member, state)
    now = clock.now()
    due = next_email_at(pending[0].created_at if pending else None, state.sends)
    if due is None:
        state.pending_since = None
        await digests.save(state)
        return
    if due > now:
        # Early (a race with a read or a message): come back at the right time. A job cannot re-arm
        # its own key while it runs, so it uses its sibling.
        state.pending_since = pending[0].created_at
        await digests.save(state)
        base = job_key(conversation_id, kind, member_id)
        sibling = base if (job.key or "").endswith(":again") else base + ":again"
        await uow.jobs.schedule(JOB_KIND, due, dict(job.payload), key=sibling)
        return
    viewer = Actor(member.kind, member.id, member.name)
    view = await queries.view_conversation(uow, viewer, conversation_id)
    listed = pending[-MAX_LISTED:]
    uow.record(
        UnreadDigestReady(
            conversation_id="",
            conversation=conversation_id,
            member_kind=member.kind,
            member_id=member.id,
            name=member.name,
            email=member.email,
            title=view.title,
            messages=tuple(
                {
                    "seq": m.guest_seq if member.kind == "guest" else m.seq,  # in the reader's numbering
                    "author": m.author.name,
                    "text": m.text,
                    "created_at": m.created_at.isoformat(),
                }
                for m in listed
            ),
            more=len(pending) - len(listed),
        )
    )
    state.sends = [*state.sends, now][-PER_DAY:]
    state.emailed_seq = pending[-1].seq
    state.pending_since = None
    await digests.save(state)


def register(runtime: Runtime) -> None:
    runtime.posting.after_append.append(on_message)
    runtime.posting.after_read.append(on_read)
    runtime.jobs.register(JOB_KIND, send_digest)
