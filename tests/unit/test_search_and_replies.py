"""The engine's side of search and saved replies, as dialogue tables: which words a query holds, how a
match is cut and marked (plain segments, never HTML), and how a saved reply is filled in."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.saved_replies import fill
from bot.search import matches, segments, terms_of


@pytest.mark.parametrize(
    "query, terms",
    [
        ("Invoice", ["invoice"]),
        ("  refund   Refund ", ["refund"]),
        ('"lighthouse" OR tour*', ["lighthouse", "or", "tour"]),  # operators are words, never syntax
        ("Zoë's café", ["zoë", "s", "café"]),
    ],
)
def test_a_query_is_its_words_lower_cased_once_each(query: str, terms: list[str]) -> None:
    assert terms_of(query) == terms


@pytest.mark.parametrize("query", ["", "  ", "!!! ***", "x" * 201])
def test_a_query_without_words_or_too_long_is_refused_on_its_field(query: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        terms_of(query)
    assert refused.value.code == "invalid_query" and refused.value.details == {"field": "q"}


def test_a_match_is_marked_as_a_plain_segment_and_markup_stays_text() -> None:
    assert segments("See <script>invoices</script> now", ["invoice"]) == [
        {"text": "See <script>", "match": False},
        {"text": "invoices", "match": True},
        {"text": "</script> now", "match": False},
    ]


def test_a_long_text_is_cut_around_its_first_match() -> None:
    text = "word " * 100 + "needle " + "tail " * 100
    pieces = segments(text, ["needle"], width=60)
    assert pieces[0] == {"text": "…", "match": False} and pieces[-1] == {"text": "…", "match": False}
    assert {"text": "needle", "match": True} in pieces
    assert sum(len(str(p["text"])) for p in pieces[1:-1]) == 60


@pytest.mark.parametrize(
    "text, terms, found",
    [
        ("The lighthouse tour", ["light", "tour"], True),
        ("The lighthouse tour", ["house"], False),  # a prefix of a word, not any substring
        ("The lighthouse", ["light", "boat"], False),  # every term must match
    ],
)
def test_a_text_matches_when_every_term_starts_one_of_its_words(
    text: str, terms: list[str], found: bool
) -> None:
    assert matches(text, terms) is found


def test_a_saved_reply_fills_in_the_guest_and_the_agent_and_leaves_other_braces() -> None:
    assert (
        fill("Hi {guest_name}, {agent_name} here. {unknown}", guest_name="Ann", agent_name="Alice")
        == "Hi Ann, Alice here. {unknown}"
    )
