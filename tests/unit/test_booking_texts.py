"""The booking page's texts: every key its modules ask for is in the English and the German catalogue
(a missing key would show as itself), and the two catalogues' booking sections name the same keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "adapters" / "web" / "static"
MODULES = ["book.js", "book-done.js", "lib/month-picker.js", "lib/zone-picker.js", "invite.js"]
SECTIONS = ("booking", "confirmation", "manage")


def catalogue(lang: str) -> dict[str, str]:
    text = (STATIC / "i18n" / f"{lang}.js").read_text(encoding="utf-8")
    return dict(re.findall(r'^\s*"([\w.]+)":\s*"((?:[^"\\]|\\.)*)",?$', text, re.M))


def asked_for() -> set[str]:
    keys: set[str] = set()
    for name in MODULES:
        source = (STATIC / name).read_text(encoding="utf-8")
        keys |= set(re.findall(r'"((?:booking|confirmation|manage)\.\w+)"', source))
    keys |= set(re.findall(r'data-i18n="([\w.]+)"', (STATIC / "book.html").read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_key_the_booking_page_asks_for_is_in_the_catalogue(lang: str) -> None:
    keys = asked_for()
    assert {"booking.confirm", "confirmation.title", "manage.cancel"} <= keys  # the scan finds them
    assert sorted(keys - set(catalogue(lang))) == []


def test_english_and_german_name_the_same_booking_keys() -> None:
    def ours(lang: str) -> set[str]:
        return {key for key in catalogue(lang) if key.split(".")[0] in SECTIONS}

    assert ours("en") == ours("de")
    assert all(catalogue("de")[key] != catalogue("en")[key] for key in ours("de") if key != "booking.chosen")
