"""Commands by @mention or in a personal chat, and the platform rules for what the bot sends. Each table
row is one move of an agent and what follows (``dialog.Dialog``)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Teams
from .dialog import NOT_AN_AGENT, After, Card, Dialog, Press, Say
from .test_teams_dialogue import guest_writes, link_sales

LINK_USAGE = "Usage: link [start=dd.mm.yyyy] [end=dd.mm.yyyy] [subject=…]"
BOOK = "http://convene.test/book/alice"
MARS = "timezone 'Mars/Olympus' is not a known IANA time zone."


@pytest.mark.parametrize(
    "text, answer",
    [
        ("link", BOOK),
        (
            "link start=01.12.2026 end=05.12.2026 subject=Demo",
            f"{BOOK}?start=01.12.2026&end=05.12.2026&subject=Demo",
        ),
        ("link subject=Pricing call", f"{BOOK}?subject=Pricing%20call"),
        ('link subject="Pricing call"', f"{BOOK}?subject=Pricing%20call"),
        ("link subject=“Pricing call” end=05.12.2026", f"{BOOK}?subject=Pricing%20call&end=05.12.2026"),
        ("link subject=Pricing call start=01.12.2026", f"{BOOK}?subject=Pricing%20call&start=01.12.2026"),
        ("link subject=R&D review", f"{BOOK}?subject=R%26D%20review"),
        ("link start=2026-12-01", "'2026-12-01' is not a date like 24.11.2026."),
        ("link start=05.12.2026 end=01.12.2026", "The end date is before the start date."),
        ("link colour=blue", LINK_USAGE),
        ("link Pricing subject=call", LINK_USAGE),
        ("assign abc", "Usage: assign <conversation> <agent|service>"),
        ("assign 0000000000 bob", "No single conversation starts with '0000000000'."),
        ("link-channel sales", "Use link-channel in a Teams channel, not in a chat."),
        ("link-channel nope", "Use link-channel in a Teams channel, not in a chat."),
        ("link-channel", "Usage: link-channel <service>"),
        ("new dan@example.org", "Usage: new <name> [emails…]"),
        ("new Launch plans", "Add at least one person from outside the team by email address."),
        ("inbox", Card(first="No open conversations assigned to you.")),
        ("meetings", Card(first="No upcoming meetings.")),
        (
            "settings",
            Card(
                first="Your calendar settings",
                inputs=["timezone", "durations", "buffer_before", "buffer_after", "lunch_break"],
            ),
        ),
        ("HELP", Card(first="Mention me with one of these:")),
    ],
)
async def test_personal_commands_answer_in_the_chat(teams: Teams, text: str, answer: Any) -> None:
    await Dialog(teams).verify([(Say(text), answer)])


async def test_inbox_and_assign_by_command(teams: Teams) -> None:
    g, cid = await guest_writes(teams)
    dialog = Dialog(teams, guest=g, cid=cid, short=cid[:8])
    await dialog.verify(
        [
            (
                Say("assign {short} bob"),
                "Assigned to Bob.",
                After(guest=("system", "Alice assigned this conversation to Bob (Sales).")),
            ),
            (
                Say("inbox", by="bob"),
                Card(first="Your conversations", lines=[f"Ann (1 unread) · {cid[:8]}"]),
            ),
            (
                Say("assign {short} zed"),
                "There is no agent or service called 'zed'.",
                After(guest_unchanged=True),
            ),
            (
                Say("assign {short} sales"),
                "Assigned to Sales.",
                After(guest=("system", "Alice assigned this conversation to Sales.")),
            ),
            # A person without a service: the engine picks theirs (carol's is Support).
            (Say("assign {short} carol"), "Assigned to Carol."),
            # Now in Support, the conversation is no longer Alice's to see, let alone assign.
            (
                Say("assign {short} bob"),
                f"No single conversation starts with '{cid[:8]}'.",
                After(guest_unchanged=True),
            ),
            (
                Say("inbox", by="carol"),
                Card(first="Your conversations", lines=[f"Ann (1 unread) · {cid[:8]}"]),
            ),
        ]
    )


async def test_channel_mentions_run_commands_and_chatter_is_ignored(teams: Teams) -> None:
    dialog = Dialog(teams)
    await dialog.verify([(Say("hello everyone", where="channel"), None)])
    assert teams.ms.calls == []  # not for us: no answer, no lookup
    await dialog.verify(
        [
            (Say("link-channel nope", where="channel", mention=True), "There is no service called 'nope'."),
            (Say("link-channel", where="channel", mention=True), "Usage: link-channel <service>"),
            (Say("dance", where="channel", mention=True), Card(first="I don't know “dance”.")),
            (Say("inbox", by="mallory", where="channel", mention=True), Card(first=NOT_AN_AGENT)),
        ]
    )


async def test_a_non_agent_is_refused_and_not_remembered(teams: Teams) -> None:
    await Dialog(teams).verify(
        [
            (Say("inbox", by="mallory"), Card(first=NOT_AN_AGENT)),
            (Say("settings", by="mallory"), Card(first=NOT_AN_AGENT)),
            (
                Press("save_settings", {"timezone": "UTC"}, by="mallory", where="chat", submit=True),
                Card(first=NOT_AN_AGENT),
            ),
        ]
    )
    async with teams.runtime.uow(read_only=True) as uow:
        assert await uow.identities.get("teams", "aad-mallory") is None


async def test_identity_is_looked_up_once_then_cached(teams: Teams) -> None:
    help_card = Card(first="Mention me with one of these:")
    await Dialog(teams).verify([(Say("help", by="bob"), help_card)] * 3)
    lookups = [c for c in teams.ms.calls if "/members/" in c.path]
    assert len(lookups) == 1  # Bob's userPrincipalName matched bob@example.com, then the cache answers
    async with teams.runtime.uow(read_only=True) as uow:
        assert await uow.identities.get("teams", "aad-bob") == "bob"


async def test_throttling_and_gateway_errors_are_retried_respecting_retry_after(teams: Teams) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    teams.channel.connector.sleep = sleep
    await link_sales(teams)
    teams.ms.faults[:] = [(429, {"Retry-After": "7"}), (502, {}), (412, {})]
    g, cid = await guest_writes(teams)
    await teams.settle()
    [thread] = teams.ms.threads
    assert waits[0] == 7.0 and len(waits) == 3
    assert teams.ms.texts(thread) == ["Ann started a conversation with Sales.", "Ann: Hi, I need a quote"]


async def test_a_lasting_failure_leaves_the_notice_to_the_outbox(teams: Teams, clock: Any) -> None:
    async def sleep(seconds: float) -> None:
        return None

    teams.channel.connector.sleep = sleep
    await link_sales(teams)
    teams.ms.faults[:] = [(503, {})]  # not retryable here: the outbox tries again later
    g, cid = await guest_writes(teams)
    await teams.settle()
    assert teams.ms.threads == []
    clock.advance(minutes=5)
    await teams.settle()
    [thread] = teams.ms.threads  # exactly one thread, even though the first try failed
    assert teams.ms.texts(thread) == ["Ann started a conversation with Sales.", "Ann: Hi, I need a quote"]
    conversation = {"conversation_id": "{cid}"}
    await Dialog(teams, thread=thread, guest=g, cid=cid).verify(
        [
            (Press("assign_form", conversation), Card(inputs=["service", "assignee"])),
            (
                Press("assign", {**conversation, "service": "sales", "assignee": "carol"}),
                Card(error="carol is not a member of Sales.", inputs=["service", "assignee"]),
                After(thread=[], card={}, guest_unchanged=True),
            ),
            (Press("show_card", conversation), Card(facts={"Assignee": "nobody yet"})),
        ]
    )


async def test_settings_card_saves_through_the_engine(teams: Teams) -> None:
    submit = {
        "timezone": "Europe/London",
        "durations": "30,60",
        "buffer_before": "15",
        "lunch_break": "12:00-13:00",
    }
    save = Press("save_settings", submit, where="chat", submit=True)
    await Dialog(teams).verify([(save, Card(first="Your calendar settings", lines=["Saved."]))])
    async with teams.runtime.uow(read_only=True) as uow:
        alice = await uow.agents.get("alice")
    assert alice.settings["timezone"] == "Europe/London" and alice.settings["durations"] == [30, 60]
    refused = Press("save_settings", {**submit, "timezone": "Mars/Olympus"}, where="chat", submit=True)
    bad_durations = Press("save_settings", {**submit, "durations": "30, an hour"}, where="chat", submit=True)
    steps = await Dialog(teams).verify(
        [
            (refused, Card(first="Your calendar settings", error=MARS)),
            (bad_durations, Card(error="Durations are whole minutes, separated by commas.")),
        ]
    )
    assert "Saved." not in str(steps[0].answers[0])
    async with teams.runtime.uow(read_only=True) as uow:
        assert (await uow.agents.get("alice")).settings["timezone"] == "Europe/London"


async def test_the_route_is_documented(teams: Teams) -> None:
    doc = await (await teams.client.get("/api/openapi.json")).json()
    assert "post" in doc["paths"]["/api/messages"]


class StartsWith(str):
    """An answer that must start with this text (the rest is a new conversation's random id)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith(str(self))

    __hash__ = str.__hash__


async def test_new_creates_a_conversation_with_the_people_named(teams: Teams) -> None:
    created = StartsWith("Created “Launch plans”: http://convene.test/inbox/c/")
    await Dialog(teams).verify([(Say("new Launch plans dan@example.org"), created)])
    async with teams.runtime.uow(read_only=True) as uow:
        [row] = [
            c for c in await uow.conversations.list_for_agent("alice", ["sales"]) if c.conversation.title
        ]
        members = sorted(m.key for m in await uow.conversations.members(row.conversation.id))
    assert row.conversation.title == "Launch plans" and members[0] == "agent:alice" and len(members) == 2
