"""The assistant's rules: invitations open conversations, updates and cancellations become notices.

Only an agent may organise through the assistant, and only for mail they sent themselves. A message
seen before (same Message-ID) or an invitation that is not newer (SEQUENCE not higher) changes
nothing. Every mail that follows is an event in the same transaction; the email channel sends it.
"""

from __future__ import annotations

from datetime import datetime

from bot.assistant import reminders, texts
from bot.assistant.addresses import address_token, conversation_address, new_address_token
from bot.assistant.checks import (
    Outcome,
    calendar_showed,
    first_time,
    organizer_of,
    own_address,
    reply_due,
    tell_members,
    token_conversation,
)
from bot.assistant.commands import (
    AcceptCalendarInvitation,
    CalendarMail,
    CancelCalendarEvent,
    ExplainRefusedInvitation,
    RecordAttendeeReply,
)
from bot.assistant.events import AssistantConversationOpened, CalendarMeetingReady, InvitationRefused
from bot.assistant.model import (
    CANCELLED,
    SERIES,
    AssistantConversation,
    CalendarMeeting,
    instance_key,
    repository,
)
from bot.assistant.office import request_link
from bot.assistant.people import add_members, details, invite, member_for, participants
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.handlers.posting import post_notice
from bot.model import Agent, Conversation
from bot.ports import Clock, UnitOfWork
from bot.settings import Settings
from bot.tokens import new_token
from scheduling.itip import CalendarEvent, Person


async def _open(
    uow: UnitOfWork, event: CalendarEvent, agent: Agent, people: list[Person], now: datetime
) -> Conversation:
    """A new conversation named after the event, owned by its first guest."""
    owner = None
    for person in people:
        member, who = await member_for(uow, person)
        if member.kind == "guest":
            owner = who
            break
    if owner is None:
        raise InvalidInput(
            "Invite at least one person from outside the team: a conversation needs a guest.", code="no_guest"
        )
    conversation = Conversation(
        guest_id=owner.id,
        title=(event.summary or "Meeting")[:200],
        assignee=agent.slug,
        origin="assistant",  # bot.origin: a calendar invitation to the assistant
        created_at=now,
        last_message_at=now,
        link_token=new_token(),
    )
    await uow.conversations.add(conversation)
    return conversation


async def _record_new(
    uow: UnitOfWork,
    cmd: CalendarMail,
    event: CalendarEvent,
    agent: Agent,
    organizer: Person,
    clock: Clock,
    settings: Settings,
) -> Outcome:
    now = clock.now()
    assert event.start is not None and event.end is not None
    repo = repository(uow)
    people = participants(organizer, event.attendees, settings.assistant)
    opened = not cmd.token
    if opened:
        conversation = await _open(uow, event, agent, people, now)
        token = new_address_token()
        await repo.add_conversation(AssistantConversation(conversation.id, token, agent.slug))
        address = conversation_address(settings.assistant, token)
    else:
        conversation = await token_conversation(uow, cmd.token, agent)
        address = await own_address(uow, conversation.id, settings)
    added = await add_members(uow, conversation, people, by=agent.actor, now=now, announce=not opened)
    meeting = CalendarMeeting(
        conversation_id=conversation.id,
        uid=event.uid,
        instance=instance_key(event),
        sequence=event.sequence,
        summary=event.summary or "Meeting",
        start=event.start,
        end=event.end,
        timezone=event.timezone,
        organizer=agent.slug,
        organizer_email=organizer.email,
        created_at=now,
        updated_at=now,
    )
    meeting.apply(event)
    await repo.add_meeting(meeting)
    if opened:
        await post_notice(uow, conversation, texts.opened(agent.name, meeting.summary), now)
    await post_notice(
        uow,
        conversation,
        texts.recorded(meeting.summary, meeting.start, meeting.end, meeting.timezone, meeting.rrule),
        now,
    )
    await reminders.arm(uow, meeting, now)
    if meeting.instance == SERIES:
        await request_link(uow, meeting.id, now)  # the organiser's connected calendar gets our link
    info = details(meeting, address)
    title = conversation.title or meeting.summary
    if opened:
        uow.record(
            AssistantConversationOpened(
                conversation=conversation.id,
                email=organizer.email,
                name=agent.name,
                title=title,
                member_id=agent.slug,
                **info,
            )
        )
    uow.record(
        CalendarMeetingReady(
            conversation=conversation.id,
            email=organizer.email,
            name=agent.name,
            title=title,
            member_id=agent.slug,
            **info,
        )
    )
    if not opened:  # the members already there hear of the new meeting
        await tell_members(uow, conversation, meeting, "added", address, skip=frozenset(m.key for m in added))
    for member in added:
        await invite(uow, member, conversation, meeting, agent.name, address, now)
    uow.record(reply_due(meeting, event, organizer, settings, now))
    return Outcome(conversation.id, "opened" if opened else "added")


async def record_cancel(
    uow: UnitOfWork, meeting: CalendarMeeting, sequence: int, clock: Clock, settings: Settings
) -> Outcome:
    now = clock.now()
    meeting.status, meeting.sequence, meeting.updated_at = CANCELLED, max(sequence, meeting.sequence), now
    await reminders.arm(uow, meeting, now)  # cancels the pending reminder, saves the row
    conversation = await uow.conversations.get(meeting.conversation_id, for_update=True)
    if conversation is None:
        return Outcome(None, "cancelled")
    text = texts.cancelled(
        meeting.summary, meeting.start, meeting.end, meeting.timezone, instance=meeting.instance != SERIES
    )
    await post_notice(uow, conversation, text, now)
    await tell_members(
        uow, conversation, meeting, "cancelled", await own_address(uow, conversation.id, settings)
    )
    if meeting.instance == SERIES:  # the series is gone: so are the reminders of its moved instances
        for instance in await repository(uow).instances(meeting.uid):
            if instance.instance and instance.active:
                instance.status = CANCELLED
                await reminders.arm(uow, instance, now)
    return Outcome(conversation.id, "cancelled")


async def _update(
    uow: UnitOfWork,
    meeting: CalendarMeeting,
    event: CalendarEvent,
    agent: Agent,
    organizer: Person,
    clock: Clock,
    settings: Settings,
) -> Outcome:
    if event.sequence < meeting.sequence or (event.sequence == meeting.sequence and meeting.active):
        return Outcome(meeting.conversation_id, "unchanged")  # a repeat or an older message
    if event.attendees and not any(
        address_token(p.email, settings.assistant) is not None for p in event.attendees
    ):
        return await record_cancel(uow, meeting, event.sequence, clock, settings)  # the assistant was removed
    now = clock.now()
    old = (meeting.start, meeting.end)
    was_active = meeting.active
    # The same move already came from the organiser's calendar (bot/assistant/follow.py): no news.
    told = was_active and (event.start, event.end) == old and await calendar_showed(uow, meeting, now)
    meeting.apply(event)
    meeting.updated_at = now
    conversation = await uow.conversations.get(meeting.conversation_id, for_update=True)
    if conversation is None:
        raise NotFound("No such conversation.", code="unknown_conversation")
    address = await own_address(uow, conversation.id, settings)
    new = (meeting.start, meeting.end)
    if not was_active:
        text = texts.recorded(meeting.summary, *new, meeting.timezone, meeting.rrule)
    elif old != new:
        text = texts.moved(meeting.summary, old, new, meeting.timezone)
    else:
        text = texts.updated(meeting.summary)
    await reminders.arm(uow, meeting, now)  # also saves the row
    if not told:
        await post_notice(uow, conversation, text, now)
        change = "moved" if old != new else "updated"
        await tell_members(
            uow, conversation, meeting, change, address, previous_start=old[0], previous_end=old[1]
        )
    # Newcomers get the invitation (with the meeting as it is now) rather than news of a change.
    people = participants(organizer, event.attendees, settings.assistant)
    added = await add_members(uow, conversation, people, by=agent.actor, now=now, announce=True)
    for member in added:
        await invite(uow, member, conversation, meeting, agent.name, address, now)
    uow.record(reply_due(meeting, event, organizer, settings, now))
    return Outcome(conversation.id, "unchanged" if told and not added else "updated")


async def _instance_of_series(uow: UnitOfWork, event: CalendarEvent, clock: Clock) -> CalendarMeeting | None:
    """The first change to one occurrence of a known series: a row of its own, copied from the series."""
    if event.recurrence_id is None:
        return None
    series = await repository(uow).meeting(event.uid, SERIES, for_update=True)
    if series is None:
        return None
    now = clock.now()
    instance = CalendarMeeting(
        conversation_id=series.conversation_id,
        uid=series.uid,
        instance=instance_key(event),
        sequence=-1,  # whatever the organiser sends about this occurrence is newer
        summary=series.summary,
        start=event.recurrence_id,
        end=event.recurrence_id + (series.end - series.start),
        timezone=series.timezone,
        organizer=series.organizer,
        organizer_email=series.organizer_email,
        location=series.location,
        description=series.description,
        join_url=series.join_url,
        attendees=list(series.attendees),
        created_at=now,
        updated_at=now,
    )
    await repository(uow).add_meeting(instance)
    await reminders.arm(uow, series, now)  # the series no longer reminds of this occurrence
    return instance


async def accept_calendar_invitation(
    cmd: AcceptCalendarInvitation, uow: UnitOfWork, clock: Clock, settings: Settings
) -> Outcome:
    async with uow:
        if not await first_time(uow, cmd.message_id, clock.now()):
            return Outcome(None, "repeat")
        agent, organizer = await organizer_of(uow, cmd)
        outcomes: list[Outcome] = []
        opened: set[str] = set()  # UIDs this mail introduces
        for event in cmd.events:
            if event.start is None:
                raise InvalidInput("The invitation has no start time (DTSTART).", code="missing_dtstart")
            meeting = await repository(uow).meeting(event.uid, instance_key(event), for_update=True)
            meeting = meeting or await _instance_of_series(uow, event, clock)
            if meeting is not None and event.uid in opened:
                # A series that arrives with its changed instances: they are part of what is new, so
                # they are recorded quietly instead of being announced as changes.
                meeting.apply(event)
                await reminders.arm(uow, meeting, clock.now())
                continue
            if meeting is None:
                opened.add(event.uid)
                outcomes.append(await _record_new(uow, cmd, event, agent, organizer, clock, settings))
            else:
                outcomes.append(await _update(uow, meeting, event, agent, organizer, clock, settings))
        await uow.commit()
        return next((o for o in outcomes if o.result != "unchanged"), outcomes[0])


async def cancel_calendar_event(
    cmd: CancelCalendarEvent, uow: UnitOfWork, clock: Clock, settings: Settings
) -> Outcome:
    async with uow:
        if not await first_time(uow, cmd.message_id, clock.now()):
            return Outcome(None, "repeat")
        await organizer_of(uow, cmd)
        outcome = Outcome(None, "unchanged")
        for event in cmd.events:
            meeting = await repository(uow).meeting(event.uid, instance_key(event), for_update=True)
            meeting = meeting or await _instance_of_series(uow, event, clock)
            if meeting is None:
                raise NotFound("The assistant does not follow that event.", code="unknown_event")
            if meeting.active and event.sequence >= meeting.sequence:
                outcome = await record_cancel(uow, meeting, event.sequence, clock, settings)
        await uow.commit()
        return outcome


async def record_attendee_reply(cmd: RecordAttendeeReply, uow: UnitOfWork, clock: Clock) -> Outcome:
    async with uow:
        if not await first_time(uow, cmd.message_id, clock.now()):
            return Outcome(None, "repeat")
        event = cmd.events[0]
        replier = next((p for p in event.attendees if p.email == cmd.sender), None)
        if replier is None:
            raise Forbidden("Only attendees answer for themselves.", code="sender_not_attendee")
        repo = repository(uow)
        meeting = await repo.meeting(event.uid, instance_key(event), for_update=True)
        meeting = meeting or await repo.meeting(event.uid, SERIES, for_update=True)
        listed = (
            next((a for a in meeting.attendees if a["email"] == replier.email), None) if meeting else None
        )
        if meeting is None or listed is None:
            raise NotFound("The assistant does not follow that event for you.", code="unknown_event")
        if listed.get("partstat") == replier.partstat:
            return Outcome(meeting.conversation_id, "unchanged")
        listed["partstat"] = replier.partstat
        meeting.updated_at = clock.now()
        await repo.save_meeting(meeting)
        conversation = await uow.conversations.get(meeting.conversation_id, for_update=True)
        if conversation is not None:
            name = replier.name or listed.get("name") or replier.email
            await post_notice(
                uow, conversation, texts.replied(name, replier.partstat, meeting.summary), clock.now()
            )
        await uow.commit()
        return Outcome(meeting.conversation_id, "replied")


async def explain_refused_invitation(
    cmd: ExplainRefusedInvitation, uow: UnitOfWork, clock: Clock, settings: Settings
) -> None:
    """Answers once per Message-ID, never to the assistant itself (no mail loops)."""
    if not cmd.to or address_token(cmd.to, settings.assistant) is not None:
        return
    async with uow:
        if cmd.message_id:
            if not await first_time(uow, "refused:" + cmd.message_id, clock.now()):
                return
        uow.record(
            InvitationRefused(
                email=cmd.to,
                name="",
                subject=cmd.subject,
                code=cmd.code,
                reason=cmd.reason,
                in_reply_to=cmd.message_id,
            )
        )
        await uow.commit()
