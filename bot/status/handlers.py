"""Resolve, reopen and snooze a conversation; reopen it when a guest writes or a snooze ends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot import access, notices
from bot.errors import NotFound
from bot.handlers.posting import append_message, post_notice
from bot.meetings.options import FALLBACK_TIMEZONE, time_zone_of
from bot.model import SYSTEM, Actor, Conversation, Member, Message
from bot.ports import Clock, JobItem, UnitOfWork
from bot.status.commands import ReopenConversation, ResolveConversation, SnoozeConversation
from bot.status.events import ConversationReopened, ConversationResolved, ConversationSnoozed
from bot.status.presets import snooze_until

if TYPE_CHECKING:
    from bot.runtime import Runtime

OPEN, SNOOZED, RESOLVED = "open", "snoozed", "resolved"
SNOOZE_JOB = "conversation_snooze"


def snooze_key(conversation_id: str) -> str:
    return f"{SNOOZE_JOB}:{conversation_id}"


async def _for_agent(uow: UnitOfWork, conversation_id: str, by: Actor) -> Conversation:
    """The conversation, locked, if this agent may see it; otherwise as missing as a wrong id."""
    conversation = await uow.conversations.get(conversation_id, for_update=True)
    if conversation is None or by.kind != "agent":
        raise NotFound("No such conversation.", code="unknown_conversation")
    services = [s.slug for s in await uow.services.of_agent(by.id)]
    members = await uow.conversations.members(conversation.id)
    if not access.agent_can_see(conversation, by.id, services, members):
        raise NotFound("No such conversation.", code="unknown_conversation")
    return conversation


async def _open(uow: UnitOfWork, conversation: Conversation) -> None:
    if conversation.status == SNOOZED:
        await uow.jobs.cancel(snooze_key(conversation.id))
    conversation.status = OPEN
    conversation.snoozed_until = None
    conversation.resolved_at = None
    conversation.resolved_by = None


async def resolve_conversation(cmd: ResolveConversation, uow: UnitOfWork, clock: Clock) -> Conversation:
    async with uow:
        conversation = await _for_agent(uow, cmd.conversation_id, cmd.by)
        if conversation.status == RESOLVED:
            return conversation  # pressed twice (or in two places): nothing more to say
        now = clock.now()
        await _open(uow, conversation)
        conversation.status, conversation.resolved_at, conversation.resolved_by = RESOLVED, now, cmd.by.id
        await uow.conversations.save(conversation)
        uow.record(ConversationResolved(conversation.id, cmd.by, now, conversation.assignee))
        await post_notice(uow, conversation, f"{cmd.by.name} resolved the conversation.", now)
        await uow.commit()
        return conversation


async def reopen_conversation(cmd: ReopenConversation, uow: UnitOfWork, clock: Clock) -> Conversation:
    async with uow:
        conversation = await _for_agent(uow, cmd.conversation_id, cmd.by)
        if conversation.status == OPEN:
            return conversation
        await _open(uow, conversation)
        await uow.conversations.save(conversation)
        uow.record(ConversationReopened(conversation.id, cmd.by, "agent", conversation.assignee, clock.now()))
        await post_notice(uow, conversation, f"{cmd.by.name} reopened the conversation.", clock.now())
        await uow.commit()
        return conversation


async def snooze_conversation(cmd: SnoozeConversation, uow: UnitOfWork, clock: Clock) -> Conversation:
    async with uow:
        conversation = await _for_agent(uow, cmd.conversation_id, cmd.by)
        agent = await uow.agents.get(cmd.by.id)
        zone = time_zone_of(agent) if agent is not None else FALLBACK_TIMEZONE
        now = clock.now()
        until = snooze_until(cmd.until, cmd.preset, now, zone)
        await _open(uow, conversation)
        conversation.status, conversation.snoozed_until = SNOOZED, until
        await uow.conversations.save(conversation)
        await uow.jobs.schedule(
            SNOOZE_JOB, until, {"conversation_id": conversation.id}, key=snooze_key(conversation.id)
        )
        uow.record(ConversationSnoozed(conversation.id, cmd.by, until, conversation.assignee))
        # A note among agents: when they mean to look again is not the guest's business.
        await append_message(
            uow, conversation, SYSTEM, f"{cmd.by.name} snoozed the conversation.", now, internal=True
        )
        await uow.commit()
        return conversation


async def end_snooze(job: JobItem, uow: UnitOfWork, clock: Clock) -> None:
    """The job at the snooze's end: open again, and the assignee hears of it (bot.notices decides where)."""
    conversation = await uow.conversations.get(job.payload["conversation_id"], for_update=True)
    now = clock.now()
    if conversation is None or conversation.status != SNOOZED:
        return  # reopened or resolved meanwhile
    if conversation.snoozed_until is not None and conversation.snoozed_until > now:
        return  # snoozed again for longer: that job is the one to wake it
    conversation.status, conversation.snoozed_until = OPEN, None
    await uow.conversations.save(conversation)
    uow.record(ConversationReopened(conversation.id, SYSTEM, "snooze_ended", conversation.assignee, now))
    notice = await append_message(
        uow, conversation, SYSTEM, "The snooze ended: the conversation is open again.", now, internal=True
    )
    await notices.on_snooze_ended(uow, conversation, notice.id)


async def reopen_when_guests_write(
    uow: UnitOfWork,
    written: Sequence[tuple[Conversation, Message]],
    members: Mapping[str, list[Member]] | None = None,
) -> None:
    """A posting hook: a guest's message brings a resolved or snoozed conversation back."""
    for conversation, message in written:
        if message.author.kind != "guest" or conversation.status == OPEN:
            continue
        await _open(uow, conversation)
        uow.record(
            ConversationReopened(
                conversation.id, message.author, "guest_wrote", conversation.assignee, message.created_at
            )
        )
        await post_notice(
            uow,
            conversation,
            f"{message.author.name} wrote again: the conversation is open.",
            message.created_at,
        )


def register(runtime: Runtime) -> None:
    runtime.bus.register(ResolveConversation, resolve_conversation)
    runtime.bus.register(ReopenConversation, reopen_conversation)
    runtime.bus.register(SnoozeConversation, snooze_conversation)
    runtime.jobs.register(SNOOZE_JOB, end_snooze)
    runtime.posting.after_append.append(reopen_when_guests_write)
