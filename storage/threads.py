"""Where each conversation is delivered (thread bindings) and which channel a service posts to: ``uow.bindings``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update

from bot.model import Binding
from storage.models import (
    BindingRow,
    ServiceChannelRow,
)
from storage.repositories import _Repo

# Every new conversation runs these (a guest's first message): built once, as Core statements.
_ADD_BINDING = insert(BindingRow.__table__)
_channels = ServiceChannelRow.__table__
_SERVICE_CHANNELS = select(_channels.c.channel, _channels.c.address).where(
    _channels.c.service == bindparam("service")
)


class SqlBindings(_Repo):
    @staticmethod
    def _to(row: BindingRow) -> Binding:
        return Binding(row.conversation_id, row.channel, dict(row.address or {}), row.thread_key, id=row.id)

    async def for_conversation(self, conversation_id: str) -> list[Binding]:
        rows = await self.s.execute(
            select(BindingRow)
            .where(BindingRow.conversation_id == conversation_id)
            .order_by(BindingRow.created_at)
        )
        return [self._to(r) for r in rows.scalars()]

    async def add(self, binding: Binding) -> None:
        await self.s.execute(
            _ADD_BINDING,
            {
                "id": binding.id,
                "conversation_id": binding.conversation_id,
                "channel": binding.channel,
                "address": binding.address,
                "thread_key": binding.thread_key,
                "created_at": self._now(),
            },
        )

    async def save(self, binding: Binding) -> None:
        await self.s.execute(
            update(BindingRow)
            .where(BindingRow.id == binding.id)
            .values(address=binding.address, thread_key=binding.thread_key)
        )

    async def service_channels(self, service: str) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.s.execute(_SERVICE_CHANNELS, {"service": service})
        return [(r.channel, dict(r.address)) for r in rows]

    async def link_service_channel(self, service: str, channel: str, address: dict[str, Any]) -> None:
        row = await self.s.get(ServiceChannelRow, (service, channel))
        if row is None:
            self.s.add(ServiceChannelRow(service=service, channel=channel, address=address))
        else:
            row.address = address

    async def find_by_address(self, channel: str, key: str, value: str) -> Binding | None:
        del key  # the thread key is the channel's own compound key
        row = (
            await self.s.execute(
                select(BindingRow)
                .where(BindingRow.channel == channel, BindingRow.thread_key == value)
                .limit(1)
            )
        ).scalar_one_or_none()
        return self._to(row) if row else None
