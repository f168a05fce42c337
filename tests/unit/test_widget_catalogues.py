"""The widget's texts in every language: each key the widget's modules ask for exists in English, and
German has exactly the English keys of the widget's sections (a missing key would show as itself)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "adapters" / "web" / "static"
SECTIONS = ("widget", "presence")
WIDGET_MODULES = sorted(
    [p for p in STATIC.glob("widget*.js") if p.name != "widget-booking.js"] + [STATIC / "lib" / "typing.js"]
)


def section_keys(language: str, section: str) -> dict[str, str]:
    text = (STATIC / "i18n" / f"{language}.js").read_text()
    body = text.split(f"// ---- {section} ----", 1)[1].split(f"// ---- end of {section} ----", 1)[0]
    return dict(re.findall(r'^\s*"([\w.]+)":\s*"((?:[^"\\]|\\.)*)",?\s*$', body, re.MULTILINE))


@pytest.mark.parametrize("section", SECTIONS)
def test_german_has_every_english_key_of_the_widgets_sections(section: str) -> None:
    english, german = section_keys("en", section), section_keys("de", section)
    assert english and set(german) == set(english)
    for key, text in english.items():  # the same placeholders in both languages
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", german[key])), key


def test_every_text_the_widget_asks_for_is_in_the_catalogue() -> None:
    known = {key for section in SECTIONS for key in section_keys("en", section)}
    asked = {
        key
        for module in WIDGET_MODULES
        for key in re.findall(r'\bt\("((?:widget|presence)\.[\w.]+)"', module.read_text())
    }
    assert asked and asked <= known, sorted(asked - known)
