"""JSON shapes of the HTTP and WebSocket API (documented in openapi.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.model import Member, Message
from bot.ports import ConversationSummary
from bot.queries import ConversationView
from bot.titles import avatar

_last: tuple[datetime | None, str | None] = (None, None)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``. The messages of a batch share one time, and their acks and pushes
    ask for it one after another: the last answer is kept (it was a fiftieth of the server's time)."""
    global _last
    if not value:
        return None
    if value is _last[0]:
        return _last[1]
    text = value.isoformat().replace("+00:00", "Z")
    _last = (value, text)
    return text


def message_json(message: Message, *, for_guest: bool = False) -> dict[str, Any]:
    """A guest gets the message's number among those guests see (``bot.queries`` numbers their lists)."""
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.guest_seq if for_guest else message.seq,
        "author": {"kind": message.author.kind, "id": message.author.id, "name": message.author.name},
        "text": message.text,
        "internal": message.internal,
        "client_id": message.client_id,
        "created_at": iso(message.created_at),
        "attachments": [file.summary() for file in message.attachments],  # bot.attachments
    }


def view_json(view: ConversationView, *, for_agent: bool) -> dict[str, Any]:
    c = view.conversation
    data: dict[str, Any] = {
        "id": c.id,
        "title": view.title,
        "service": c.service,
        "agent": c.agent,
        "unread": view.unread,
        "can_write": view.can_write,
        "last_seq": view.last_seq,
        "created_at": iso(c.created_at),
        "last_message_at": iso(c.last_message_at),
        "avatar": view.avatar,
        "read_only_external": c.read_only_external,
        "first_service": c.first_service,  # the widget finds the guest's conversation with a service by it
        "members": [member_json(m, for_agent=for_agent) for m in view.members],
    }
    if not for_agent:
        data["seen_seq"] = view.seen_seq  # the widget's "Seen": how far an agent has read
    if for_agent:
        data.update(
            assignee=c.assignee,
            assigned_service=c.assigned_service,
            guest_id=c.guest_id,
            link_token=c.link_token,
            status=c.status,
            snoozed_until=iso(c.snoozed_until),
            resolved_by=c.resolved_by,
        )
    return data


def member_json(member: Member, *, for_agent: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": member.kind,
        "id": member.id,
        "name": member.name,
        "external": member.external,
        "avatar": avatar(member.name),
    }
    if for_agent:  # agents see how far each member has read, and whom they can reach by mail
        data.update(last_read_seq=member.last_read_seq, email=member.email)
    return data


def summary_json(summary: ConversationSummary) -> dict[str, Any]:
    c = summary.conversation
    title = c.title or summary.guest_name
    return {
        "id": c.id,
        "title": title,
        "avatar": avatar(title, c.picture),  # agents see the conversation's own picture
        "guest_name": summary.guest_name,
        "service": c.service,
        "agent": c.agent,
        "assignee": c.assignee,
        "assigned_service": c.assigned_service,
        "last_text": summary.last_text,
        "last_seq": c.last_seq,
        "unread": summary.unread,
        "last_message_at": iso(c.last_message_at),
        "status": c.status,
        "snoozed_until": iso(c.snoozed_until),
    }
