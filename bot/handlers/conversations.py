"""Guests start and write to conversations; agents reply, assign, read."""

from __future__ import annotations

from dataclasses import dataclass

from bot import access, notices
from bot.commands import AssignConversation, BindThread, MarkRead, PostMessage, StartConversation
from bot.errors import InvalidInput, NotFound
from bot.events import ConversationAssigned, ConversationSeen, ConversationStarted, MessagesRead
from bot.handlers.posting import PostingHooks, append_message, check_post, post_notice
from bot.model import (
    Agent,
    Binding,
    Conversation,
    Guest,
    Member,
    Message,
    clean_client_id,
    clean_text,
    require,
)
from bot.origin import clean_page_url, origin_of
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token


@dataclass(frozen=True)
class Posted:
    conversation: Conversation
    message: Message
    created: bool  # False: the conversation existed (reuse) or the message was a resend


@dataclass(frozen=True)
class Opened:
    conversation: Conversation
    created: bool
    guest: Guest
    members: list[Member] | None  # a new conversation's, as written (nobody reads them back)


async def open_conversation(
    uow: UnitOfWork,
    guest_id: str,
    *,
    service: str | None,
    agent: str | None,
    clock: Clock,
    origin: str | None = None,
    page_url: str | None = None,
) -> tuple[Conversation, bool]:
    """Finds the guest's conversation with this service or agent, or starts one. Bookings use it too.
    A new one records where the guest came from (bot.origin): ``origin``, else the widget or the
    personal link; ``page_url``, else the page the guest's session started on."""
    opened = await _open(
        uow, guest_id, service=service, agent=agent, clock=clock, origin=origin, page_url=page_url
    )
    return opened.conversation, opened.created


async def open_for_first_message(uow: UnitOfWork, cmd: StartConversation, clock: Clock) -> Opened:
    """The guest's conversation for ``cmd``, found or opened with its notice; the caller appends the
    guest's message at once and saves the conversation with it (``start_conversation``, and the batch
    of messages, ``bot/handlers/batch_posting``)."""
    return await _open(
        uow,
        cmd.guest_id,
        service=cmd.service,
        agent=cmd.agent,
        clock=clock,
        page_url=clean_page_url(cmd.page_url),
        first_message=True,
    )


async def _open(
    uow: UnitOfWork,
    guest_id: str,
    *,
    service: str | None,
    agent: str | None,
    clock: Clock,
    origin: str | None = None,
    page_url: str | None = None,
    first_message: bool = False,  # the guest's message follows at once, and saves the new conversation
) -> Opened:
    guest = require(await uow.guests.get(guest_id), "guest")
    if (service is None) == (agent is None):
        raise InvalidInput("Choose either a service or an agent.", code="service_or_agent")
    if service is not None:
        target = require(await uow.services.get(service), "service")
        target_name = target.name
    else:
        agent_obj = require(await uow.agents.get(agent or ""), "agent")
        target_name = agent_obj.name
    existing = await uow.conversations.find_for_guest(guest.id, service=service, agent=agent)
    if existing is not None:
        return Opened(existing, False, guest, None)
    now = clock.now()
    conversation = Conversation(
        guest_id=guest.id,
        service=service,
        first_service=service,
        agent=agent,
        assignee=agent,
        created_at=now,
        last_message_at=now,
        link_token=new_token(),
        origin=origin or origin_of(service, agent),
        origin_url=clean_page_url(page_url) or guest.page_url,
    )
    await uow.conversations.add(conversation)
    members = [Member("guest", guest.id, guest.name, guest.email)]
    if agent is not None:
        members.append(Member("agent", agent_obj.slug, agent_obj.name, agent_obj.email))
    for member in members:
        await uow.conversations.add_member(conversation.id, member)
    await uow.bindings.add(Binding(conversation.id, "web", {"guest_id": guest.id}))
    await announce_start(uow, conversation, guest, service, agent)
    notice = f"{guest.name} started a conversation with {target_name}."
    await post_notice(uow, conversation, notice, now, saved_later=first_message)
    return Opened(conversation, True, guest, members)


async def announce_start(
    uow: UnitOfWork,
    conversation: Conversation,
    owner: Guest | Member,
    service: str | None,
    agent: str | None,
    started_by: str | None = None,
) -> None:
    """A new conversation reaches its service's Slack/Teams channels, and ``ConversationStarted`` says so
    (the same for a guest's first message and for a conversation an agent creates)."""
    if service is not None:
        for channel, address in await uow.bindings.service_channels(service):
            await uow.bindings.add(Binding(conversation.id, channel, dict(address)))
    uow.record(
        ConversationStarted(
            conversation_id=conversation.id,
            guest_id=owner.id,
            guest_name=owner.name,
            guest_email=owner.email,
            service=service,
            agent=agent,
            text="",
            started_by=started_by,
        )
    )
    await notices.on_start(uow, conversation, owner.name)  # direct messages, by preference


async def start_conversation(
    cmd: StartConversation, uow: UnitOfWork, clock: Clock, posting: PostingHooks
) -> Posted:
    text = clean_text(cmd.text)
    client_id = clean_client_id(cmd.client_id)
    async with uow:
        opened = await open_for_first_message(uow, cmd, clock)
        conversation, created, guest = opened.conversation, opened.created, opened.guest
        if client_id and not created:  # a new conversation holds only its notice: nothing to resend
            resent = await uow.messages.by_client_id(conversation.id, guest.actor.key, client_id)
            if resent is not None:
                return Posted(conversation, resent, False)
        if not created:
            conversation = require(
                await uow.conversations.get(conversation.id, for_update=True), "conversation"
            )
        message = await append_message(
            uow,
            conversation,
            guest.actor,
            text,
            clock.now(),
            client_id=client_id,
            hooks=posting,
            members=opened.members,
        )
        await _mark_own_read(
            uow,
            conversation.id,
            guest.actor.kind,
            guest.actor.id,
            message.seq,
            members=opened.members,
            hooks=posting,
        )
        await uow.commit()
        return Posted(conversation, message, created)


async def post_message(cmd: PostMessage, uow: UnitOfWork, clock: Clock, posting: PostingHooks) -> Posted:
    text = clean_text(cmd.text)
    client_id = clean_client_id(cmd.client_id)
    async with uow:
        conversation = await uow.conversations.get(cmd.conversation_id, for_update=True)
        if conversation is None:
            raise NotFound("No such conversation.", code="unknown_conversation")
        members = await uow.conversations.members(conversation.id)
        services = await _services_of(uow, cmd.author.kind, cmd.author.id)
        check_post(cmd, conversation, services, members)  # the batch path (batch_posting) uses it too
        if client_id:
            resent = await uow.messages.by_client_id(conversation.id, cmd.author.key, client_id)
            if resent is not None:
                return Posted(conversation, resent, False)
        message = await append_message(
            uow,
            conversation,
            cmd.author,
            text,
            clock.now(),
            client_id=client_id,
            internal=cmd.internal,
            hooks=posting,
        )
        await _mark_own_read(
            uow,
            conversation.id,
            cmd.author.kind,
            cmd.author.id,
            message.seq,
            cmd.author.name,
            members=members,
            hooks=posting,
        )
        await uow.commit()
        return Posted(conversation, message, True)


async def assign_conversation(cmd: AssignConversation, uow: UnitOfWork, clock: Clock) -> Conversation:
    async with uow:
        conversation = await uow.conversations.get(cmd.conversation_id, for_update=True)
        if conversation is None:
            raise NotFound("No such conversation.", code="unknown_conversation")
        services = await _services_of(uow, cmd.by.kind, cmd.by.id)
        members = await uow.conversations.members(conversation.id)
        if cmd.by.kind != "agent" or not access.agent_can_see(conversation, cmd.by.id, services, members):
            raise NotFound("No such conversation.", code="unknown_conversation")
        assignee = None
        if cmd.assignee is not None:
            assignee = await uow.agents.get(cmd.assignee)
            if assignee is None:
                raise NotFound(f"There is no agent called {cmd.assignee!r}.", code="unknown_agent")
        slug = cmd.service or await _service_for(uow, conversation, assignee)
        service = await uow.services.get(slug)
        if service is None:
            raise NotFound(f"There is no service called {slug!r}.", code="unknown_service")
        conversation.assign(service, cmd.assignee)
        await uow.conversations.save(conversation)
        if assignee is not None and not any(m.kind == "agent" and m.id == assignee.slug for m in members):
            await uow.conversations.add_member(
                conversation.id, Member("agent", assignee.slug, assignee.name, assignee.email)
            )
        uow.record(
            ConversationAssigned(
                conversation_id=conversation.id,
                service=service.slug,
                assignee=cmd.assignee,
                assignee_name=assignee.name if assignee else None,
                by=cmd.by,
            )
        )
        if assignee is None:
            text = f"{cmd.by.name} assigned this conversation to {service.name}."
        elif assignee.slug == cmd.by.id:
            text = f"{cmd.by.name} took this conversation ({service.name})."
        else:
            text = f"{cmd.by.name} assigned this conversation to {assignee.name} ({service.name})."
        await post_notice(uow, conversation, text, clock.now())
        await uow.commit()
        return conversation


async def mark_read(cmd: MarkRead, uow: UnitOfWork, clock: Clock, posting: PostingHooks) -> int:
    async with uow:
        conversation = require(await uow.conversations.get(cmd.conversation_id), "conversation")
        members = await uow.conversations.members(conversation.id)
        services = await _services_of(uow, cmd.reader.kind, cmd.reader.id)
        if not access.can_see(conversation, cmd.reader, services, members):
            raise NotFound("No such conversation.", code="unknown_conversation")
        seq = max(0, min(cmd.seq, conversation.last_seq))
        answer = seq
        if cmd.reader.kind == "guest":
            # A guest counts only the messages they see; the marker is kept in everyone's numbering, and
            # having read all they see is having read everything (internal notes after it included).
            answer = max(0, min(cmd.seq, conversation.guest_seq))
            if answer >= conversation.guest_seq:
                seq = conversation.last_seq
            else:
                seq = await uow.messages.seq_at_guest_position(conversation.id, answer)
        changed = await _mark_own_read(
            uow,
            conversation.id,
            cmd.reader.kind,
            cmd.reader.id,
            seq,
            cmd.reader.name,
            members=members,
            hooks=posting,
        )
        if changed:
            uow.record(MessagesRead(conversation_id=conversation.id, reader=cmd.reader, seq=seq))
            if cmd.reader.kind == "agent":  # the guest's "Seen", counted in what the guest sees
                seen = await uow.messages.guest_position(conversation.id, seq)
                if seen > 0:
                    uow.record(ConversationSeen(conversation_id=conversation.id, seq=seen))
        await uow.commit()
        return answer  # in the reader's numbering


async def bind_thread(cmd: BindThread, uow: UnitOfWork) -> None:
    async with uow:
        require(await uow.conversations.get(cmd.conversation_id), "conversation")
        await uow.bindings.add(Binding(cmd.conversation_id, cmd.channel, dict(cmd.address)))
        await uow.commit()


async def _service_for(uow: UnitOfWork, conversation: Conversation, assignee: Agent | None) -> str:
    """ "Assign to me" (or to a person) without naming a service: the conversation stays with its
    service when the assignee answers for it; otherwise it moves to the assignee's first service."""
    if assignee is None:
        raise InvalidInput("Name a service to assign the conversation to.", code="service_required")
    theirs = [s.slug for s in await uow.services.of_agent(assignee.slug)]
    current = conversation.assigned_service or conversation.service
    if current in theirs:
        return current
    if not theirs:
        raise InvalidInput(f"{assignee.name} is in no service.", code="no_service")
    return theirs[0]


async def _services_of(uow: UnitOfWork, kind: str, actor_id: str) -> list[str]:
    if kind != "agent":
        return []
    return [s.slug for s in await uow.services.of_agent(actor_id)]


async def _mark_own_read(
    uow: UnitOfWork,
    conversation_id: str,
    kind: str,
    member_id: str,
    seq: int,
    name: str | None = None,
    *,
    members: list[Member] | None = None,
    hooks: PostingHooks | None = None,
) -> bool:
    """Advances a member's read marker (never backwards); agents become members when they first read."""
    if members is None:
        members = await uow.conversations.members(conversation_id)
    member = next((m for m in members if m.kind == kind and m.id == member_id), None)
    if member is None:
        if kind != "agent":
            return False
        agent = await uow.agents.get(member_id)
        if agent is None:
            return False
        await uow.conversations.add_member(
            conversation_id, Member("agent", agent.slug, agent.name, agent.email, last_read_seq=seq)
        )
    else:
        if seq <= member.last_read_seq:
            return False
        member.last_read_seq = seq
        await uow.conversations.save_member(conversation_id, member)
    for hook in hooks.after_read if hooks else ():
        await hook(uow, [(conversation_id, kind, member_id, seq)])
    return True
