"""Delivers recorded events to every destination of their conversation, at least once, never twice.

Bookkeeping is batched: one claim, one read of destinations and one commit per batch. A delivery to a
channel that is not ``replay_safe`` (Slack, Teams, email) is recorded the moment it succeeds, so a crash
never sends it twice; live pushes to browsers are replay safe (clients drop a message id they have).

A delivery that keeps failing for a reason no retry mends ends as a dead letter after a few attempts
(see ``bot/delivery_failures``); network errors are retried with backoff, without end.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from types import CoroutineType
from typing import Any

from bot.delivery_failures import MAX_ATTEMPTS, is_permanent, reason
from bot.in_place import NOT_STARTED, Resumed, side_by_side
from bot.metrics import DEAD_LETTERED, DELIVERIES
from bot.model import Binding
from bot.ports import Channel, Clock, OutboxItem, OutboxStore, UnitOfWorkFactory

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30 * 60
HOLD_MARGIN = timedelta(milliseconds=200)
STUCK_SECONDS = 0.5


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
        parallel: int = 4,
    ) -> None:
        self.store = store
        self.uow_factory = uow_factory
        self.channels = channels
        self.clock = clock
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.parallel = parallel
        # A delivery must end well inside its lease, or another dispatcher would claim it and send again.
        self.delivery_deadline = min(15.0, lease_seconds / 3)
        self.settle_seconds = min(0.05, lease_seconds / 20)  # see ``_deliver_handed``
        self._wake = asyncio.Event()
        self._kick = False
        self._in_batch: dict[asyncio.Task[None] | None, float] = {}  # drain → when its batch began
        self.running = False  # while ``run`` runs, events committed here may be handed over in memory
        self._handed: list[OutboxItem] = []
        self._handing: asyncio.Task[None] | None = None
        self._more = asyncio.Event()
        self._counters: dict[tuple[str, str], Any] = {}
        self._delivered: dict[str, int] = {}  # deliveries per channel, added to the metric per batch

    def wake(self) -> None:
        self._kick = True  # a drain in the middle of a batch looks again when it ends
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Normally one drain. When every drain has sat in one batch for a while (a platform that is
        slow to answer), another starts: newer live updates never queue behind a stuck batch. Claims
        are leased, so no event is taken twice."""
        running: set[asyncio.Task[None]] = set()
        self.running = True
        while not stop.is_set():
            self._wake.clear()
            now = time.monotonic()
            stuck = all(now - self._in_batch.get(t, now) > STUCK_SECONDS for t in running)
            if not running or (stuck and len(running) < self.parallel):
                task = asyncio.create_task(self._drain())
                running.add(task)
                task.add_done_callback(running.discard)
            try:
                await asyncio.wait_for(self._wake.wait(), STUCK_SECONDS if running else self.poll_seconds)
            except TimeoutError:
                pass
        self.running = False
        await asyncio.gather(*running, *filter(None, [self._handing]), return_exceptions=True)

    def hand_off(self, items: list[OutboxItem]) -> None:
        """Events this process just committed, already claimed for it (``claim_outbox``): delivered from
        memory, in commit order, one batch after another, with no claim and no read of past deliveries
        (a row born claimed has none). If this process dies first, the lease runs out and any
        dispatcher claims them from the table as usual."""
        self._handed.extend(items)
        if self._handing is None and self._handed:
            self._handing = asyncio.create_task(self._deliver_handed())
        elif self._handed:
            self._more.set()  # the task may be waiting to record earlier ones: these go now

    async def handed_delivered(self) -> None:
        """Returns once every event handed over in memory so far is delivered and recorded (tests that
        read what a channel wrote; ``dispatch_once`` cannot claim those rows: they are leased here)."""
        while self._handing is not None:
            await asyncio.shield(self._handing)

    async def _deliver_handed(self) -> None:
        """Delivered at once; recorded together: what was delivered in full is written to the table in
        one transaction at most ``settle_seconds`` (far inside the lease) after the first of them, so
        the events of the batches that follow meanwhile are recorded with it. A person writing alone
        then pays for the record once every few messages, not after each one; a crash meanwhile only
        means a replay-safe push is sent again. Failures are recorded at once, as by the claiming loop.
        Waiting to record never holds back a delivery: new events wake this task."""
        settled: tuple[list[str], list[int], list[int]] = ([], [], [])  # delivered keys, finished, sealed
        first = 0.0
        try:
            while True:
                while self._handed:
                    items, self._handed = self._handed[: self.batch], self._handed[self.batch :]
                    await self._dispatch(items, fresh=True, settle=settled)
                if not settled[1]:
                    return
                first = first or time.monotonic()
                left = first + self.settle_seconds - time.monotonic()
                if left <= 0 or len(settled[1]) >= self.batch:
                    keys, ids, sealed = settled
                    settled, first = ([], [], []), 0.0
                    await self.store.complete(keys, ids, {}, self.clock.now(), sealed)
                    continue
                self._more.clear()
                try:
                    await asyncio.wait_for(self._more.wait(), left)
                except TimeoutError:
                    pass
        except Exception:  # their lease runs out and the claiming loop retries them
            log.exception("outbox hand-off failed")
            self._handed.clear()
        finally:
            self._handing = None

    async def _drain(self) -> None:
        me = asyncio.current_task()
        try:
            while True:
                self._kick = False
                self._in_batch[me] = time.monotonic()
                found = await self.dispatch_once()
                self._in_batch.pop(me, None)
                if not found and not self._kick:
                    return
        except Exception:  # a broken database must not kill the loop; it retries next tick
            log.exception("outbox dispatch failed")
        finally:
            self._in_batch.pop(me, None)

    async def dispatch_once(self) -> int:
        items = await self.store.claim(self.clock.now(), self.batch, self.lease_seconds)
        if not items:
            return 0
        await self._dispatch(items)
        return len(items)

    async def _dispatch(
        self,
        items: list[OutboxItem],
        *,
        fresh: bool = False,
        settle: tuple[list[str], list[int], list[int]] | None = None,
    ) -> None:
        conversation = self._conversation
        conversation_ids = {conversation(i) for i in items} - {""}
        bindings = await self.store.destinations(sorted(conversation_ids)) if conversation_ids else {}
        destinations = self._destinations(items, bindings)
        done = set() if fresh else await self.store.delivered(self._keys(items, destinations))
        channels = self.channels
        safe = {name: getattr(channel, "replay_safe", False) for name, channel in channels.items()}
        # Only a channel that is not replay safe waits for older notices; browsers order by seq themselves.
        ordered = not all(safe.values()) and any(
            b.channel in channels and not safe[b.channel]
            for found in {id(d): d for d in destinations.values()}.values()
            for b in found
        )
        held = await self._held_back(items, conversation_ids, bindings) if ordered else {}
        now = self.clock.now()
        failures: dict[int, list[str]] = defaultdict(list)
        transient: set[int] = set()  # events with a failure worth retrying (or only waiting their turn)
        backoffs: dict[int, datetime] = {}

        def backoff(item: OutboxItem) -> datetime:  # only an event that failed somewhere needs one
            at = backoffs.get(item.id)
            if at is None:
                seconds = min(MAX_BACKOFF_SECONDS, 2 ** min(item.attempts, 20)) * random.uniform(0.5, 1)
                at = backoffs[item.id] = now + timedelta(seconds=seconds)
            return at

        # When to look at an event again: after its backoff if a destination failed, but right after
        # its turn comes if it only waits behind an older notice (no backoff for waiting).
        retry_at: dict[int, datetime] = {}
        delivered: list[str] = []
        # One walk per destination through its events in order (a Slack reply needs its thread; direct
        # answers to one Teams conversation keep their order); destinations walk side by side, so one
        # that is slow or down holds back only itself.
        walks: dict[tuple[str, str], list[tuple[OutboxItem, Binding]]] = {}
        for item in items:
            cid = conversation(item)
            for binding in destinations[item.id]:
                steps = walks.get((cid, binding.id))
                if steps is None:
                    steps = walks[(cid, binding.id)] = []
                steps.append((item, binding))

        async def walk(steps: list[tuple[OutboxItem, Binding]]) -> None:
            for item, binding in steps:
                key = f"{item.id}:{binding.id}"
                if key in done:
                    continue
                channel = channels.get(binding.channel)
                if channel is None:
                    continue  # that channel is switched off here; its bindings wait for it silently
                replay_safe = safe[binding.channel]
                waiting = held.get((conversation(item), binding.id)) if held else None
                if waiting is not None and not replay_safe:  # browsers order by seq themselves
                    turn = waiting + HOLD_MARGIN
                    retry_at[item.id] = max(retry_at.get(item.id, turn), turn)
                    failures[item.id].append(f"{binding.channel}: waiting for an earlier notice")
                    transient.add(item.id)
                    continue
                error = await self._deliver(item, binding, channel)
                if error is not None:
                    failures[item.id].append(reason(binding.channel, error))
                    if not is_permanent(error):
                        transient.add(item.id)
                    retry_at[item.id] = max(retry_at.get(item.id, backoff(item)), backoff(item))
                    held[(conversation(item), binding.id)] = backoff(item)
                elif replay_safe:
                    delivered.append(key)  # recorded with the batch
                else:
                    await self.store.mark_delivered(key, self.clock.now())  # at once: never send twice

        await side_by_side(walk, walks.values())
        for channel_name, count in self._delivered.items():  # one metric update a channel, not a delivery
            self._counter(channel_name, "ok").inc(count)
        self._delivered.clear()
        finished = [item.id for item in items if item.id not in failures]
        dead = [i for i in items if i.id in failures and i.id not in transient and i.attempts >= MAX_ATTEMPTS]
        retries = {i: (retry_at[i], "; ".join(reasons)) for i, reasons in failures.items()}
        for item in dead:
            del retries[item.id]
        # Events that carried a live secret (a sign-in link): erased from their rows once delivered.
        sealed = [i.id for i in items if i.event.secret_fields and i.id not in failures]
        if settle is not None and not retries and not dead:  # all delivered: recorded with the next ones
            settle[0].extend(delivered)
            settle[1].extend(finished)
            settle[2].extend(sealed)
        else:
            await self.store.complete(delivered, finished, retries, self.clock.now(), sealed)
        for item in dead:
            why = "; ".join(failures[item.id])
            await self.store.dead_letter(item.id, self.clock.now(), why)
            DEAD_LETTERED.labels(item.event.type).inc()
            log.error(
                "outbox event %s (%s) is a dead letter after %d attempts: %s "
                "(see `convene outbox failed`; `convene outbox retry %s` sends it again)",
                item.id,
                item.event.type,
                item.attempts,
                why,
                item.id,
            )

    @staticmethod
    def _conversation(item: OutboxItem) -> str:
        return getattr(item.event, "conversation_id", "") or ""

    @staticmethod
    def _keys(items: list[OutboxItem], destinations: dict[int, list[Binding]]) -> list[str]:
        return [f"{item.id}:{b.id}" for item in items for b in destinations[item.id]]

    def _destinations(
        self, items: list[OutboxItem], bindings: dict[str, list[Binding]]
    ) -> dict[int, list[Binding]]:
        """Each event's destinations: its conversation's bindings, its own direct ones, then one per
        broadcast channel (e.g. the web inbox: every agent who may see it). Events without direct ones
        share their conversation's list, built once per batch (read only)."""
        broadcast = [name for name, plugin in self.channels.items() if getattr(plugin, "broadcast", False)]
        shared: dict[str, tuple[list[Binding], list[Binding]]] = {}
        result: dict[int, list[Binding]] = {}
        for item in items:
            conversation_id = self._conversation(item)
            known = shared.get(conversation_id)
            if known is None:
                # The same objects for every event of the batch: an address one delivery learns (a new
                # Slack or Teams thread) is what the next event of that conversation uses.
                own = bindings.get(conversation_id, [])
                to_all = [Binding(conversation_id, name, {}, id=f"broadcast-{name}") for name in broadcast]
                known = shared[conversation_id] = (own, [*own, *to_all])
            direct = item.event.direct_destinations()
            if not direct:
                result[item.id] = known[1]
                continue
            found = list(known[0])
            for channel, address in direct:
                digest = hashlib.sha256(json.dumps(address, sort_keys=True).encode()).hexdigest()[:16]
                found.append(Binding(conversation_id, channel, address, id=f"direct-{channel}-{digest}"))
            found.extend(known[1][len(known[0]) :])
            result[item.id] = found
        return result

    async def _held_back(
        self, items: list[OutboxItem], conversation_ids: set[str], bindings: dict[str, list[Binding]]
    ) -> dict[tuple[str, str], datetime]:
        """(conversation, destination) pairs that still owe an older event, and when that one is retried."""
        if not conversation_ids:
            return {}
        claimed = {i.id for i in items}
        older = [
            row
            for row in await self.store.older_pending(
                sorted(conversation_ids), max(claimed), self.clock.now()
            )
            if row[0] not in claimed
        ]
        if not older:
            return {}
        keys = {(oid, cid, b.id): f"{oid}:{b.id}" for oid, cid, _ in older for b in bindings.get(cid, [])}
        done = await self.store.delivered(list(keys.values()))
        at = {oid: retry_at for oid, _, retry_at in older}
        held: dict[tuple[str, str], datetime] = {}
        for (oid, cid, bid), key in keys.items():
            if key not in done:
                held[(cid, bid)] = max(at[oid], held.get((cid, bid), at[oid]))
        return held

    async def _deliver(self, item: OutboxItem, binding: Binding, channel: Channel) -> Exception | None:
        """None when delivered; otherwise what went wrong (a timeout too), for the caller to judge.
        A delivery that ends without waiting (a push to this process's sockets) cannot overrun its
        deadline, so the deadline's timer is armed only once it waits."""
        try:
            call = channel.deliver(item.event, binding)
            try:
                pending = call.send(None) if isinstance(call, CoroutineType) else NOT_STARTED
            except StopIteration as stop:
                new_address = stop.value
            else:
                async with asyncio.timeout(self.delivery_deadline):  # no task per delivery, unlike wait_for
                    new_address = await (call if pending is NOT_STARTED else Resumed(call, pending))
        except Exception as error:  # noqa: BLE001 - any failure is recorded and judged, never raised
            log.warning("delivery of %s to %s failed: %r", item.event.type, binding.channel, error)
            self._counter(binding.channel, "error").inc()
            return error
        if new_address is not None and not binding.id.startswith(("direct-", "broadcast-")):
            binding.address = new_address
            binding.thread_key = new_address.get("thread_key", binding.thread_key)
            async with self.uow_factory() as uow:  # at once: a crash must not forget the thread
                await uow.bindings.save(binding)
                await uow.commit()
        self._delivered[binding.channel] = self._delivered.get(binding.channel, 0) + 1
        return None

    def _counter(self, channel: str, outcome: str) -> Any:
        """The metric's child for this channel and outcome, looked up once (one per delivery adds up)."""
        counter = self._counters.get((channel, outcome))
        if counter is None:
            counter = self._counters[(channel, outcome)] = DELIVERIES.labels(channel, outcome)
        return counter
