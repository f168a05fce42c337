"""Returning guests and conversations agents create, as dialogue tables on fakes.

Ann wrote to Sales (Alice, Bob); Carol is in Support. Reuse: writing to a service again continues the
conversation, even after it was moved. Continue on another device: a one-time link (30 minutes, one use)
mailed to the address signs a browser in as the guest who proved it; a typed address alone never does.
Create: an agent opens a conversation with a name, members and the two settings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.commands import (
    AssignConversation,
    CreateAgent,
    CreateConversation,
    CreateService,
    JoinByLink,
    RegisterGuest,
    StartConversation,
)
from bot.errors import DomainError
from bot.identity import EmailProofIssued, RedeemEmailProof, redeem_email_proof
from bot.model import MAX_MEMBERS, Actor
from bot.returning import RequestContinueLink, request_continue_link
from tests.fakes import FakeEngine

ALICE = Actor("agent", "alice", "Alice")
CAROL = Actor("agent", "carol", "Carol")


@pytest.fixture
async def engine() -> FakeEngine:
    engine = FakeEngine()
    engine.bus.register(RequestContinueLink, request_continue_link)
    engine.bus.register(RedeemEmailProof, redeem_email_proof)
    await engine.handle(CreateService("sales", "Sales"))
    await engine.handle(CreateService("support", "Support"))
    for slug, service in [("alice", "sales"), ("bob", "sales"), ("carol", "support")]:
        await engine.handle(CreateAgent(slug, slug.title(), f"{slug}@example.com", services=(service,)))
    return engine


async def guest(engine: FakeEngine, name: str, email: str | None = None) -> str:
    return str((await engine.handle(RegisterGuest(name, email))).guest.id)


def proofs(engine: FakeEngine) -> list[EmailProofIssued]:
    return [row["event"] for row in engine.state.outbox if isinstance(row["event"], EmailProofIssued)]


# ---- reuse after reassignment ----------------------------------------------------------------------

# (moved to, then the guest writes to, continues the first conversation)
REUSE = [
    (None, "sales", True),  # never moved: the same one
    ("support", "sales", True),  # moved away: writing to the service they contacted continues it
    ("support", "support", True),  # moved to the service they now write to: it is there already
    (None, "support", False),  # a service they never contacted: a new conversation
]


@pytest.mark.parametrize("moved_to, writes_to, same", REUSE)
async def test_a_guest_writing_to_a_service_again_continues_even_after_a_move(
    engine: FakeEngine, moved_to: str | None, writes_to: str, same: bool
) -> None:
    ann = await guest(engine, "Ann")
    first = (await engine.handle(StartConversation(ann, "one", service="sales"))).conversation
    if moved_to:
        await engine.handle(AssignConversation(first.id, moved_to, None, by=ALICE))
    again = await engine.handle(StartConversation(ann, "two", service=writes_to))
    assert (again.conversation.id == first.id) is same
    assert again.created is not same


async def test_the_service_first_contacted_wins_over_one_moved_there(engine: FakeEngine) -> None:
    ann = await guest(engine, "Ann")
    sales = (await engine.handle(StartConversation(ann, "one", service="sales"))).conversation
    support = (await engine.handle(StartConversation(ann, "two", service="support"))).conversation
    await engine.handle(AssignConversation(sales.id, "support", None, by=ALICE))
    again = await engine.handle(StartConversation(ann, "three", service="support"))
    assert again.conversation.id == support.id


async def test_a_guest_writing_to_a_service_never_lands_in_a_conversation_an_agent_created(
    engine: FakeEngine,
) -> None:
    ann = await guest(engine, "Ann", "ann@example.org")
    engine.state.guests[ann].email_proven_at = datetime(2026, 11, 1, tzinfo=UTC)
    created = await engine.handle(CreateConversation(ALICE, "Plans", emails=("ann@example.org",)))
    written = await engine.handle(StartConversation(ann, "hello", service="sales"))
    assert written.created and written.conversation.id != created.conversation.id


# ---- continue on another device -----------------------------------------------------------------


async def test_the_continue_link_signs_a_new_browser_in_as_the_guest_who_proved_the_address(
    engine: FakeEngine,
) -> None:
    ann = await guest(engine, "Ann", "ann@example.org")
    engine.state.guests[ann].email_proven_at = datetime(2026, 11, 1, tzinfo=UTC)
    chat = (await engine.handle(StartConversation(ann, "hello", service="sales"))).conversation
    newcomer = await guest(engine, "Anonymous")  # the second browser's own guest
    await engine.handle(RequestContinueLink(" ANN@example.org ", guest_id=newcomer, conversation=chat.id))
    [mail] = proofs(engine)
    assert (mail.guest_id, mail.email, mail.purpose, mail.conversation) == (
        ann,
        "ann@example.org",
        "continue",
        chat.id,
    )
    session = await engine.handle(RedeemEmailProof(mail.token))
    assert (session.guest.id, session.conversation) == (ann, chat.id)
    assert engine.state.guests[newcomer].email is None  # the newcomer is untouched, nothing merged


# (who typed or proved the address before, does the second browser have a guest, whose link it is)
WHOSE = [
    ("proven", True, "ann"),
    ("typed", False, "ann"),  # opening the link proves it for the guest who typed it
    ("typed", True, "ann"),
    ("nobody", True, "newcomer"),  # the address becomes the new browser's guest's own
    ("nobody", False, None),  # nobody to continue: no mail, and the same answer
]


@pytest.mark.parametrize("before, has_session, owner", WHOSE)
async def test_whose_continue_link_it_is(
    engine: FakeEngine, before: str, has_session: bool, owner: str | None
) -> None:
    ids = {"ann": await guest(engine, "Ann", None if before == "nobody" else "ann@example.org")}
    if before == "proven":
        engine.state.guests[ids["ann"]].email_proven_at = datetime(2026, 11, 1, tzinfo=UTC)
    ids["newcomer"] = await guest(engine, "New")
    await engine.handle(
        RequestContinueLink("ann@example.org", guest_id=ids["newcomer"] if has_session else None)
    )
    mails = proofs(engine)
    assert [m.guest_id for m in mails] == ([ids[owner]] if owner else [])
    if owner:
        session = await engine.handle(RedeemEmailProof(mails[0].token))
        assert session.guest.id == ids[owner]
        assert engine.state.guests[ids[owner]].email_proven


@pytest.mark.parametrize(
    "minutes, second_use, works", [(29, False, True), (31, False, False), (1, True, False)]
)
async def test_a_continue_link_works_once_for_30_minutes(
    engine: FakeEngine, minutes: int, second_use: bool, works: bool
) -> None:
    ann = await guest(engine, "Ann", "ann@example.org")
    await engine.handle(RequestContinueLink("ann@example.org"))
    [mail] = proofs(engine)
    if second_use:
        await engine.handle(RedeemEmailProof(mail.token))
    engine.clock.advance(minutes=minutes)
    if works:
        assert (await engine.handle(RedeemEmailProof(mail.token))).guest.id == ann
    else:
        with pytest.raises(DomainError) as error:
            await engine.handle(RedeemEmailProof(mail.token))
        assert error.value.code == "invalid_email_link"


async def test_a_typed_address_alone_never_joins_two_guests(engine: FakeEngine) -> None:
    ann = await guest(engine, "Ann", "ann@example.org")
    engine.state.guests[ann].email_proven_at = datetime(2026, 11, 1, tzinfo=UTC)
    mallory = await guest(engine, "Mallory", "ann@example.org")  # typed Ann's address
    chat = (await engine.handle(StartConversation(mallory, "hi", service="sales"))).conversation
    assert chat.guest_id == mallory
    # Ann's conversations are Ann's; Mallory's proof link, opened by Ann, signs Ann in as Ann.
    session = await engine.handle(RedeemEmailProof(await _proof_for(engine, mallory)))
    assert session.guest.id == ann
    assert not engine.state.guests[mallory].email_proven


async def _proof_for(engine: FakeEngine, guest_id: str) -> str:
    from bot.identity import RequestEmailProof, request_email_proof

    engine.bus.register(RequestEmailProof, request_email_proof)
    await engine.handle(RequestEmailProof(guest_id))
    return proofs(engine)[-1].token


async def test_the_continue_request_refuses_an_empty_or_malformed_address(engine: FakeEngine) -> None:
    for value, code in [("", "email_required"), ("not-an-address", "invalid_email")]:
        with pytest.raises(DomainError) as error:
            await engine.handle(RequestContinueLink(value))
        assert error.value.code == code
    assert proofs(engine) == []


# ---- agents create conversations ----------------------------------------------------------------

CREATE: list[tuple[dict[str, Any], str | None]] = [
    ({"emails": ("dan@example.org",)}, None),
    ({"emails": ("dan@example.org",), "agents": ("carol",), "available_by_link": True}, None),
    ({"emails": ()}, "no_guest"),
    ({"emails": ("alice@example.com",)}, "no_guest"),  # an agent's address is not a guest
    ({"emails": ("not-an-address",)}, "invalid_email"),
    ({"emails": ("dan@example.org",), "agents": ("nobody",)}, "unknown_agent"),
    ({"emails": tuple(f"p{i}@example.org" for i in range(MAX_MEMBERS))}, "too_many_members"),
]


@pytest.mark.parametrize("given, refusal", CREATE)
async def test_an_agent_creates_a_conversation(
    engine: FakeEngine, given: dict[str, Any], refusal: str | None
) -> None:
    before = len(engine.state.outbox)
    if refusal:
        with pytest.raises(DomainError) as error:
            await engine.handle(CreateConversation(ALICE, "Plans", **given))
        assert error.value.code == refusal
        assert len(engine.state.outbox) == before and not engine.state.conversations
        return
    created = await engine.handle(CreateConversation(ALICE, "Plans", description="Next steps", **given))
    c = created.conversation
    keys = [m.key for m in engine.state.members[c.id]]
    assert keys[0] == "agent:alice" and ("agent:carol" in keys) == ("carol" in given.get("agents", ()))
    assert c.title == "Plans" and c.service == "sales" and c.assignee == "alice"
    assert (c.link_token is not None) is bool(given.get("available_by_link"))
    texts = [m.text for m in engine.state.messages if m.conversation_id == c.id]
    assert texts == ["Alice created the conversation “Plans”.", "Next steps"]
    assert [p.email for p in proofs(engine)] == ["dan@example.org"]  # an unknown address is invited


async def test_a_created_conversation_available_by_link_lets_a_third_person_join(engine: FakeEngine) -> None:
    created = await engine.handle(
        CreateConversation(
            ALICE, "Open day", emails=("dan@example.org",), available_by_link=True, read_only_external=True
        )
    )
    eve = await guest(engine, "Eve", "eve@example.org")
    joined = await engine.handle(JoinByLink(eve, created.conversation.link_token))
    assert joined.created and joined.member.external
    assert engine.state.conversations[created.conversation.id].read_only_external
