"""Unread-message emails, per person across all their conversations, on the product's timing.

While a person leaves messages unread in any of their conversations, the first email goes out 5
minutes after the first unread message; then at most two more, at least 4 hours apart: at most 3 a
day. Messages that arrive meanwhile, in every conversation, are batched into the next email, which
lists each conversation with its unread messages. Only when the person has read **all** of those
conversations does the timer reset: the next unread message again gets an email within 5 minutes.

"A day" is a rolling 24 hours, counted over the emails of the current unread streak: the fourth email
goes out no earlier than 24 hours after the first. We chose it over the person's calendar day because
guests often have no known time zone, and a calendar day would send the fourth email just after
midnight; with a rolling window a person who never reads gets mail at the same hours each day.

Who gets them, for a message they did not write (never for the system's own notices):
- the conversation's assignee; while it is assigned (or routed) to a service as a whole, every member
  of that service; a conversation with one agent (the guest wrote to them) goes to that agent; one with
  neither goes to its agent members;
- guests who gave an email address, for their own conversations, never for internal notes, and in
  their own numbering (``guest_seq``).
A person who followed the ``List-Unsubscribe`` link (``StopUnreadEmails``) gets none.

The state is in the database (``uow.digests``, one row per person: the conversations with unread
messages and the newest seq emailed in each, the emails of this streak) and every decision is re-made
by the one job per person from it, so a crash or restart changes nothing. Jobs are armed in the same
transaction as the message and the read: ``register`` adds ``on_message`` and ``on_read`` to the
runtime's posting hooks, which the bus hands to the handlers that post and read.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import queries
from bot.events import UnreadDigestReady
from bot.handlers.posting import Read
from bot.model import Actor, Conversation, DigestState, Member, Message
from bot.ports import Clock, JobItem, UnitOfWork
from bot.preferences import wants_unread_email
from bot.runtime import Runtime

FIRST_DELAY = timedelta(minutes=5)
GAP = timedelta(hours=4)
PER_DAY = 3
DAY = timedelta(hours=24)
JOB_KIND = "email_digest"
MAX_LISTED = 20  # messages quoted per conversation in one email; the rest are counted


@dataclass(frozen=True)
class StopUnreadEmails:
    """The person followed the signed unsubscribe link of an unread-message email."""

    person_kind: str
    person_id: str


def next_email_at(pending_since: datetime | None, sends: Sequence[datetime]) -> datetime | None:
    """When the next email may go: ``None`` while nothing new is unread.

    ``pending_since``: when the oldest unread, not yet emailed message arrived.
    ``sends``: when this streak's emails went out (the streak ends when the person reads everything).
    """
    if pending_since is None:
        return None
    due = pending_since + FIRST_DELAY  # a short wait batches a burst of messages into one email
    if sends:
        due = max(due, sends[-1] + GAP)
    if len(sends) >= PER_DAY:
        due = max(due, sends[-PER_DAY] + DAY)
    return due


def unsubscribe_signature(secret: str, kind: str, person_id: str) -> str:
    """Signs the unsubscribe link, so nobody turns off someone else's emails by guessing an id."""
    digest = hmac.new(secret.encode(), f"unread-email.{kind}.{person_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def job_key(kind: str, person_id: str) -> str:
    return f"digest:{kind}:{person_id}"


async def agent_recipients(
    uow: UnitOfWork,
    conversation: Conversation,
    members: list[Member],
    services: dict[str, list[str] | None] | None = None,
) -> list[str]:
    """The agents a conversation's unread messages are mailed to (see the module docstring).
    ``services``: members of services already read in this transaction (a batch reads each once)."""
    if conversation.assignee:
        return [conversation.assignee]
    if conversation.agent:
        return [conversation.agent]
    slug = conversation.assigned_service or conversation.service
    known = services if services is not None else {}
    if slug and slug not in known:
        service = await uow.services.get(slug)
        known[slug] = list(service.members) if service is not None else None
    found = known.get(slug) if slug else None
    if found is not None:
        return list(found)
    return [m.id for m in members if m.kind == "agent"]


async def _recipients(
    uow: UnitOfWork,
    conversation: Conversation,
    members: list[Member],
    services: dict[str, list[str] | None] | None = None,
) -> set[tuple[str, str]]:
    found = {("guest", m.id) for m in members if m.kind == "guest" and m.email}
    return found | {("agent", slug) for slug in await agent_recipients(uow, conversation, members, services)}


def counts_for(kind: str, person_id: str, message: Message) -> bool:
    author = message.author
    return (
        author.kind != "system"
        and (author.id != person_id or author.kind != kind)  # not their own (no key strings built)
        and not (message.internal and kind != "agent")
    )


async def _address(uow: UnitOfWork, kind: str, person_id: str) -> tuple[str, str | None, str]:
    """Name, address and time zone (for the times in the mail) of the person."""
    person = await (uow.agents.get(person_id) if kind == "agent" else uow.guests.get(person_id))
    if person is None:
        return "", None, ""
    return person.name, person.email, person.timezone or ""


async def _arm(uow: UnitOfWork, state: DigestState) -> None:
    due = next_email_at(state.pending_since, state.sends)
    key = job_key(state.person_kind, state.person_id)
    if due is None:
        await uow.jobs.cancel(key)
    else:
        await uow.jobs.schedule(
            JOB_KIND, due, {"kind": state.person_kind, "member_id": state.person_id}, key=key
        )


async def on_message(
    uow: UnitOfWork,
    written: Sequence[tuple[Conversation, Message]],
    members: Mapping[str, list[Member]] | None = None,
) -> None:
    """The messages of one transaction, in order (group commit hands over a whole batch): one read of
    members (none when the handler passes the ones it read); each service is read once, and every
    recipient's state in one read; a state is written once, only if it changed (a message to someone
    already armed, in a conversation already listed, rides along in the next email and writes nothing)."""
    digests = getattr(uow, "digests", None)
    written = [(c, m) for c, m in written if m.author.kind != "system"]
    if digests is None or not written:
        return
    if members is None:
        members = await uow.conversations.members_of(sorted({c.id for c, _ in written}))
    services: dict[str, list[str] | None] = {}
    recipients: dict[str, list[tuple[str, str]]] = {}  # each conversation's, worked out once
    counted: list[tuple[Conversation, Message, list[tuple[str, str]]]] = []
    for conversation, message in written:
        found = recipients.get(conversation.id)
        if found is None:
            present = list(members.get(conversation.id, []))
            found = recipients[conversation.id] = sorted(
                await _recipients(uow, conversation, present, services)
            )
        counted.append((conversation, message, [p for p in found if counts_for(*p, message)]))
    # The authors too: they are the batch's readers (``on_read``), and most have no state, which this
    # read tells ``uow.digests`` (and so spares ``on_read`` its own).
    wanted = {p for _, _, people in counted for p in people} | {
        (m.author.kind, m.author.id) for _, m in written
    }
    states = await digests.get_many(sorted(wanted))
    changed: dict[tuple[str, str], bool] = {}  # state → whether it is newly armed
    for conversation, message, people in counted:
        for key in people:
            state = states.get(key)
            if state is None:
                state = states[key] = DigestState(*key)
            if state.unsubscribed:
                continue
            if conversation.id not in state.conversations:
                kind, person_id = key
                present = members.get(conversation.id, [])
                member = next((m for m in present if m.kind == kind and m.id == person_id), None)
                state.conversations[conversation.id] = member.last_read_seq if member else 0
                changed.setdefault(key, False)
            if state.pending_since is None:
                state.pending_since = message.created_at
                changed[key] = True
    for key, arm in changed.items():
        await digests.save(states[key])
        if arm:
            await _arm(uow, states[key])


async def on_read(uow: UnitOfWork, reads: Sequence[Read]) -> None:
    """Read markers that moved in one transaction; most readers have no unread-email state: one read
    finds the states of all readers (a person who read twice is read again after the first change)."""
    digests = getattr(uow, "digests", None)
    if digests is None:
        return
    # No read at all for people the message hook found without a state (``uow.digests`` knows them).
    first = await digests.get_many(sorted({(kind, person_id) for _, kind, person_id, _ in reads}))
    seen: set[tuple[str, str]] = set()
    for conversation_id, kind, person_id, seq in reads:
        key = (kind, person_id)
        if key not in first:
            continue
        # A second read by the same person sees what the first one wrote: read again.
        state = await digests.get(kind, person_id) if key in seen else first[key]
        seen.add(key)
        await _read(uow, digests, state, conversation_id, kind, person_id, seq)


async def _read(
    uow: UnitOfWork,
    digests: Any,
    state: DigestState | None,
    conversation_id: str,
    kind: str,
    person_id: str,
    seq: int,
) -> None:
    if state is None or conversation_id not in state.conversations:
        return
    conversation = await uow.conversations.get(conversation_id)
    if conversation is None or seq >= conversation.last_seq:
        del state.conversations[conversation_id]
    if not state.conversations:
        # Read everything, everywhere: the streak ends, and with it the daily count.
        state.sends, state.pending_since = [], None
        await digests.save(state)
        await uow.jobs.cancel(job_key(kind, person_id))
        await uow.jobs.cancel(job_key(kind, person_id) + ":again")
        return
    pending = await _pending_everywhere(uow, state)
    state.pending_since = _oldest(pending)
    await digests.save(state)
    await _arm(uow, state)


async def _pending_everywhere(uow: UnitOfWork, state: DigestState) -> dict[str, list[Message]]:
    """Each conversation's unread, not yet emailed messages; forgets conversations no longer theirs."""
    kind, person_id = state.person_kind, state.person_id
    pending: dict[str, list[Message]] = {}
    for conversation_id, emailed_seq in list(state.conversations.items()):
        conversation = await uow.conversations.get(conversation_id)
        members = await uow.conversations.members(conversation_id) if conversation else []
        if conversation is None or (kind, person_id) not in await _recipients(uow, conversation, members):
            del state.conversations[conversation_id]
            continue
        member = next((m for m in members if m.kind == kind and m.id == person_id), None)
        read = member.last_read_seq if member else 0
        if read >= conversation.last_seq:
            del state.conversations[conversation_id]  # read since (e.g. by a channel without hooks)
            continue
        found = await uow.messages.list(
            conversation_id, after_seq=max(read, emailed_seq), include_internal=kind == "agent"
        )
        mine = [m for m in found if counts_for(kind, person_id, m)]
        if mine:
            pending[conversation_id] = mine
    return pending


def _oldest(pending: dict[str, list[Message]]) -> datetime | None:
    return min((found[0].created_at for found in pending.values()), default=None)


async def send_digest(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
    """Decides from the database alone, so running it twice, late, or after a crash is harmless."""
    kind, person_id = str(job.payload["kind"]), str(job.payload["member_id"])
    digests: Any = getattr(uow, "digests")  # noqa: B009 - registered by the storage plugin
    state = await digests.get(kind, person_id)
    if state is None or state.unsubscribed:
        return
    if kind == "agent" and not await wants_unread_email(uow, person_id):
        await digests.delete(kind, person_id)  # turned off in their preferences (bot.preferences)
        return
    name, email, timezone = await _address(uow, kind, person_id)
    pending = await _pending_everywhere(uow, state)
    if not email or not state.conversations:
        await digests.delete(kind, person_id)
        return
    now = clock.now()
    due = next_email_at(_oldest(pending), state.sends)
    state.pending_since = _oldest(pending)
    if due is None:
        await digests.save(state)
        return
    if due > now:
        # Early (a race with a read or a message): come back at the right time. A job cannot re-arm
        # its own key while it runs, so it uses its sibling.
        await digests.save(state)
        base = job_key(kind, person_id)
        sibling = base if (job.key or "").endswith(":again") else base + ":again"
        await uow.jobs.schedule(JOB_KIND, due, dict(job.payload), key=sibling)
        return
    viewer = Actor("agent" if kind == "agent" else "guest", person_id, name)
    listing = []
    for conversation_id, found in sorted(pending.items(), key=lambda item: item[1][0].created_at):
        view = await queries.view_conversation(uow, viewer, conversation_id)
        listed = found[-MAX_LISTED:]
        files = await uow.attachments.of_messages([m.id for m in listed])  # named under the text
        listing.append(
            {
                "conversation_id": conversation_id,
                "title": view.title,
                "more": len(found) - len(listed),
                "messages": [
                    {
                        "seq": m.guest_seq if kind == "guest" else m.seq,  # in the reader's numbering
                        "author": m.author.name,
                        "text": "\n".join(
                            [*([m.text] if m.text else []), *(f"📎 {f.name}" for f in files.get(m.id, []))]
                        ),
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in listed
                ],
            }
        )
        state.conversations[conversation_id] = found[-1].seq
    uow.record(
        UnreadDigestReady(
            conversation_id="",
            person_kind=kind,
            person_id=person_id,
            name=name,
            email=email,
            conversations=tuple(listing),
            sent_at=now.isoformat(),
            timezone=timezone,
        )
    )
    state.sends = [*state.sends, now][-PER_DAY:]
    state.pending_since = None
    await digests.save(state)


async def stop_unread_emails(cmd: StopUnreadEmails, uow: UnitOfWork) -> None:
    async with uow:
        digests: Any = getattr(uow, "digests")  # noqa: B009 - registered by the storage plugin
        state = await digests.get(cmd.person_kind, cmd.person_id) or DigestState(
            cmd.person_kind, cmd.person_id
        )
        state.unsubscribed, state.pending_since = True, None
        await digests.save(state)
        await uow.jobs.cancel(job_key(cmd.person_kind, cmd.person_id))
        await uow.jobs.cancel(job_key(cmd.person_kind, cmd.person_id) + ":again")
        await uow.commit()


HANDLERS: dict[type, Any] = {StopUnreadEmails: stop_unread_emails}


def register(runtime: Runtime) -> None:
    runtime.posting.after_append.append(on_message)
    runtime.posting.after_read.append(on_read)
    runtime.jobs.register(JOB_KIND, send_digest)
    for command, handler in HANDLERS.items():
        runtime.bus.register(command, handler)
