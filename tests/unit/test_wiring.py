"""What ``bootstrap()`` wires is what ``MODULES`` lists: each job has one owner, hooks are explicit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.bootstrap import MODULES, Runtime, bootstrap
from bot.jobs import JobRunner
from tests.conftest import DrivenClock
from tests.fakes import FakeJobStore, FakeUnitOfWorkFactory


@pytest.fixture
async def runtime(make_settings: Any, tmp_path: Any) -> AsyncIterator[Runtime]:
    runtime = bootstrap(
        make_settings(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"), channels={}, calendars={}
    )
    yield runtime
    await runtime.storage.dispose()


def test_calendar_write_has_one_handler_and_it_comes_from_bot_calendars_writes(runtime: Runtime) -> None:
    handler = runtime.jobs.handlers["calendar_write"]
    prepare = runtime.jobs.prepares["calendar_write"]
    assert handler.__module__ == "bot.calendars.writes"  # the local calendar, inside the transaction
    assert prepare.__module__ == "bot.calendars.remote_writes"  # Google / Microsoft, before it


def test_every_job_kind_is_owned_by_a_module_bootstrap_lists(runtime: Runtime) -> None:
    owners = {kind: handler.__module__ for kind, handler in runtime.jobs.handlers.items()}
    assert owners == {
        "meeting_reminder": "bot.meetings.jobs",
        "calendar_write": "bot.calendars.writes",
        "calendar_sync": "bot.calendars.sync",
        "email_digest": "bot.email_digest",
        "assistant_reminder": "bot.assistant.reminders",
        "assistant_calendar_link": "bot.assistant.office",
        "attendee_calendar_write": "bot.invitations.calendar_writes",
        "conversation_snooze": "bot.status.handlers",
    }
    listed = {module.__name__ for module in MODULES}  # type: ignore[attr-defined]
    # a job's handler lives in a module bootstrap lists, or in that module's package
    assert all(any(owner == m or owner.startswith(m + ".") for m in listed) for owner in owners.values())


def test_the_email_digests_and_notices_follow_posting_through_the_runtime_hooks(runtime: Runtime) -> None:
    import bot.email_digest as digest
    import bot.notices as notices
    import bot.status.handlers as status

    hooks = runtime.posting.after_append
    assert sorted(hooks, key=id) == sorted(
        [digest.on_message, status.reopen_when_guests_write, notices.on_message], key=id
    )
    assert runtime.posting.after_read == [digest.on_read]
    assert runtime.bus.dependencies["posting"] is runtime.posting


async def test_two_runtimes_do_not_share_hooks(make_settings: Any, tmp_path: Any, runtime: Runtime) -> None:
    other = bootstrap(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'two.db'}"), channels={}, calendars={})
    try:
        assert other.posting is not runtime.posting and len(runtime.posting.after_append) == 3
    finally:
        await other.storage.dispose()


def test_a_job_kind_cannot_be_registered_twice() -> None:
    uows = FakeUnitOfWorkFactory()
    runner = JobRunner(FakeJobStore(uows.state), uows, DrivenClock())

    async def first(job: Any, uow: Any, clock: Any) -> None: ...

    runner.register("calendar_write", first)
    with pytest.raises(ValueError, match="registered already"):
        runner.register("calendar_write", first)
