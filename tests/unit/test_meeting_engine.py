"""The meeting engine's own rules, with fakes of its ports: fair choice from the database's stats,
busy time from calendars that may fail, the words of notices and mails, settings changes."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from typing import Any

import pytest
from icalendar import Calendar

from adapters.email.meeting_mail import render_meeting_mail
from bot.calendars.sources import Profile, fetch_busy, scheduling_settings, without
from bot.errors import DomainError, Forbidden
from bot.events import from_json, to_json
from bot.meetings.booking import _fairest
from bot.meetings.commands import UpdateAgentSettings
from bot.meetings.events import MeetingCancelled, MeetingRescheduled
from bot.meetings.handlers import update_agent_settings
from bot.meetings.texts import describe_time
from bot.model import Actor, Agent
from scheduling.calendar import CalendarAccount, Interval
from scheduling.errors import CalendarUnavailable, SchedulingError

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hour: float) -> datetime:
    return T0.replace(hour=0) + timedelta(hours=hour)


class FakeMeetings:
    def __init__(self, load: dict[str, tuple[int, datetime | None]]) -> None:
        self._load = load
        self.asked: list[tuple[list[str], datetime]] = []

    async def load(self, agents: list[str], since: datetime) -> dict[str, tuple[int, datetime | None]]:
        self.asked.append((agents, since))
        return {a: v for a, v in self._load.items() if a in agents}


class FakeUow:
    def __init__(self, **repos: Any) -> None:
        self.__dict__.update(repos)
        self.committed = False

    async def __aenter__(self) -> FakeUow:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self.committed = True


@pytest.mark.parametrize(
    "free, load, chosen",
    [
        (["alice", "bob"], {}, "alice"),  # nobody booked yet: by name
        (["alice", "bob"], {"alice": (2, at(8)), "bob": (1, at(9))}, "bob"),  # fewest in 30 days
        (["alice", "bob"], {"alice": (1, at(9)), "bob": (1, at(8))}, "bob"),  # tie: waited longest
        (["alice", "bob"], {"alice": (1, at(8))}, "bob"),  # bob never booked
        (["bob"], {"alice": (0, None)}, "bob"),
    ],
)
async def test_fair_member_choice_reads_the_stats(free: list[str], load: dict[str, Any], chosen: str) -> None:
    meetings = FakeMeetings(load)
    assert await _fairest(FakeUow(meetings=meetings), free, T0) == chosen
    assert meetings.asked == [(free, T0 - timedelta(days=30))]


def profile(slug: str, provider: str = "local") -> Profile:
    agent = Agent(slug, slug.title(), f"{slug}@example.com")
    return Profile(agent, scheduling_settings(agent), provider, CalendarAccount(slug, agent.email))


class OneByOne:
    def __init__(self, down: set[str]) -> None:
        self.down = down
        self.calls: list[str] = []

    async def busy(
        self, account: CalendarAccount, calendars: Any, start: datetime, end: datetime
    ) -> list[Interval]:
        self.calls.append(account.agent_slug)
        if account.agent_slug in self.down:
            raise CalendarUnavailable(message="down")
        return [Interval(at(9), at(10))]


class Batch(OneByOne):
    async def busy_many(self, requests: Any, start: datetime, end: datetime) -> dict[str, list[Interval]]:
        self.calls.append("+".join(a.agent_slug for a, _ in requests))
        return {a.agent_slug: [Interval(at(11), at(12))] for a, _ in requests}


async def test_busy_is_read_per_source_and_unreadable_calendars_are_named() -> None:
    google, local = OneByOne(down={"bob"}), Batch(down=set())
    profiles = [
        profile("alice", "google"),
        profile("bob", "google"),
        profile("carol"),
        profile("dave"),
        profile("erin", "microsoft"),
    ]
    busy = await fetch_busy({"google": google, "local": local}, profiles, at(0), at(24))
    assert sorted(google.calls) == ["alice", "bob"]
    assert local.calls == ["carol+dave"]  # one call for all local members
    assert busy.unreadable == ["bob", "erin"]  # erin's source is not enabled here: never guessed free
    assert busy.by_agent == {
        "alice": [Interval(at(9), at(10))],
        "carol": [Interval(at(11), at(12))],
        "dave": [Interval(at(11), at(12))],
    }
    nothing = await fetch_busy({}, [profile("alice")], at(0), at(24))
    assert (nothing.by_agent, nothing.unreadable) == ({"alice": []}, [])


@pytest.mark.parametrize(
    "busy, cut, left",
    [
        ([(9, 10)], (9, 10), []),
        ([(8, 11)], (9, 10), [(8, 9), (10, 11)]),  # merged by a free/busy answer
        ([(8, 9), (10, 11)], (9, 10), [(8, 9), (10, 11)]),  # touching only
        ([(9.5, 12)], (9, 10), [(10, 12)]),
    ],
)
def test_a_moved_meeting_does_not_block_itself(
    busy: list[tuple[float, float]], cut: tuple[float, float], left: list[Any]
) -> None:
    got = without([Interval(at(a), at(b)) for a, b in busy], Interval(at(cut[0]), at(cut[1])))
    assert got == [Interval(at(a), at(b)) for a, b in left]


@pytest.mark.parametrize(
    "start, guest_tz, text",
    [
        (
            datetime(2026, 11, 24, 9, tzinfo=UTC),
            None,
            "Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin) · 09:00–09:30 UTC",
        ),
        (
            datetime(2026, 11, 24, 9, tzinfo=UTC),
            "Europe/Berlin",
            "Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin) · 09:00–09:30 UTC",
        ),
        (
            datetime(2026, 11, 24, 9, tzinfo=UTC),
            "America/New_York",
            "Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin) · 04:00–04:30 America/New_York",
        ),
        (
            datetime(2026, 11, 24, 14, tzinfo=UTC),
            "Pacific/Auckland",
            "Tue 24 Nov 2026 15:00–15:30 (Europe/Berlin) · Wed 25 Nov 2026 03:00–03:30 Pacific/Auckland",
        ),
        (
            datetime(2026, 11, 24, 1, tzinfo=UTC),
            "America/Los_Angeles",
            "Tue 24 Nov 2026 02:00–02:30 (Europe/Berlin) · Mon 23 Nov 2026 17:00–17:30 America/Los_Angeles",
        ),
    ],
)
def test_notice_times_are_readable_from_anywhere(start: datetime, guest_tz: str | None, text: str) -> None:
    assert describe_time(start, start + timedelta(minutes=30), "Europe/Berlin", guest_tz) == text


def event(kind: type = MeetingRescheduled, **extra: Any) -> Any:
    base = dict(
        conversation_id="c1",
        meeting_id="m1",
        agent="alice",
        agent_name="Alice",
        agent_email="alice@example.com",
        guest_id="g1",
        guest_name="Ann <script>",
        guest_email="ann@example.org",
        subject="Plans & <b>prices</b>",
        start=datetime(2026, 11, 24, 9, tzinfo=UTC),
        end=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        sequence=3,
        by=Actor("guest", "g1", "Ann"),
        guest_timezone="America/New_York",
        agent_timezone="Europe/Berlin",
    )
    if kind is MeetingRescheduled:
        base.update(
            previous_start=datetime(2026, 11, 24, 8, tzinfo=UTC),
            previous_end=datetime(2026, 11, 24, 8, 30, tzinfo=UTC),
        )
    return kind(**{**base, **extra})


def test_meeting_events_survive_the_outbox_and_go_to_both_mailboxes() -> None:
    original = event()
    assert from_json("MeetingRescheduled", to_json(original)) == original
    assert [address["email"] for _, address in original.direct_destinations()] == [
        "alice@example.com",
        "ann@example.org",
    ]
    assert [address["email"] for _, address in event(guest_email=None).direct_destinations()] == [
        "alice@example.com"
    ]


@pytest.mark.parametrize(
    "kind, recipient, method, when",
    [
        (
            MeetingRescheduled,
            "ann@example.org",
            "REQUEST",
            "Tue 24 Nov 2026 04:00–04:30 (America/New_York) · 10:00–10:30 Europe/Berlin",
        ),
        (
            MeetingRescheduled,
            "alice@example.com",
            "REQUEST",
            "Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin) · 04:00–04:30 America/New_York",
        ),
        (
            MeetingCancelled,
            "ann@example.org",
            "CANCEL",
            "Tue 24 Nov 2026 04:00–04:30 (America/New_York) · 10:00–10:30 Europe/Berlin",
        ),
    ],
)
def test_meeting_mail_has_both_parts_an_ics_and_escapes_user_text(
    kind: type, recipient: str, method: str, when: str
) -> None:
    message = render_meeting_mail(event(kind), recipient, "Someone", "https://convene.example")
    parsed = email.message_from_bytes(bytes(message), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()
    assert "<b>prices</b>" not in html and "Plans &amp; &lt;b&gt;prices&lt;/b&gt;" in html
    assert f"When: {when}" in text
    assert ("calendar.google.com" in text) is (method == "REQUEST")
    ics = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(ics.get_payload(decode=True))
    vevent = next(c for c in calendar.walk() if c.name == "VEVENT")
    assert (str(calendar["METHOD"]), int(vevent["SEQUENCE"]), str(vevent["UID"])) == (method, 3, "m1@convene")
    assert vevent["DTSTART"].dt == datetime(2026, 11, 24, 9, tzinfo=UTC)
    # The same mail rendered twice has one Message-ID: a redelivery replaces instead of doubling.
    again = render_meeting_mail(event(kind), recipient, "Someone", "https://convene.example")
    assert again["Message-ID"] == message["Message-ID"]


class FakeAgents:
    def __init__(self) -> None:
        self.saved: list[Agent] = []

    async def get(self, slug: str) -> Agent | None:
        return Agent(slug, slug.title(), f"{slug}@example.com") if slug == "alice" else None

    async def save(self, agent: Agent) -> None:
        self.saved.append(agent)


class NoCalendar:
    async def get(self, agent: str) -> None:
        return None


@pytest.mark.parametrize(
    "by, settings, outcome",
    [
        (Actor("agent", "alice", "Alice"), {"timezone": "Asia/Tokyo", "durations": [30, 60]}, "saved"),
        (Actor("agent", "bob", "Bob"), {"timezone": "Asia/Tokyo"}, Forbidden),
        (Actor("guest", "g1", "Ann"), {}, Forbidden),
        (Actor("agent", "alice", "Alice"), {"durations": [400]}, "invalid_settings"),
        (Actor("agent", "alice", "Alice"), {"colour": "blue"}, "invalid_settings"),
    ],
)
async def test_only_the_agent_changes_their_settings_and_only_to_valid_ones(
    by: Actor, settings: dict[str, Any], outcome: Any
) -> None:
    agents = FakeAgents()
    uow = FakeUow(agents=agents, calendar_connections=NoCalendar())  # the built-in calendar
    command = UpdateAgentSettings("alice", settings, by)
    if outcome == "saved":
        saved = await update_agent_settings(command, uow)  # type: ignore[arg-type]
        assert (saved["timezone"], saved["durations"], saved["default_duration"]) == (
            "Asia/Tokyo",
            [30, 60],
            30,
        )
        assert uow.committed and agents.saved[0].timezone == "Asia/Tokyo"
        return
    with pytest.raises((DomainError, SchedulingError)) as raised:
        await update_agent_settings(command, uow)  # type: ignore[arg-type]
    if isinstance(outcome, str):
        assert raised.value.code == outcome
    else:
        assert isinstance(raised.value, outcome)
    assert agents.saved == [] and not uow.committed
