"""Agents create conversations: from the inbox's "+", ``POST /api/agent/conversations``, Slack's
``/convene new`` and Teams' ``new``, all through ``CreateConversation``.

A conversation needs a guest who owns it (the data model's rule, shared with the assistant), so at least
one member must be someone from outside the team, given by email; the first one owns it. Every member
needs an email address; at most ``MAX_MEMBERS`` in all, the creator included. Addresses nobody proved
become new guests invited by a one-time link (``bot.identity``), exactly as when an agent adds a member.
It is routed to the creator's first service, so the team sees it in its inbox and channels, but it has no
*first service*: a guest writing to that service through the widget never lands in it. Joining by link
is off unless the creator turned it on. The description, when given, is the creator's first message.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import identity
from bot.commands import CreateConversation
from bot.errors import Conflict, InvalidInput, NotFound
from bot.handlers.conversations import announce_start
from bot.handlers.people import clean_email
from bot.handlers.posting import PostingHooks, append_message, post_notice
from bot.model import MAX_MEMBERS, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, Binding, Conversation, Guest, Member
from bot.names import clean_line, clean_name
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token


@dataclass(frozen=True)
class Created:
    conversation: Conversation
    members: list[Member]


def _emails(values: tuple[str, ...]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if not str(value or "").strip():
            continue
        email = clean_email(value, required=True) or ""
        seen.setdefault(email.lower(), email)
    return list(seen.values())


async def create_conversation(
    cmd: CreateConversation, uow: UnitOfWork, clock: Clock, posting: PostingHooks
) -> Created:
    if cmd.by.kind != "agent":
        raise InvalidInput("Only agents create conversations.", code="agents_only")
    name = clean_line(cmd.name, limit=MAX_NAME_LENGTH, what="name")
    description = str(cmd.description or "").strip()
    if len(description) > MAX_MESSAGE_LENGTH:
        raise InvalidInput("The description is too long.", code="description_too_long", field="description")
    emails = _emails(cmd.emails)
    slugs = list(dict.fromkeys([cmd.by.id, *cmd.agents]))
    if len(slugs) + len(emails) > MAX_MEMBERS:
        raise Conflict(
            f"A conversation has at most {MAX_MEMBERS:,} members.", code="too_many_members", limit=MAX_MEMBERS
        )
    if not emails:
        raise InvalidInput(
            "Add at least one person from outside the team by email address.", code="no_guest", field="emails"
        )
    async with uow:
        now = clock.now()
        members: list[Member] = []
        for slug in slugs:
            agent = await uow.agents.get(slug)
            if agent is None:
                raise NotFound(f"There is no agent called {slug!r}.", code="unknown_agent", field="agents")
            if not agent.email:
                raise InvalidInput("Every member needs an email address.", code="email_required")
            members.append(Member("agent", agent.slug, agent.name, agent.email))
        emails = [e for e in emails if all((m.email or "").lower() != e.lower() for m in members)]
        if not emails:
            raise InvalidInput("An agent's address is not a guest's.", code="no_guest", field="emails")
        invited: list[Guest] = []
        for email in emails:
            guest = await uow.membership.guest_by_email(email)  # only a proven address is that person
            if guest is None:
                guest = Guest(clean_name(email.split("@")[0]), email, email_origin="agent")
                await uow.guests.add(guest)
                invited.append(guest)
            members.append(Member("guest", guest.id, guest.name, email))
        owner = next(m for m in members if m.kind == "guest")
        services = await uow.services.of_agent(cmd.by.id)
        service = services[0].slug if services else None
        conversation = Conversation(
            guest_id=owner.id,
            service=service,
            title=name,
            assignee=cmd.by.id,
            origin="agent",  # bot.origin: an agent started it
            created_at=now,
            last_message_at=now,
            link_token=new_token() if cmd.available_by_link else None,
            read_only_external=bool(cmd.read_only_external),
        )
        await uow.conversations.add(conversation)
        for member in members:
            await uow.conversations.add_member(conversation.id, member)
            if member.kind == "guest":
                await uow.bindings.add(Binding(conversation.id, "web", {"guest_id": member.id}))
        await announce_start(uow, conversation, owner, service, None, started_by=cmd.by.id)
        await post_notice(uow, conversation, f"{cmd.by.name} created the conversation “{name}”.", now)
        if description:
            await append_message(uow, conversation, cmd.by, description, now, hooks=posting)
        for guest in invited:
            await identity.issue_proof(uow, guest, now, conversation=conversation.id, by=cmd.by.name)
        await uow.commit()
        return Created(conversation, members)
