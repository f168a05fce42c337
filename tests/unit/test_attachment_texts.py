"""Every text the files, links and emoji parts show (the ``attachments`` section of the catalogues) is
in English and in German: a key missing from a catalogue would show as the key itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "adapters" / "web" / "static"
KEY = re.compile(r'"(attachments\.[a-z_]+)"')


def used() -> set[str]:
    return {
        key
        for path in STATIC.rglob("*.js")
        if path.parent.name != "i18n"  # the catalogues themselves (not a checkout named i18n)
        for key in KEY.findall(path.read_text())
    }


def catalogue(lang: str) -> set[str]:
    return set(
        re.findall(r'^\s*"(attachments\.[a-z_]+)":', (STATIC / "i18n" / f"{lang}.js").read_text(), re.M)
    )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_attachments_text_the_pages_use_is_in_the_catalogue(lang: str) -> None:
    keys = used()
    assert "attachments.too_large" in keys and "attachments.emoji" in keys  # the scan finds them
    assert keys <= catalogue(lang), sorted(keys - catalogue(lang))


def test_the_german_catalogue_has_no_attachments_text_english_lacks() -> None:
    assert catalogue("de") == catalogue("en")
