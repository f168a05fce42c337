"""Delivers recorded events to every destination of their conversation, at least once, never twice."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections import defaultdict
from datetime import datetime, timedelta

from bot.metrics import DELIVERIES
from bot.model import Binding
from bot.ports import Channel, Clock, OutboxItem, OutboxStore, UnitOfWorkFactory

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30 * 60


class OutboxDispatcher:
    def __init__(
        self,
        store: OutboxStore,
        uow_factory: UnitOfWorkFactory,
        channels: dict[str, Channel],
        clock: Clock,
        *,
        batch: int = 200,
        lease_seconds: float = 60,
        poll_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.uow_factory = uow_factory
        self.channels = channels
        self.clock = clock
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self.delivered = asyncio.Condition()  # tests wait on this instead of sleeping

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await self.dispatch_once() == self.batch:
                    pass
            except Exception:  # a broken database must not kill the loop; it retries next tick
                log.exception("outbox dispatch failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    async def dispatch_once(self) -> int:
        items = await self.store.claim(self.clock.now(), self.batch, self.lease_seconds)
        by_conversation: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_conversation[getattr(item.event, "conversation_id", "") or f"direct:{item.id}"].append(item)

        async def in_order(group: list[OutboxItem]) -> None:
            # One conversation's notices reach each destination in order (a Slack reply needs its thread),
            # but a destination that is down holds back only itself, never the others.
            held = await self._held_back(group)
            for item in group:
                await self._dispatch(item, held)

        await asyncio.gather(*(in_order(g) for g in by_conversation.values()))
        if items:
            async with self.delivered:
                self.delivered.notify_all()
        return len(items)

    async def _destinations(self, item: OutboxItem) -> list[Binding]:
        event = item.event
        bindings: list[Binding] = []
        conversation_id = getattr(event, "conversation_id", "")
        if conversation_id:
            async with self.uow_factory(read_only=True) as uow:
                bindings = await uow.bindings.for_conversation(conversation_id)
        for channel, address in event.direct_destinations():
            digest = hashlib.sha256(json.dumps(address, sort_keys=True).encode()).hexdigest()[:16]
            bindings.append(Binding(conversation_id, channel, address, id=f"direct-{channel}-{digest}"))
        for name, channel in self.channels.items():
            if getattr(channel, "broadcast", False):  # e.g. the web inbox: every agent who may see it
                bindings.append(Binding(conversation_id, name, {}, id=f"broadcast-{name}"))
        return bindings

    async def _held_back(self, group: list[OutboxItem]) -> dict[str, datetime]:
        """Destinations that still owe an older event of this conversation, and when that one is retried."""
        conversation_id = getattr(group[0].event, "conversation_id", "")
        if not conversation_id:
            return {}
        older = await self.store.older_pending(conversation_id, group[0].id)
        if not older:
            return {}
        held: dict[str, datetime] = {}
        for item_id, retry_at in older:
            item = OutboxItem(item_id, group[0].event, 0)
            for binding in await self._destinations(item):
                key = f"{item_id}:{binding.id}"
                if key not in await self.store.delivered([key]):
                    held[binding.id] = max(retry_at, held.get(binding.id, retry_at))
        return held

    async def _dispatch(self, item: OutboxItem, held: dict[str, datetime]) -> None:
        bindings = await self._destinations(item)
        keys = {b.id: f"{item.id}:{b.id}" for b in bindings}
        done = await self.store.delivered(list(keys.values()))
        now = self.clock.now()
        delay = min(MAX_BACKOFF_SECONDS, 2 ** min(item.attempts, 20)) * random.uniform(0.5, 1.0)
        retry_at = now + timedelta(seconds=delay)
        failed: list[str] = []
        for binding in bindings:
            key = keys[binding.id]
            if key in done:
                continue
            channel = self.channels.get(binding.channel)
            if channel is None:
                continue  # that channel is switched off here; its bindings wait for it silently
            if binding.id in held:
                retry_at = max(retry_at, held[binding.id])
                failed.append(f"{binding.channel}: waiting for an earlier notice")
                continue
            try:
                new_address = await channel.deliver(item.event, binding)
            except Exception as error:  # noqa: BLE001 - any failure means "try again later"
                log.warning("delivery of %s to %s failed: %r", item.event.type, binding.channel, error)
                DELIVERIES.labels(binding.channel, "error").inc()
                failed.append(f"{binding.channel}: {error!r}")
                held[binding.id] = retry_at
                continue
            if new_address is not None and not binding.id.startswith(("direct-", "broadcast-")):
                binding.address = new_address
                binding.thread_key = new_address.get("thread_key", binding.thread_key)
                async with self.uow_factory() as uow:
                    await uow.bindings.save(binding)
                    await uow.commit()
            await self.store.mark_delivered(key, self.clock.now())
            DELIVERIES.labels(binding.channel, "ok").inc()
        if failed:
            await self.store.retry(item.id, retry_at, "; ".join(failed))
        else:
            await self.store.finish(item.id, self.clock.now())
