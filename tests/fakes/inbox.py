"""Fakes of the inbox's ports: search (``bot.search``), saved replies (``bot.saved_replies``) and
contacts (``bot.contacts``).

The fake search applies ``bot.access.agent_can_see`` in Python, which is the rule the SQL stores
write into their queries; matching is ``bot.search.matches`` (every term a word prefix)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.access import agent_can_see
from bot.contacts import ContactMeeting, ContactNote
from bot.model import Guest
from bot.saved_replies import SavedReply
from bot.search import SearchHit, matches
from tests.fakes.repositories import _Repos


class FakeSearch(_Repos):
    async def search(
        self, terms: Sequence[str], agent_slug: str, services: Sequence[str], *, limit: int = 30
    ) -> list[SearchHit]:
        visible = {
            cid: c
            for cid, c in self.st.conversations.items()
            if agent_can_see(c, agent_slug, services, self.st.members.get(cid, []))
        }
        hits: list[SearchHit] = []
        for cid, c in visible.items():
            guest = self.st.guests.get(c.guest_id)
            if guest is None:
                continue
            text = f"{guest.name} <{guest.email}>" if guest.email else guest.name
            if matches(text, terms):
                hits.append(SearchHit("guest", cid, text, c.last_message_at, guest.name))
        for meeting in self.st.meetings.values():
            c = visible.get(meeting.conversation_id)
            if c is not None and matches(meeting.subject, terms):
                name = self.st.guests[c.guest_id].name
                hits.append(SearchHit("meeting", c.id, meeting.subject, meeting.start, name))
        for m in sorted(self.st.messages, key=lambda m: m.created_at, reverse=True):
            c = visible.get(m.conversation_id)
            if c is not None and matches(m.text, terms):
                name = self.st.guests[c.guest_id].name
                hits.append(SearchHit("message", c.id, m.text, m.created_at, name, m.id, m.seq, m.internal))
        return hits[:limit]


class FakeSavedReplies(_Repos):
    async def visible(self, agent_slug: str, services: Sequence[str]) -> list[SavedReply]:
        found = [
            r
            for r in self.st.saved_replies.values()
            if r.agent == agent_slug or (r.service is not None and r.service in services)
        ]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: (r.title, r.id))]

    async def get(self, reply_id: str) -> SavedReply | None:
        return copy.deepcopy(self.st.saved_replies.get(reply_id))

    async def save(self, reply: SavedReply) -> None:
        self.st.saved_replies[reply.id] = copy.deepcopy(reply)

    async def delete(self, reply_id: str) -> None:
        self.st.saved_replies.pop(reply_id, None)


class FakeContacts(_Repos):
    async def same_person(self, guest_id: str) -> list[Guest]:
        guest = self.st.guests.get(guest_id)
        if guest is None:
            return []
        if not guest.email_proven:
            return [copy.deepcopy(guest)]
        email = (guest.email or "").lower()
        same = [g for g in self.st.guests.values() if g.email_proven and (g.email or "").lower() == email]
        return [copy.deepcopy(g) for g in sorted(same, key=lambda g: (g.email_proven_at, g.id))]

    async def meetings(self, guest_ids: Sequence[str]) -> list[ContactMeeting]:
        return [
            ContactMeeting(m.id, m.conversation_id, m.subject, m.start, m.end, m.status)
            for m in sorted(self.st.meetings.values(), key=lambda m: m.start)
            if m.guest_id in guest_ids
        ]

    async def origins(self, conversation_ids: Sequence[str]) -> dict[str, str]:
        found = {}
        for cid in conversation_ids:
            c = self.st.conversations[cid]
            found[cid] = "widget" if c.service else "personal_link" if c.agent else "agent"
        return found

    async def note(self, guest_id: str) -> ContactNote | None:
        note: ContactNote | None = self.st.contact_notes.get(guest_id)
        return note

    async def save_note(self, guest_id: str, note: ContactNote) -> None:
        self.st.contact_notes[guest_id] = note


class FakePreferences(_Repos):
    """``uow.preferences`` (``bot.preferences``): each agent's stored choices."""

    async def get(self, agent_slug: str) -> dict[str, Any] | None:
        found = self.st.preferences.get(agent_slug)
        return copy.deepcopy(found) if found is not None else None

    async def get_many(self, agent_slugs: list[str]) -> dict[str, dict[str, Any]]:
        return {s: copy.deepcopy(self.st.preferences[s]) for s in agent_slugs if s in self.st.preferences}

    async def save(self, agent_slug: str, preferences: dict[str, Any], now: datetime) -> None:
        self.st.preferences[agent_slug] = copy.deepcopy(preferences)
