"""``uow.search`` on SQLite and PostgreSQL against the fake: the database keeps its own index in step
(an edited or deleted message, a renamed guest), and the access rule is in the query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update

from bot.model import Actor, Conversation, Guest, Member, Message
from bot.search import SearchHit
from storage.models import GuestRow, MessageRow
from tests.fakes import FakeUnitOfWorkFactory

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def seed(uow: Any) -> dict[str, str]:
    """Three conversations: Sales (Ann), Support (Ben), and one of Support's with Alice as a member."""
    ids = {}
    for name, service, member in [
        ("Ann", "sales", None),
        ("Ben", "support", None),
        ("Cy", "support", "alice"),
    ]:
        guest = Guest(name=name, email=f"{name.lower()}@mail.example")
        await uow.guests.add(guest)
        if hasattr(uow, "session"):  # the SQL store writes the guest at the next flush
            await uow.session.flush()
        conversation = Conversation(guest_id=guest.id, service=service, created_at=AT, last_message_at=AT)
        await uow.conversations.add(conversation)
        if member:
            await uow.conversations.add_member(conversation.id, Member("agent", member, "Alice", None))
        ids[name] = conversation.id
        text = f"{name} asks about the lighthouse tour"
        await uow.messages.add(
            Message(conversation.id, 1, Actor("guest", guest.id, name), text, AT, id=f"m-{name}")
        )
    await uow.commit()
    return ids


def shape(hits: list[SearchHit]) -> list[tuple[str, str, str | None]]:
    return sorted((h.kind, h.guest_name, h.message_id) for h in hits)


async def test_the_storage_finds_what_the_fake_finds_with_the_access_rule_in_the_query(runtime: Any) -> None:
    fake = FakeUnitOfWorkFactory()
    async with runtime.uow() as uow:
        await seed(uow)
    async with fake() as uow:
        await seed(uow)
    for agent, services in [("alice", ["sales"]), ("carol", ["support"]), ("zed", [])]:
        async with runtime.uow(read_only=True) as uow:
            real = await uow.search.search(["lightho"], agent, services)
        async with fake() as uow:
            expected = await uow.search.search(["lightho"], agent, services)
        assert shape(real) == shape(expected)
    assert shape(expected) == []  # zed is in no service and a member of nothing
    async with runtime.uow(read_only=True) as uow:
        alice = await uow.search.search(["tour"], "alice", ["sales"])
    assert shape(alice) == [("message", "Ann", "m-Ann"), ("message", "Cy", "m-Cy")]


async def test_an_edited_or_deleted_message_and_a_renamed_guest_are_found_as_they_are_now(
    runtime: Any,
) -> None:
    async with runtime.uow() as uow:
        ids = await seed(uow)
    async with runtime.uow() as uow:
        await uow.session.execute(
            update(MessageRow).where(MessageRow.id == "m-Ann").values(text="canal cruise")
        )
        await uow.session.execute(delete(MessageRow).where(MessageRow.id == "m-Cy"))
        await uow.session.execute(update(GuestRow).where(GuestRow.name == "Ben").values(name="Benedikt"))
        await uow.commit()
    async with runtime.uow(read_only=True) as uow:
        assert shape(await uow.search.search(["lighthouse"], "carol", ["support", "sales"])) == [
            ("message", "Benedikt", "m-Ben")
        ]
        assert shape(await uow.search.search(["canal"], "carol", ["sales"])) == [("message", "Ann", "m-Ann")]
        renamed = await uow.search.search(["benedikt"], "carol", ["support"])
    assert [(h.kind, h.conversation_id) for h in renamed] == [("guest", ids["Ben"])]


async def test_two_sessions_that_proved_the_same_email_are_one_contact(seeded: Any) -> None:
    from bot import contacts

    proven = {"email_proven_at": AT}
    first = Guest(name="Ann", email="ann@mail.example", timezone="Europe/Berlin", **proven)
    second = Guest(name="Ann on her phone", email="ANN@mail.example", email_proven_at=AT + timedelta(days=1))
    typed = Guest(name="Not Ann", email="ann@mail.example")  # typed the address, never proved it
    conversations = {}
    async with seeded.uow() as uow:
        for guest, service in [(first, "sales"), (second, "sales"), (typed, "sales")]:
            await uow.guests.add(guest)
            await uow.session.flush()
            conversation = Conversation(guest_id=guest.id, service=service, created_at=AT, last_message_at=AT)
            await uow.conversations.add(conversation)
            conversations[guest.name] = conversation.id
        await uow.commit()
    async with seeded.uow() as uow:
        await contacts.change(uow, "alice", second.id, {"note": "VIP"}, AT)
        await uow.commit()
    async with seeded.uow(read_only=True) as uow:
        seen_from_first = await contacts.contact(uow, "alice", first.id, AT)
        seen_from_second = await contacts.contact(uow, "bob", second.id, AT)
        typed_contact = await contacts.contact(uow, "alice", typed.id, AT)
    assert seen_from_first["guest_ids"] == seen_from_second["guest_ids"] == [first.id, second.id]
    assert {c["id"] for c in seen_from_first["conversations"]} == {
        conversations["Ann"],
        conversations["Ann on her phone"],
    }
    assert seen_from_first["note"] == seen_from_second["note"] == "VIP"
    assert seen_from_second["timezone"] == "Europe/Berlin"
    assert typed_contact["guest_ids"] == [typed.id] and typed_contact["note"] == ""
