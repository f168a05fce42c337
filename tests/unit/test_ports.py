"""Every fake and every storage implementation has exactly the methods of its port.

Python does not check a ``Protocol`` at run time, so an implementation can drift from it unnoticed (as
``OutboxStore.older_pending`` once did: the store and the dispatcher took ``now``, the port did not).
Here each method of each port is compared with the fake's and the SQLAlchemy store's: same names, same
parameters (name, kind, default), same annotations, and async where the port is async. The ports are
read from ``bot.ports.UnitOfWork`` itself, so a repository added there is checked here at once.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest

from bot import ports
from bot.calendars.ports import CalendarConnectionRepository
from bot.meetings.ports import MeetingRepository
from tests.conftest import DrivenClock
from tests.fakes import REPOSITORIES, FakeJobStore, FakeOutboxStore, FakeState, FakeUnitOfWork

REPOSITORY_PORTS: dict[str, type] = typing.get_type_hints(
    ports.UnitOfWork,
    localns={
        "MeetingRepository": MeetingRepository,
        "CalendarConnectionRepository": CalendarConnectionRepository,
    },
)
UNIT_OF_WORK_METHODS = ["__aenter__", "__aexit__", "commit", "rollback", "record"]


def _methods(port: type) -> dict[str, Callable[..., Any]]:
    return {
        name: value
        for name, value in vars(port).items()
        if inspect.isfunction(value) and (not name.startswith("_") or name in UNIT_OF_WORK_METHODS)
    }


def _annotation(value: object) -> str:
    # Written as strings (``from __future__ import annotations``); ``builtins.list`` is how a port
    # with a method named ``list`` spells the type.
    return "" if value is inspect.Parameter.empty else str(value).replace("builtins.", "").replace(" ", "")


def _shape(function: Callable[..., Any]) -> tuple[Any, ...]:
    signature = inspect.signature(function)
    parameters = tuple(
        (p.name, p.kind, p.default, _annotation(p.annotation))
        for p in list(signature.parameters.values())[1:]  # self
    )
    return (inspect.iscoroutinefunction(function), parameters, _annotation(signature.return_annotation))


def drift(port: type, implementation: type) -> list[str]:
    """What the implementation gets wrong about the port, one line each; empty when it conforms."""
    found = []
    for name, wanted in _methods(port).items():
        if name in ("__aenter__", "__aexit__"):
            if not callable(getattr(implementation, name, None)):
                found.append(f"{implementation.__name__}.{name} is missing")
            continue  # their parameters are the async-with protocol's, not ours
        actual = getattr(implementation, name, None)
        if actual is None:
            found.append(f"{implementation.__name__}.{name} is missing")
        elif _shape(actual) != _shape(wanted):
            found.append(
                f"{implementation.__name__}.{name}{inspect.signature(actual)} is not "
                f"{port.__name__}.{name}{inspect.signature(wanted)}"
            )
    return found


def test_the_unit_of_work_names_a_port_for_every_repository_the_engine_uses() -> None:
    assert set(REPOSITORY_PORTS) == {
        "agents",
        "services",
        "guests",
        "conversations",
        "messages",
        "bindings",
        "tokens",
        "jobs",
        "inbound",
        "membership",
        "digests",
        "meetings",
        "calendar_connections",
        "search",
        "saved_replies",
        "contacts",
        "conversation_filters",
        "attachments",
        "preferences",
    }


@pytest.mark.parametrize("name", sorted(REPOSITORY_PORTS))
def test_each_fake_repository_matches_its_port(name: str) -> None:
    assert name in REPOSITORIES, f"FakeUnitOfWork provides no uow.{name}"
    assert drift(REPOSITORY_PORTS[name], REPOSITORIES[name]) == []


@pytest.mark.parametrize(
    "port, fake",
    [(ports.OutboxStore, FakeOutboxStore), (ports.JobStore, FakeJobStore)],
    ids=["outbox", "jobs"],
)
def test_each_fake_queue_matches_its_port(port: type, fake: type) -> None:
    assert drift(port, fake) == []


@pytest.mark.parametrize("clock", [ports.SystemClock, DrivenClock])
def test_the_real_and_the_driven_clock_match_the_clock_port(clock: type) -> None:
    assert drift(ports.Clock, clock) == []


def test_the_fake_unit_of_work_matches_its_port() -> None:
    assert drift(ports.UnitOfWork, FakeUnitOfWork) == []


async def test_the_fake_unit_of_work_provides_every_repository() -> None:
    async with FakeUnitOfWork(FakeState()) as uow:
        for name in REPOSITORY_PORTS:
            assert type(getattr(uow, name)) is REPOSITORIES[name]


@pytest.fixture
async def sql_storage(sqlite_url: str) -> AsyncIterator[Any]:
    from storage.plugin import plugin

    storage = plugin({"database_url": sqlite_url, "clock": DrivenClock(), "secret_key": "k"})
    yield storage
    await storage.dispose()


async def test_each_storage_repository_matches_its_port(sql_storage: Any) -> None:
    async with sql_storage.unit_of_work(read_only=True) as uow:
        provided = {name: type(getattr(uow, name, None)) for name in REPOSITORY_PORTS}
    assert drift(ports.UnitOfWork, type(uow)) == []
    problems = [line for name, cls in provided.items() for line in drift(REPOSITORY_PORTS[name], cls)]
    assert problems == []


def test_each_storage_queue_matches_its_port(sql_storage: Any) -> None:
    assert drift(ports.OutboxStore, type(sql_storage.outbox)) == []
    assert drift(ports.JobStore, type(sql_storage.jobs)) == []


class _OldOutbox:
    """The store as it once was: ``older_pending`` without ``now``."""

    async def older_pending(
        self, conversation_ids: typing.Sequence[str], before_id: int
    ) -> list[tuple[int, str, datetime]]:
        return []


def test_a_store_that_drifted_from_its_port_is_caught() -> None:
    problems = drift(ports.OutboxStore, _OldOutbox)
    assert any("older_pending" in line and "now" in line for line in problems)
    assert any(line == "_OldOutbox.claim is missing" for line in problems)
