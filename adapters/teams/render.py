"""Engine state and events → what Teams shows: the conversation card and the thread's lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams import cards
from bot.events import Event, MessagePosted

ECHO_PREFIX = "teams:"  # client ids of messages written in Teams: never echoed back into Teams


def text_activity(text: str) -> Activity:
    # Plain text: Teams shows what people wrote, without interpreting markdown or HTML.
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


def card_activity(content: dict[str, Any]) -> Activity:
    if isinstance(content, cards.ConversationView):
        content = cards.conversation_card(content)
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=cards.CARD_CONTENT_TYPE, content=content)],
    )


def message_text(event: Event) -> str | None:
    """The thread line for a message, or None when it must not appear (it was written in Teams)."""
    assert isinstance(event, MessagePosted)
    if event.client_id and event.client_id.startswith(ECHO_PREFIX):
        return None
    if event.author.kind == "system":
        return event.text
    if event.internal:
        return f"{event.author.name} (internal note): {event.text}"
    return f"{event.author.name}: {event.text}"


def when(moment: datetime | str | None, tz: str) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%a %d.%m.%Y %H:%M ") + (local.tzname() or tz)


def _start_of(event: Event) -> Any:
    for name in ("start", "new_start", "start_at", "starts_at"):
        value = getattr(event, name, None)
        if value is not None:
            return value
    return None


def with_meeting(address: dict[str, Any], event: Event) -> dict[str, Any]:
    """The card shows the next meeting; the binding's address remembers it between events."""
    address = dict(address)
    meeting_id = getattr(event, "meeting_id", None)
    if event.type == "MeetingCancelled":
        if address.get("meeting_id") in (None, meeting_id):
            address.pop("meeting_id", None)
            address.pop("meeting_start", None)
        return address
    if event.type == "ReminderDue":
        return address
    start = _start_of(event)
    if meeting_id:
        address["meeting_id"] = str(meeting_id)
    if start is not None:
        address["meeting_start"] = start.isoformat() if isinstance(start, datetime) else str(start)
    return address


def reminder_text(event: Event) -> str:
    start = _start_of(event)
    text = getattr(event, "text", None)
    if text:
        return str(text)
    return (
        f"Reminder: the meeting starts {when(start, 'UTC')}."
        if start
        else "Reminder: a meeting is coming up."
    )


async def conversation_view(
    runtime: Any, conversation_id: str, address: dict[str, Any], public_url: str
) -> cards.ConversationView:
    async with runtime.uow(read_only=True) as uow:
        conversation = await uow.conversations.get(conversation_id)
        if conversation is None:
            raise LookupError(f"conversation {conversation_id} is gone")
        guest = await uow.guests.get(conversation.guest_id)
        service_slug = conversation.assigned_service or conversation.service
        service = await uow.services.get(service_slug) if service_slug else None
        assignee = await uow.agents.get(conversation.assignee) if conversation.assignee else None
        messages = await uow.messages.list(conversation_id, after_seq=max(0, conversation.last_seq - 20))
    last = next((m for m in reversed(messages) if m.author.kind != "system" and not m.internal), None)
    from bot.meetings.options import FALLBACK_TIMEZONE, time_zone_of

    tz = time_zone_of(assignee) if assignee else FALLBACK_TIMEZONE
    start = address.get("meeting_start")
    return cards.ConversationView(
        conversation_id=conversation_id,
        guest_name=guest.name if guest else "Guest",
        guest_email=guest.email if guest else None,
        service_name=service.name if service else (conversation.agent or ""),
        assignee_name=assignee.name
        if assignee
        else (f"{service.name} (everyone)" if conversation.assigned_service and service else None),
        last_message=f"{last.author.name}: {last.text}" if last else None,
        inbox_url=f"{public_url}/inbox#conversation={conversation_id}",
        next_meeting=when(start, tz) if start else None,
        meeting_id=address.get("meeting_id"),
    )
