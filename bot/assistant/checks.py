"""What every assistant command checks first, and what every change sends.

Who may ask (the organiser must be an agent and the sender), which conversation a token names, whether
a Message-ID was seen before; and the mails that follow a change: to the members, and the iTIP REPLY.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot import access
from bot.assistant.addresses import address_token, conversation_address
from bot.assistant.commands import CalendarMail
from bot.assistant.events import CalendarMeetingChanged, CalendarReplyDue
from bot.assistant.model import CalendarMeeting, repository
from bot.assistant.people import details
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.model import Agent, Conversation
from bot.ports import UnitOfWork
from bot.settings import Settings
from scheduling.itip import CalendarEvent, Person


@dataclass(frozen=True)
class Outcome:
    conversation_id: str | None
    result: str  # opened | added | updated | unchanged | cancelled | replied | repeat


async def first_time(uow: UnitOfWork, message_id: str, now: datetime) -> bool:
    """False for a Message-ID seen before: a redelivered mail is acted on once."""
    if not message_id:
        return True
    key = hashlib.sha256(message_id.encode()).hexdigest()
    return await uow.inbound.first_time("assistant", key, now)


def _state_key(meeting: CalendarMeeting, sequence: int) -> str:
    text = f"{meeting.id}|{sequence}|{meeting.start.isoformat()}|{meeting.end.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


async def note_calendar_state(uow: UnitOfWork, meeting: CalendarMeeting, now: datetime) -> None:
    """The organiser's calendar showed this meeting at its current times (a move without a SEQUENCE,
    as Graph reports them): the invitation that follows for the same move is then no news."""
    await uow.inbound.first_time("assistant-calendar", _state_key(meeting, meeting.sequence), now)


async def calendar_showed(uow: UnitOfWork, meeting: CalendarMeeting, now: datetime) -> bool:
    """Whether the calendar already reported the meeting's current times at its current SEQUENCE.
    A miss leaves a mark at a SEQUENCE the caller is about to pass, so it can never answer later."""
    return not await uow.inbound.first_time("assistant-calendar", _state_key(meeting, meeting.sequence), now)


async def organizer_of(uow: UnitOfWork, cmd: CalendarMail) -> tuple[Agent, Person]:
    person = next((e.organizer for e in cmd.events if e.organizer), None)
    if person is None:
        raise InvalidInput("The invitation names no organiser.", code="no_organizer")
    agent = await uow.agents.get_by_email(person.email)
    if agent is None:
        raise Forbidden(
            f"Only members of the team can schedule through the assistant, and {person.email} is not one.",
            code="organizer_not_an_agent",
        )
    if cmd.sender != person.email:
        raise Forbidden(
            "Only the organiser of an event can invite the assistant to it or change it.",
            code="sender_not_organizer",
        )
    return agent, person


async def token_conversation(uow: UnitOfWork, token: str, agent: Agent) -> Conversation:
    link = await repository(uow).conversation_by_token(token)
    conversation = await uow.conversations.get(link.conversation_id, for_update=True) if link else None
    if conversation is None:
        raise NotFound("That conversation address is unknown.", code="unknown_conversation")
    members = await uow.conversations.members(conversation.id)
    services = [s.slug for s in await uow.services.of_agent(agent.slug)]
    if not access.agent_can_see(conversation, agent.slug, services, members):
        raise Forbidden("Only members of the conversation can add meetings to it.", code="not_a_member")
    return conversation


async def own_address(uow: UnitOfWork, conversation_id: str, settings: Settings) -> str:
    link = await repository(uow).conversation(conversation_id)
    return conversation_address(settings.assistant, link.token) if link else settings.assistant


def reply_due(
    meeting: CalendarMeeting, event: CalendarEvent, organizer: Person, settings: Settings, now: datetime
) -> CalendarReplyDue:
    listed = next(
        (p for p in event.attendees if address_token(p.email, settings.assistant) is not None), None
    )
    return CalendarReplyDue(
        conversation=meeting.conversation_id,
        email=organizer.email,
        name=organizer.name,
        uid=meeting.uid,
        sequence=event.sequence,
        summary=meeting.summary,
        start=event.start,
        end=event.end,
        recurrence_id=event.recurrence_id,
        assistant_address=listed.email if listed else settings.assistant,
        assistant_name=listed.name if listed and listed.name else "Convene assistant",
        dtstamp=now,
    )


async def tell_members(
    uow: UnitOfWork,
    conversation: Conversation,
    meeting: CalendarMeeting,
    change: str,
    address: str,
    *,
    skip: frozenset[str] = frozenset(),  # member keys told otherwise (newcomers get the invitation)
    **extra: object,
) -> None:
    for member in await uow.conversations.members(conversation.id):
        if member.key in skip:
            continue
        if member.email and member.email.lower() != meeting.organizer_email:  # the organiser made the change
            uow.record(
                CalendarMeetingChanged(
                    conversation=conversation.id,
                    email=member.email,
                    name=member.name,
                    title=conversation.title or meeting.summary,
                    change=change,
                    member_kind=member.kind,
                    member_id=member.id,
                    **details(meeting, address),
                    **extra,  # type: ignore[arg-type]
                )
            )
