"""Group commit for messages: those that arrive while a transaction is being written go in the next one.

Every adapter posts through ``bus.handle(PostMessage(...))``, and a guest's message "to sales" through
``bus.handle(StartConversation(...))``; the bus hands those commands here. One writer task takes
everything queued (at most ``MAX_BATCH``) and writes it in one transaction with ``write_batch`` (a
guest's first message opens its conversation there, in the same transaction): one commit, a handful
of set-wise statements, instead of about ten statements and a commit per message. A batch closes
after ``MAX_BATCH`` messages, after ``MAX_WAIT`` (2 ms), or as soon as it holds as many as the last
one, and waits only under load: when the previous batch held one message (a person alone), the next
goes at once (after one turn of the event loop, so messages that arrived together go together), so
nobody waits for company that is not coming. Under load, batches also grow by themselves while one is
written.

Each sender still gets only its own answer, and only after the commit that holds its message: an
acknowledged message is durable, exactly as before. A refusal (no access, a read-only conversation)
is one message's outcome and the others are written. A database error fails the batch's transaction;
then each message is written again in a transaction of its own through the bus's ordinary path, so
the one bad row gets its error and the others are committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.commands import Command, PostMessage, StartConversation
from bot.errors import DomainError, Forbidden, NotFound, Unavailable
from bot.handlers.batch_posting import Outcome, write_batch
from bot.handlers.conversations import Posted
from bot.handlers.posting import PostingHooks
from bot.model import Actor, clean_client_id, clean_text
from bot.origin import clean_page_url
from bot.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.transient import TransientStorageError

log = logging.getLogger(__name__)
MAX_BATCH = 256
MAX_WAIT = 0.002  # seconds a batch stays open for company, under load only
MAX_ATTEMPTS = 6
RECENT_SECONDS = 10.0  # how long a guest's "to sales" is known to mean the conversation just found
MAX_RECENT = 10_000

Pending = tuple[PostMessage | StartConversation, "asyncio.Future[Any]"]


class MessageBatcher:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        posting: PostingHooks,
        *,
        one_by_one: Callable[[Command], Awaitable[Any]],
        after_commit: Callable[[UnitOfWork], None],
        prepare: Callable[[UnitOfWork], None] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.posting = posting
        self.one_by_one = one_by_one  # the bus's unbatched path: its own transaction and retries
        self.after_commit = after_commit  # hands the committed events to the dispatcher
        self.prepare = prepare  # e.g. asks the unit of work to claim its outbox rows for this process
        self._queue: list[Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self._last_size = 0
        self._filled: asyncio.Future[None] | None = None  # set while a batch waits for company
        # A guest writing to one place again while their first message there is still being written
        # (the widget sends by service until an answer names the conversation) waits for that one.
        self._starting: dict[tuple[str, str | None, str | None], asyncio.Future[Posted | None]] = {}
        self._recent: OrderedDict[tuple[str, str | None, str | None], tuple[float, Posted]] = OrderedDict()
        self.batches = 0  # how many transactions were written (for tests and the benchmark's profile)

    async def submit(self, command: PostMessage) -> Any:
        """Posts one message; returns its ``Posted`` once the transaction that holds it is committed."""
        # refusals of the message itself go back now, before it joins a batch
        text, client_id = clean_text(command.text), clean_client_id(command.client_id)
        if text != command.text or client_id != command.client_id:  # most need no cleaning: no copy
            command = dataclasses.replace(command, text=text, client_id=client_id)
        return await self._join(command)

    async def _join(self, command: PostMessage | StartConversation) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((command, future))
        if self._filled is not None and len(self._queue) >= self._last_size:
            _settle(self._filled)  # as many as last time: the batch need not wait for more
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        return await future

    async def start(self, command: StartConversation) -> Any:
        """A guest writing "to sales" (the widget sends by service until the first answer names the
        conversation) joins a batch like any other message: the batch's transaction finds their
        conversation, or opens it, and writes the message (``write_batch``).

        Several such messages in flight at once (a guest typing fast before the first answer) do not
        each look for the conversation: the later ones wait for the first, then join a batch in the
        order they came (waiters wake in the order they began to wait). What the first found is kept
        for a few seconds (``RECENT_SECONDS``), the time until the answer names the conversation, so
        the guest's next messages go straight to a batch as plain messages."""
        text, client_id = clean_text(command.text), clean_client_id(command.client_id)
        clean_page_url(command.page_url)
        if text != command.text or client_id != command.client_id:
            command = dataclasses.replace(command, text=text, client_id=client_id)
        key = (command.guest_id, command.service, command.agent)
        now = asyncio.get_running_loop().time()
        recent = self._recent.get(key)
        if recent is not None and now - recent[0] < RECENT_SECONDS:
            return await self._continue(command, recent[1].conversation.id, recent[1].message.author)
        first = self._starting.get(key)
        if first is not None:
            earlier = await asyncio.shield(first)
            if earlier is not None:
                return await self._continue(command, earlier.conversation.id, earlier.message.author)
            return await self._join(command)  # the first was refused: this one gets its own answer
        first = asyncio.get_running_loop().create_future()
        self._starting[key] = first
        posted: Posted | None = None
        try:
            posted = await self._join(command)
            return posted
        finally:
            del self._starting[key]
            first.set_result(posted)
            if posted is not None:
                self._remember(key, now, posted)

    def _remember(self, key: tuple[str, str | None, str | None], now: float, posted: Posted) -> None:
        self._recent[key] = (now, posted)
        self._recent.move_to_end(key)
        while len(self._recent) > MAX_RECENT:
            self._recent.popitem(last=False)

    async def _continue(self, command: StartConversation, conversation_id: str, author: Actor) -> Any:
        try:
            posted = await self.submit(PostMessage(conversation_id, author, command.text, command.client_id))
        except (NotFound, Forbidden):
            return await self.one_by_one(command)
        return Posted(posted.conversation, posted.message, False)  # False: the conversation existed

    async def _write_all(self) -> None:
        try:
            await asyncio.sleep(0)  # messages that arrived in the same turn of the loop go together
            while self._queue:
                if self._last_size > 1 and len(self._queue) < min(self._last_size, MAX_BATCH):
                    await self._fill()  # under load: let the batch fill a little
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                self._last_size = len(batch)
                await self._write(batch)
        except asyncio.CancelledError:  # shutting down: what is still queued was never written
            for _, future in self._queue:
                future.cancel()
            self._queue = []
            raise
        finally:
            self._writer = None

    async def _fill(self) -> None:
        """Waits up to ``MAX_WAIT`` for company, and no longer than it takes as many messages as the last
        batch held to be queued (under a steady load they are all back well before the 2 ms)."""
        loop = asyncio.get_running_loop()
        self._filled = loop.create_future()
        timer = loop.call_later(MAX_WAIT, _settle, self._filled)
        try:
            await self._filled
        finally:
            timer.cancel()
            self._filled = None

    async def _write(self, batch: list[Pending]) -> None:
        commands = [command for command, _ in batch]
        outcomes: list[Outcome | BaseException]
        committed: UnitOfWork | None = None
        try:
            outcomes, committed = await self._together(commands)
        except asyncio.CancelledError:  # shutting down: nobody waits forever for an answer
            for _, future in batch:
                future.cancel()
            raise
        except TransientStorageError:
            busy = Unavailable("The database is busy; please try again.", code="busy")
            outcomes = [busy] * len(commands)
        except Exception as error:  # noqa: BLE001 - one bad row: write each on its own, see the docstring
            log.warning("a batch of %d messages failed (%r); writing them one by one", len(commands), error)
            outcomes = []
            for command in commands:
                try:
                    outcomes.append(await self.one_by_one(command))
                except Exception as own_error:  # noqa: BLE001 - it is this sender's answer
                    outcomes.append(own_error)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the sender went away (its socket closed); the message stands
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        if committed is not None:  # after the answers: the acks go out before the fan-out runs
            self.after_commit(committed)

    async def _together(
        self, commands: list[PostMessage | StartConversation]
    ) -> tuple[list[Outcome | BaseException], UnitOfWork]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            uow = self.uow_factory()
            try:
                async with uow:
                    if self.prepare is not None:
                        self.prepare(uow)
                    outcomes = await write_batch(commands, uow, self.clock, self.posting)
                    if any(not isinstance(o, DomainError) for o in outcomes):
                        await uow.commit()
            except TransientStorageError:
                if attempt == MAX_ATTEMPTS:
                    raise
                await asyncio.sleep(random.uniform(0, 0.02 * 2**attempt))
                continue
            self.batches += 1
            return list(outcomes), uow
        raise AssertionError("unreachable")


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
