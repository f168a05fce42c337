"""Fakes of ``uow.meetings`` and ``uow.calendar_connections``.

Like PostgreSQL's exclusion constraint, ``add`` and ``save`` refuse a booked overlap of one agent with
``SlotTaken``: the engine's own check comes first, and a test that slips past it fails loudly.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.errors import Conflict, SlotTaken
from bot.meetings.model import BOOKED, CalendarConnection, Meeting
from scheduling.calendar import Interval
from tests.fakes.repositories import _Repos


class FakeMeetings(_Repos):
    def _check(self, meeting: Meeting) -> None:
        for other in self.st.meetings.values():
            if other.id == meeting.id:
                continue
            if meeting.idempotency_key is not None and other.idempotency_key == meeting.idempotency_key:
                raise Conflict("This request was already made.", code="duplicate_request")
            if (
                meeting.booked
                and other.booked
                and other.agent == meeting.agent
                and other.start < meeting.end
                and meeting.start < other.end
            ):
                raise SlotTaken("That time is no longer free.")

    async def add(self, meeting: Meeting) -> None:
        self._check(meeting)
        self.st.meetings[meeting.id] = copy.deepcopy(meeting)

    async def save(self, meeting: Meeting) -> None:
        self._check(meeting)
        self.st.meetings[meeting.id] = copy.deepcopy(meeting)

    async def get(self, meeting_id: str, *, for_update: bool = False) -> Meeting | None:
        return copy.deepcopy(self.st.meetings.get(meeting_id))

    async def by_idempotency_key(self, key: str) -> Meeting | None:
        return next((copy.deepcopy(m) for m in self.st.meetings.values() if m.idempotency_key == key), None)

    async def busy(
        self, agents: list[str], start: datetime, end: datetime, *, exclude: str | None = None
    ) -> dict[str, list[Interval]]:
        found: dict[str, list[Interval]] = {}
        for m in self.st.meetings.values():
            if m.agent in agents and m.booked and m.start < end and m.end > start and m.id != exclude:
                found.setdefault(m.agent, []).append(Interval(m.start, m.end))
        return found

    async def load(self, agents: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        found: dict[str, tuple[int, datetime | None]] = {}
        for m in self.st.meetings.values():
            if m.agent not in agents or not m.booked:
                continue
            count, last = found.get(m.agent, (0, None))
            created = m.created_at
            if created is not None and (last is None or created > last):
                last = created
            found[m.agent] = (count + int(created is not None and created >= since), last)
        return found

    async def upcoming(
        self,
        *,
        agents: list[str] | None = None,
        services: list[str] | None = None,
        guest_id: str | None = None,
        conversation_id: str | None = None,
    ) -> list[Meeting]:
        now = self._now()
        found = []
        for m in self.st.meetings.values():
            if m.status != BOOKED or m.end <= now:
                continue
            if (agents is not None or services is not None) and not (
                m.agent in (agents or []) or m.service in (services or [])
            ):
                continue
            if guest_id is not None and m.guest_id != guest_id:
                continue
            if conversation_id is not None and m.conversation_id != conversation_id:
                continue
            found.append(copy.deepcopy(m))
        return sorted(found, key=lambda m: (m.start, m.id))[:500]

    async def connections(self, agents: list[str]) -> dict[str, CalendarConnection]:
        return {a: c for a, c in self.st.connections.items() if a in agents}


class FakeCalendarConnections(_Repos):
    async def get(self, agent: str) -> CalendarConnection | None:
        return self.st.connections.get(agent)

    async def connect(
        self,
        agent: str,
        provider: str,
        *,
        account_email: str | None,
        external_user_id: str | None = None,
        credentials: dict[str, Any] | None = None,
    ) -> None:
        self.st.connections[agent] = CalendarConnection(
            agent, provider, account_email, external_user_id, dict(credentials or {})
        )

    def _update(self, agent: str, provider: str, **changes: Any) -> bool:
        found = self.st.connections.get(agent)
        if found is None or found.provider != provider:
            return False
        self.st.connections[agent] = replace(found, **changes)
        return True

    async def save_credentials(self, agent: str, provider: str, credentials: dict[str, Any]) -> None:
        self._update(agent, provider, credentials=dict(credentials))

    async def mark_broken(self, agent: str, provider: str) -> bool:
        found = self.st.connections.get(agent)
        return found is not None and found.status == "ok" and self._update(agent, provider, status="broken")

    async def remove(self, agent: str) -> bool:
        return self.st.connections.pop(agent, None) is not None

    async def set_sync_state(self, agent: str, provider: str, state: dict[str, Any]) -> None:
        self._update(agent, provider, sync_state=dict(state))

    async def connected(self, providers: list[str] | None = None) -> list[tuple[str, str]]:
        return sorted(
            (c.agent, c.provider)
            for c in self.st.connections.values()
            if c.status == "ok" and (providers is None or c.provider in providers)
        )

    async def meetings_for_events(self, agent: str, event_ids: list[str]) -> dict[str, str]:
        return {
            m.external_event_id: m.id
            for m in self.st.meetings.values()
            if m.agent == agent and m.external_event_id in event_ids
        }

    async def pending_writes(self, kind: str, meeting_ids: list[str]) -> set[str]:
        return {
            str(j["payload"].get("meeting_id"))
            for j in self.st.jobs
            if j["kind"] == kind
            and j["status"] in {"pending", "running"}
            and j["payload"].get("meeting_id") in meeting_ids
        }

    async def upcoming_meeting_ids(self, agent: str, since: datetime) -> list[str]:
        return [m.id for m in self.st.meetings.values() if m.agent == agent and m.booked and m.end > since]
