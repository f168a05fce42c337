"""Where a guest came from (bot.origin): what a browser's page address becomes when stored, and the
origin each way in records, on fakes."""

from __future__ import annotations

import pytest

from bot.commands import CreateAgent, CreateConversation, CreateService, RegisterGuest, StartConversation
from bot.errors import InvalidInput
from bot.model import Actor
from bot.origin import MAX_URL, clean_page_url
from tests.fakes import FakeEngine


@pytest.mark.parametrize(
    "given, stored",
    [
        ("https://shop.example.com/a?b=1#reviews", "https://shop.example.com/a?b=1"),  # no fragment
        ("HTTP://Shop.example.com/", "http://Shop.example.com/"),
        ("  https://x.example/  ", "https://x.example/"),
        ("javascript:alert(1)", None),  # no web page: not recorded
        ("about:srcdoc", None),
        ("file:///etc/passwd", None),
        ("https://", None),
        ("https://x.example/\u0000", None),
        ("", None),
        (None, None),
        (
            "https://x.example/" + "a" * 5000,
            ("https://x.example/" + "a" * 5000)[:MAX_URL],
        ),  # cut, not refused
    ],
)
def test_a_page_address_is_stored_as_a_web_page_without_its_fragment(
    given: str | None, stored: str | None
) -> None:
    assert clean_page_url(given) == stored


@pytest.mark.parametrize("given", [42, ["https://x.example/"], {"href": "https://x.example/"}])
def test_a_page_address_that_is_no_text_is_refused(given: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_page_url(given)
    assert (refused.value.code, refused.value.details.get("field")) == ("invalid_page_url", "page_url")


async def test_each_way_in_records_its_origin() -> None:
    e = FakeEngine()
    await e.handle(CreateService("sales", "Sales"))
    await e.handle(CreateAgent("alice", "Alice", "alice@example.com", services=("sales",)))
    guest = (await e.handle(RegisterGuest("Ann", page_url="https://shop.example.com/pricing"))).guest
    widget = (await e.handle(StartConversation(guest.id, "hi", service="sales"))).conversation
    personal = (
        await e.handle(
            StartConversation(guest.id, "hi", agent="alice", page_url="https://x.example/chat/alice")
        )
    ).conversation
    made = (
        await e.handle(
            CreateConversation(Actor("agent", "alice", "Alice"), "Launch", emails=("ben@example.org",))
        )
    ).conversation
    found = {c.id: (c.origin, c.origin_url) for c in e.state.conversations.values()}
    assert found[widget.id] == ("widget", "https://shop.example.com/pricing")  # the session's page
    assert found[personal.id] == ("personal_link", "https://x.example/chat/alice")  # the message's page
    assert found[made.id] == ("agent", None)
