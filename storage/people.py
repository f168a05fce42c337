"""Agents, services (call groups and their members) and guests: ``uow.agents``, ``uow.services``, ``uow.guests``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Agent, Guest, Service
from storage.models import (
    AgentRow,
    GuestRow,
    ServiceMemberRow,
    ServiceRow,
    UnprovenMailRow,
)
from storage.repositories import _Repo


class SqlAgents(_Repo):
    @staticmethod
    def _to(row: AgentRow) -> Agent:
        return Agent(
            row.slug,
            row.name,
            row.email,
            row.timezone,
            dict(row.settings or {}),
            id=row.id,
            avatar_url=row.avatar_url,
        )

    async def get(self, slug: str) -> Agent | None:
        row = (await self.s.execute(select(AgentRow).where(AgentRow.slug == slug))).scalar_one_or_none()
        return self._to(row) if row else None

    async def get_by_email(self, email: str) -> Agent | None:
        row = (
            await self.s.execute(select(AgentRow).where(func.lower(AgentRow.email) == email.lower()))
        ).scalar_one_or_none()
        return self._to(row) if row else None

    async def list(self) -> list[Agent]:
        rows = (await self.s.execute(select(AgentRow).order_by(AgentRow.slug))).scalars()
        return [self._to(r) for r in rows]

    async def add(self, agent: Agent) -> None:
        self.s.add(
            AgentRow(
                id=agent.id,
                slug=agent.slug,
                name=agent.name,
                email=agent.email,
                timezone=agent.timezone,
                settings=agent.settings,
                avatar_url=agent.avatar_url,
                created_at=self._now(),
            )
        )

    async def save(self, agent: Agent) -> None:
        await self.s.execute(
            update(AgentRow)
            .where(AgentRow.slug == agent.slug)
            .values(
                name=agent.name,
                email=agent.email,
                timezone=agent.timezone,
                settings=agent.settings,
                avatar_url=agent.avatar_url,
            )
        )

    async def lock(self, slug: str) -> None:
        """Serialises bookings per agent on PostgreSQL (SQLite serialises all writes anyway)."""
        await self.s.execute(select(AgentRow.id).where(AgentRow.slug == slug).with_for_update())


# A service with its members in one statement, built once: creating a conversation reads its service
# several times (the handler, the new-conversation notices, the unread emails).
_services, _service_members = ServiceRow.__table__, ServiceMemberRow.__table__
_GET_SERVICE = (
    select(_services.c.id, _services.c.slug, _services.c.name, _service_members.c.agent_slug)
    .select_from(_services.outerjoin(_service_members, _service_members.c.service_slug == _services.c.slug))
    .where(_services.c.slug == bindparam("slug"))
)


class SqlServices(_Repo):
    def __init__(self, session: AsyncSession, now: Any) -> None:
        super().__init__(session, now)
        # Services read in this transaction (only ``add`` and ``save`` change them, and they forget it).
        self._read: dict[str, Service | None] = {}

    async def _members(self, slugs: Sequence[str]) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {s: [] for s in slugs}
        rows = await self.s.execute(
            select(ServiceMemberRow).where(ServiceMemberRow.service_slug.in_(list(slugs)))
        )
        for m in rows.scalars():
            result[m.service_slug].append(m.agent_slug)
        for members in result.values():
            members.sort()
        return result

    async def _build(self, rows: Sequence[ServiceRow]) -> list[Service]:
        members = await self._members([r.slug for r in rows])
        return [Service(r.slug, r.name, members[r.slug], id=r.id) for r in rows]

    async def get(self, slug: str) -> Service | None:
        if slug not in self._read:
            rows = (await self.s.execute(_GET_SERVICE, {"slug": slug})).all()
            self._read[slug] = (
                Service(
                    rows[0].slug,
                    rows[0].name,
                    sorted(r.agent_slug for r in rows if r.agent_slug),
                    id=rows[0].id,
                )
                if rows
                else None
            )
        found = self._read[slug]
        # A copy: a caller may change what it got (and ``save`` it, or not).
        return Service(found.slug, found.name, list(found.members), id=found.id) if found else None

    async def list(self) -> list[Service]:
        rows = (await self.s.execute(select(ServiceRow).order_by(ServiceRow.slug))).scalars().all()
        return await self._build(rows)

    async def add(self, service: Service) -> None:
        self._read.pop(service.slug, None)
        self.s.add(ServiceRow(id=service.id, slug=service.slug, name=service.name, created_at=self._now()))
        await self.s.flush()
        await self.save(service)

    async def save(self, service: Service) -> None:
        self._read.pop(service.slug, None)
        await self.s.execute(
            update(ServiceRow).where(ServiceRow.slug == service.slug).values(name=service.name)
        )
        await self.s.execute(delete(ServiceMemberRow).where(ServiceMemberRow.service_slug == service.slug))
        for agent in service.members:
            self.s.add(ServiceMemberRow(service_slug=service.slug, agent_slug=agent))
        await self.s.flush()

    async def of_agent(self, agent_slug: str) -> list[Service]:
        rows = (
            (
                await self.s.execute(
                    select(ServiceRow)
                    .join(ServiceMemberRow, ServiceMemberRow.service_slug == ServiceRow.slug)
                    .where(ServiceMemberRow.agent_slug == agent_slug)
                    .order_by(ServiceRow.slug)
                )
            )
            .scalars()
            .all()
        )
        return await self._build(rows)


def guest_of(row: GuestRow) -> Guest:
    origin = "agent" if row.email_origin == "agent" else "guest"
    return Guest(
        row.name,
        row.email,
        row.timezone,
        id=row.id,
        email_proven_at=row.email_proven_at,
        email_origin=origin,
        page_url=row.page_url,
    )


_guests = GuestRow.__table__
_GET_GUEST = select(*_guests.c).where(_guests.c.id == bindparam("id"))  # every message of a guest's


class SqlGuests(_Repo):
    async def get(self, guest_id: str) -> Guest | None:
        if self.s.new or self.s.dirty or self.s.deleted:  # a Core read sees only what was flushed
            await self.s.flush()
        row = (await self.s.execute(_GET_GUEST, {"id": guest_id})).first()
        return guest_of(row) if row else None  # type: ignore[arg-type]

    async def add(self, guest: Guest) -> None:
        self.s.add(
            GuestRow(
                id=guest.id,
                name=guest.name,
                email=guest.email,
                timezone=guest.timezone,
                created_at=self._now(),
                email_proven_at=guest.email_proven_at,
                email_origin=guest.email_origin,
                page_url=guest.page_url,
            )
        )

    async def lock(self, guest_id: str) -> None:
        """Serialises a guest's bookings on PostgreSQL (SQLite serialises all writes anyway)."""
        await self.s.execute(select(GuestRow.id).where(GuestRow.id == guest_id).with_for_update())

    async def save(self, guest: Guest) -> None:
        await self.s.execute(
            update(GuestRow)
            .where(GuestRow.id == guest.id)
            .values(
                name=guest.name,
                email=guest.email,
                timezone=guest.timezone,
                email_proven_at=guest.email_proven_at,
                email_origin=guest.email_origin,
                page_url=guest.page_url,
            )
        )

    async def mails_since(self, guest_id: str, since: datetime) -> int:
        query = (
            select(func.count())
            .select_from(UnprovenMailRow)
            .where(UnprovenMailRow.guest_id == guest_id, UnprovenMailRow.sent_at > since)
        )
        return int((await self.s.execute(query)).scalar_one())

    async def note_mail(self, guest_id: str, at: datetime) -> None:
        self.s.add(UnprovenMailRow(guest_id=guest_id, sent_at=at))
        await self.s.flush()

    async def latest_typed(self, email: str) -> Guest | None:
        row = (
            await self.s.execute(
                select(GuestRow)
                .where(func.lower(GuestRow.email) == email.lower(), GuestRow.email_proven_at.is_(None))
                .order_by(GuestRow.created_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return guest_of(row) if row else None

    async def set_email(self, guest_id: str, email: str) -> None:
        row = await self.s.get(GuestRow, guest_id)
        if row is not None:
            row.email = email
