"""Who takes part: the organiser and every attendee become members of the conversation.

Agents are matched by email; everyone else becomes a guest with that email (the same guest again when
the address is known). The assistant's own addresses are attendees of the event, never members.
Each new participant but the organiser gets an invitation mail: agents the inbox link, guests a
one-time link that signs them in as that guest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.assistant.addresses import address_token
from bot.assistant.events import ConversationInvitationMailed
from bot.assistant.model import CalendarMeeting
from bot.errors import Conflict
from bot.handlers.membership import enroll
from bot.handlers.posting import post_notice
from bot.model import MAX_MEMBERS, Actor, Agent, Conversation, Guest, Member
from bot.ports import UnitOfWork
from bot.tokens import new_token, token_hash
from scheduling.itip import Person

INVITATION_TOKEN = "conv_invite"  # tokens.kind holds 16 characters
INVITATION_LIFETIME = timedelta(days=30)


def participants(organizer: Person, attendees: tuple[Person, ...], assistant: str) -> list[Person]:
    """The organiser first, then every attendee once, without the assistant's addresses."""
    found: dict[str, Person] = {organizer.email: organizer}
    for person in attendees:
        if person.email and person.email not in found and address_token(person.email, assistant) is None:
            found[person.email] = person
    return list(found.values())


async def member_for(uow: UnitOfWork, person: Person) -> tuple[Member, Agent | Guest]:
    agent = await uow.agents.get_by_email(person.email)
    if agent is not None:
        return Member("agent", agent.slug, agent.name, agent.email), agent
    guest = await uow.membership.guest_by_email(person.email)
    if guest is None:
        # the organiser (an agent) wrote this address into the invitation
        guest = Guest(person.name or person.email.split("@")[0], person.email, email_origin="agent")
        await uow.guests.add(guest)
        await uow.guests.get(guest.id)  # a read flushes the new row before a conversation refers to it
    return Member("guest", guest.id, guest.name, person.email), guest


async def add_members(
    uow: UnitOfWork,
    conversation: Conversation,
    people: list[Person],
    *,
    by: Actor,
    now: datetime,
    announce: bool,
) -> list[Member]:
    """Adds whoever is not a member yet, as ``bot/handlers/membership`` does (a web binding for guests,
    ``MemberAdded``, no unread history); ``announce`` also says so in the thread. Returns the new
    members other than ``by``, who need an invitation mail."""
    members = await uow.conversations.members(conversation.id)
    present = {m.key for m in members}
    # Someone already in this conversation stays the same member, whether or not they proved the
    # address since: the organiser's client names them by it on every update.
    by_email = {(m.email or "").lower() for m in members if m.email}
    added: list[Member] = []
    for person in people:
        if person.email.lower() in by_email:
            continue
        member, _ = await member_for(uow, person)
        if member.key in present:
            continue
        if len(present) >= MAX_MEMBERS:
            raise Conflict(
                f"A conversation has at most {MAX_MEMBERS:,} members.",
                code="too_many_members",
                limit=MAX_MEMBERS,
            )
        await enroll(uow, conversation, member, by)
        if announce:
            await post_notice(uow, conversation, f"{by.name} invited {member.name} to the meeting.", now)
        present.add(member.key)
        if member.key != by.key:
            added.append(member)
    return added


async def invite(
    uow: UnitOfWork,
    member: Member,
    conversation: Conversation,
    meeting: CalendarMeeting,
    organizer_name: str,
    address: str,
    now: datetime,
) -> None:
    join_token = ""
    if member.kind == "guest":
        join_token = new_token()
        await uow.tokens.add(
            token_hash(join_token),
            INVITATION_TOKEN,
            f"{member.id} {conversation.id}",
            now + INVITATION_LIFETIME,
        )
    uow.record(
        ConversationInvitationMailed(
            conversation=conversation.id,
            email=member.email or "",
            name=member.name,
            title=conversation.title or meeting.summary,
            member_kind=member.kind,
            member_id=member.id,
            organizer_name=organizer_name,
            join_token=join_token,
            **details(meeting, address),
        )
    )


def details(meeting: CalendarMeeting, address: str) -> dict[str, Any]:
    return dict(
        summary=meeting.summary,
        start=meeting.start,
        end=meeting.end,
        timezone=meeting.timezone,
        location=meeting.location,
        join_url=meeting.join_url,
        rrule=meeting.rrule,
        assistant_address=address,
    )
