"""Every text a guest page asks for is in both catalogues: each key named in the static modules (as
t("…") or as a key string handed on) and each data-i18n attribute of the pages exists in English
and in German, with the same placeholders (a missing key would show as itself, a missing German one
as English). Complements test_widget_catalogues.py and test_booking_texts.py, which check their own
surfaces' sections; this one scans every module and page, so a new page cannot be forgotten."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "adapters" / "web" / "static"
SECTIONS = ("widget", "booking", "confirmation", "manage", "attachments", "presence")
KEY = re.compile(r"""["'`]((?:""" + "|".join(SECTIONS) + r""")\.(?!js\b|css\b)\w+)["'`]""")
ATTRIBUTE = re.compile(r'data-i18n="([\w.]+)"')
GUEST_PAGES = ("book.html", "chat.html", "conversation.html", "invite.html", "join.html")
TITLED_BY_SCRIPT = {"book.html"}  # book.js sets document.title from the host's name


def catalogue(lang: str) -> dict[str, str]:
    text = (STATIC / "i18n" / f"{lang}.js").read_text(encoding="utf-8")
    return dict(re.findall(r'^\s*"([\w.]+)":\s*"((?:[^"\\]|\\.)*)",?$', text, re.M))


def asked_for() -> dict[str, set[str]]:
    """Key → the files that name it."""
    found: dict[str, set[str]] = {}
    modules = [p for p in STATIC.rglob("*.js") if p.parent.name != "i18n"]
    for path in modules:
        for key in KEY.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, set()).add(path.name)
    for path in STATIC.glob("*.html"):
        for key in ATTRIBUTE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, set()).add(path.name)
    return found


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_key_a_module_or_page_names_is_in_the_catalogue(lang: str) -> None:
    asked = asked_for()
    # The scan sees the scheduling view, the guest pages and the invitation page.
    assert {
        "widget.bookingBack",
        "widget.conversationTitle",
        "widget.joinButton",
        "booking.inviteWho",
    } <= set(asked)
    missing = {key: sorted(files) for key, files in asked.items() if key not in catalogue(lang)}
    assert missing == {}


def test_german_texts_keep_the_english_placeholders() -> None:
    english, german = catalogue("en"), catalogue("de")
    assert set(german) == set(english)
    for key, text in english.items():
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", german[key])), key


@pytest.mark.parametrize("page", GUEST_PAGES)
def test_every_visible_text_of_a_guest_page_comes_from_the_catalogue(page: str) -> None:
    """Text in a page's markup is only the English fallback of a data-i18n element: an element with
    words of its own and no data-i18n would stay English under German."""
    html = (STATIC / page).read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1].split("<script", 1)[0]
    title = re.search(r"<title([^>]*)>", html)
    assert title is not None and ("data-i18n" in title.group(1) or page in TITLED_BY_SCRIPT)
    for match in re.finditer(r"<(\w+)([^>]*)>([^<]*[A-Za-z][^<]*)<", body):
        assert "data-i18n" in match.group(2), f"{page}: <{match.group(1)}> {match.group(3).strip()!r}"
