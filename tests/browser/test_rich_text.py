"""lib/text.js's ``richText`` as a dialogue table, in headless Chromium: what a message says, and
which parts of it become links. Only http, https and mailto addresses are links; everything else,
markup and script addresses included, stays text (and the text always reads exactly as written)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_time_helpers import page as page  # noqa: F401 - the fixture: a page serving static/

pytestmark = [pytest.mark.browser]

ROWS = [
    # what was written, [(link text, href), ...]
    ("no address here", []),
    (
        "see https://example.org/path?q=1#top.",
        [("https://example.org/path?q=1#top", "https://example.org/path?q=1#top")],
    ),
    ("(http://example.org/a_(b))", [("http://example.org/a_(b)", "http://example.org/a_(b)")]),
    ("mail mailto:ann@example.org, thanks", [("mailto:ann@example.org", "mailto:ann@example.org")]),
    ("javascript:alert(1)", []),
    ("JaVaScRiPt:alert(1) data:text/html,<script>alert(1)</script>", []),
    ("<a href=javascript:alert(1)>x</a> <img src=x onerror=alert(1)>", []),
    ("ftp://example.org/file and www.example.org", []),
    ('https://example.org/"onmouseover="alert(1)', [("https://example.org/", "https://example.org/")]),
    (
        "two: https://a.example and HTTPS://B.EXAMPLE/X!",
        [("https://a.example", "https://a.example/"), ("HTTPS://B.EXAMPLE/X", "https://b.example/X")],
    ),
]


@pytest.mark.parametrize("written, links", ROWS)
async def test_only_web_and_mail_addresses_become_links(
    page: Any, written: str, links: list[tuple[str, str]]
) -> None:
    shown = await page.evaluate(
        """async (text) => {
          const { richText } = await import("/static/lib/text.js");
          const box = document.createElement("div");
          box.append(richText(text));
          return {
            text: box.textContent,
            elements: [...box.querySelectorAll("*")].map((e) => e.tagName),
            links: [...box.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href"), a.target, a.rel]),
          };
        }""",
        written,
    )
    assert shown["text"] == written
    assert shown["elements"] == ["A"] * len(links)
    assert shown["links"] == [[text, href, "_blank", "noopener noreferrer"] for text, href in links]
