"""The one place that picks real implementations and wires them together.

``MODULES`` lists every engine module that adds commands, jobs or posting hooks; each exposes
``register(runtime)``. Nothing registers itself at import time, so what runs is what this file says,
whatever order modules happen to be imported in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import bot.assistant
import bot.calendars.connections
import bot.calendars.sync
import bot.calendars.writes
import bot.channel_replies
import bot.email_digest
import bot.identity
import bot.invitations
import bot.meetings.handlers
import bot.meetings.jobs
import bot.notices
import bot.returning
import bot.sessions
import bot.status.handlers
from bot import plugins
from bot.batcher import MessageBatcher
from bot.bus import MessageBus
from bot.commands import PostMessage, StartConversation
from bot.handlers import HANDLERS
from bot.handlers.posting import PostingHooks
from bot.jobs import JobRunner
from bot.outbox import OutboxDispatcher
from bot.ports import Channel, Clock, SystemClock
from bot.runtime import Runtime
from bot.settings import Settings, load_settings

__all__ = ["MODULES", "Runtime", "bootstrap"]
log = logging.getLogger(__name__)


class EngineModule(Protocol):
    def register(self, runtime: Runtime) -> None: ...


MODULES: tuple[EngineModule, ...] = (
    bot.meetings.handlers,  # booking, changes, agent settings: the meeting commands
    bot.meetings.jobs,  # the "meeting_reminder" job
    bot.calendars.connections,  # remote providers wrapped: refreshed grants saved, revoked ones reported
    bot.calendars.writes,  # the "calendar_write" job: each meeting into the agent's calendar
    bot.calendars.sync,  # the "calendar_sync" job: changes the agent makes in their calendar
    bot.email_digest,  # unread-message emails: posting hooks and the "email_digest" job
    bot.notices,  # direct messages to agents in Slack/Teams (mentions, new conversations), by preference
    bot.sessions,  # bearer tokens that end: idle expiry, sign-out
    bot.identity,  # proven guest addresses: one-time email links, what an unproven address is mailed
    bot.returning,  # returning guests: "continue a previous conversation" links (30 minutes, one use)
    bot.invitations,  # invitations to self-schedule: create, book, withdraw, resend
    bot.channel_replies,  # QueueChannelReply: a chat channel's direct answer waits in the outbox
    bot.status.handlers,  # open, snoozed, resolved: the commands, the "conversation_snooze" job, guests reopening
    bot.assistant,  # scheduling by inviting the assistant: its commands, "assistant_reminder", "assistant_calendar_link"
)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    channels: dict[str, Channel] | None = None,
    calendars: dict[str, Any] | None = None,
) -> Runtime:
    settings = settings or load_settings()
    clock = clock or SystemClock()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # Alembic's INFO lines (its plugins, each migration) bury what a first run prints; DEBUG shows them.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    config = settings.plugin_config()
    config["clock"] = clock
    storage_factories = plugins.load_factories(plugins.STORAGE)
    if "sqlalchemy" not in storage_factories:
        raise RuntimeError("no storage plugin: is the convene package installed (pip install -e .)?")
    storage = storage_factories["sqlalchemy"](config)
    config["storage"] = storage
    uow_factory = storage.unit_of_work
    posting = PostingHooks()
    bus = MessageBus(uow_factory, HANDLERS, {"clock": clock, "settings": settings, "posting": posting})
    if calendars is None:
        calendars = plugins.instantiate(plugins.CALENDARS, config)
    bus.dependencies["calendars"] = calendars
    if channels is None:
        channels = plugins.instantiate(plugins.CHANNELS, config)
    dispatcher = OutboxDispatcher(
        storage.outbox,
        uow_factory,
        channels,
        clock,
        poll_seconds=settings.worker_poll_seconds,
        lease_seconds=settings.job_lease_seconds,  # a dead process's claims come back after this long
    )
    jobs = JobRunner(
        storage.jobs,
        uow_factory,
        clock,
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )
    bus.after_commit.append(dispatcher.wake)
    bus.after_commit.append(jobs.wake)
    jobs.after_job.append(dispatcher.wake)

    def hand_over(uow: Any) -> None:
        claimed = getattr(uow, "claimed", None)
        if claimed:
            dispatcher.hand_off(claimed)
        else:
            dispatcher.wake()
        if getattr(getattr(uow, "jobs", None), "scheduled", True):  # a batch rarely arms a job
            jobs.wake()

    def claim_if_delivering(uow: Any) -> None:
        if dispatcher.running and hasattr(uow, "claim_outbox"):
            uow.claim_outbox(settings.job_lease_seconds)

    batcher = MessageBatcher(
        uow_factory,
        clock,
        posting,
        one_by_one=bus.run,
        after_commit=hand_over,
        prepare=claim_if_delivering,
    )
    bus.batched[PostMessage] = batcher.submit
    bus.batched[StartConversation] = batcher.start
    runtime = Runtime(settings, clock, storage, bus, dispatcher, jobs, channels, calendars, config, posting)
    bus.dependencies["runtime"] = runtime
    runtime.batcher = batcher
    for module in MODULES:
        module.register(runtime)
    log.debug("channels: %s; calendars: %s", ", ".join(channels) or "none", ", ".join(calendars) or "none")
    return runtime


async def with_runtime(work: Callable[[Runtime], Awaitable[int | None]]) -> int:
    """Runs one CLI command against a fully wired runtime and always releases the database and the
    calendar providers' HTTP sessions."""
    runtime = bootstrap()
    try:
        return (await work(runtime)) or 0
    finally:
        await runtime.close_calendars()
        await runtime.storage.dispose()
