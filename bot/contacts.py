"""The contact beside an inbox thread: who the guest is, where they came from, their other
conversations and meetings, and the agents' private note about them.

A contact is a person, not a session: guests who proved the same email are one contact (their
conversations and meetings together, one note). An agent sees a contact only through a conversation
``bot.access.agent_can_see`` lets them into, and sees only such conversations and their meetings; for
everyone else the contact answers as missing. Guests never see the note.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot import access
from bot.errors import InvalidInput, NotFound
from bot.model import Conversation, Guest

if TYPE_CHECKING:  # bot.ports names this module's port
    from bot.ports import UnitOfWork

MAX_NOTE = 4000
MAX_NAME = 200


@dataclass(frozen=True)
class ContactMeeting:
    id: str
    conversation_id: str
    subject: str
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class ContactNote:
    text: str
    updated_by: str
    updated_at: datetime


class ContactRepository(Protocol):
    async def same_person(self, guest_id: str) -> builtins.list[Guest]:
        """The guest, and every guest who proved the same email (oldest proof first); empty if unknown."""
        ...

    async def meetings(self, guest_ids: Sequence[str]) -> builtins.list[ContactMeeting]: ...
    async def origins(self, conversation_ids: Sequence[str]) -> dict[str, str]:
        """Where each conversation started: ``widget``, ``personal_link``, ``assistant`` or ``agent``."""
        ...

    async def note(self, guest_id: str) -> ContactNote | None: ...
    async def save_note(self, guest_id: str, note: ContactNote) -> None: ...


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def missing() -> NotFound:
    return NotFound("No such contact.", code="unknown_contact")


async def _contact(uow: UnitOfWork, agent_slug: str, guest_id: str) -> tuple[list[Guest], list[Conversation]]:
    people = await uow.contacts.same_person(guest_id)
    services = [s.slug for s in await uow.services.of_agent(agent_slug)]
    seen: dict[str, Conversation] = {}
    for person in people:
        for conversation in await uow.conversations.list_for_guest(person.id):
            members = await uow.conversations.members(conversation.id)
            if access.agent_can_see(conversation, agent_slug, services, members):
                seen[conversation.id] = conversation
    if not seen:
        raise missing()  # an agent learns nothing of a guest they share no conversation with
    return people, sorted(
        seen.values(), key=lambda c: _when(c) or datetime.min.replace(tzinfo=UTC), reverse=True
    )


def _when(conversation: Conversation) -> datetime | None:
    return conversation.last_message_at or conversation.created_at


async def contact(uow: UnitOfWork, agent_slug: str, guest_id: str, now: datetime) -> dict[str, Any]:
    people, conversations = await _contact(uow, agent_slug, guest_id)
    guest = (
        next(p for p in people if p.id == guest_id) if any(p.id == guest_id for p in people) else people[0]
    )
    visible = {c.id for c in conversations}
    meetings = [
        m for m in await uow.contacts.meetings([p.id for p in people]) if m.conversation_id in visible
    ]
    origins = await uow.contacts.origins(list(visible))
    note = await uow.contacts.note(people[0].id)
    proven = next((p for p in people if p.email_proven), None)

    def meeting_json(m: ContactMeeting) -> dict[str, Any]:
        return {
            "id": m.id,
            "conversation_id": m.conversation_id,
            "subject": m.subject,
            "start": m.start.isoformat(),
            "end": m.end.isoformat(),
            "status": m.status,
        }

    return {
        "guest_id": guest.id,
        "guest_ids": [p.id for p in people],
        "name": guest.name,
        "email": (proven or guest).email,
        "email_proven": proven is not None,
        "timezone": guest.timezone or next((p.timezone for p in people if p.timezone), None),
        "note": note.text if note else "",
        "note_updated_by": note.updated_by if note else None,
        "conversations": [
            {
                "id": c.id,
                "title": c.title,
                "service": c.service,
                "origin": c.origin or origins.get(c.id, "widget"),  # recorded since 0019, else derived
                "origin_url": c.origin_url,
                "last_message_at": _iso(_when(c)),
            }
            for c in conversations
        ],
        "meetings": {
            "upcoming": [
                meeting_json(m)
                for m in sorted(meetings, key=lambda m: m.start)
                if m.end >= now and m.status != "cancelled"
            ],
            "past": [
                meeting_json(m)
                for m in sorted(meetings, key=lambda m: m.start, reverse=True)
                if m.end < now or m.status == "cancelled"
            ],
        },
    }


async def change(
    uow: UnitOfWork, agent_slug: str, guest_id: str, data: dict[str, Any], now: datetime
) -> None:
    """An agent renames the contact (every session of the person) or writes the note; the caller commits."""
    people, _ = await _contact(uow, agent_slug, guest_id)
    if not set(data) & {"name", "note"}:
        raise InvalidInput("Give a name or a note.", code="invalid_contact", field="name")
    if "name" in data:
        name = data["name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            raise InvalidInput(f"A name is 1 to {MAX_NAME} characters.", code="invalid_contact", field="name")
        for person in people:
            person.name = name.strip()
            await uow.guests.save(person)
    if "note" in data:
        note = data["note"]
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            raise InvalidInput(
                f"A note is at most {MAX_NOTE} characters.", code="invalid_contact", field="note"
            )
        await uow.contacts.save_note(people[0].id, ContactNote(note, agent_slug, now))
