"""Names, titles and subjects as they enter the engine: one line of printable text.

They end up in mail headers (``To: "Ann" <…>``, ``Subject:``), calendar fields, Slack and Teams
messages. A CR or LF in one used to make every mail that quoted it fail, for good: the booking's
confirmation and ``.ics`` and the conversation's unread emails never reached anyone. So control
characters (line breaks, tabs, NUL, bidirectional overrides) become spaces, runs of whitespace
collapse to one, and a name is at most ``MAX_NAME`` characters.

A person's name is held to more, because it is shown to others as who they are: one with a control
character or a bidirectional override (U+202A–U+202E, U+2066–U+2069) is refused rather than
repaired, and so is one made only of invisible characters (zero-width spaces, joiners, blanks),
which would show as nobody. Titles and subjects made only of invisible characters count as empty.
"""

from __future__ import annotations

import unicodedata

from bot.errors import InvalidInput

MAX_NAME = 100
# Format characters that reorder text on screen ("evil.exe" shown as "exe.live"); joiners stay (emoji).
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def one_line(value: str) -> str:
    """Printable text on one line; never raises (adapters use it for header values, too)."""
    spaced = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} or ch in _BIDI else ch for ch in value
    )
    return " ".join(spaced.split())


def _invisible(text: str) -> bool:
    """Nothing a reader would see: only blanks and format characters (zero-width space, joiners)."""
    return all(unicodedata.category(ch) in {"Cf", "Zs", "Mn", "Me"} or ch.isspace() for ch in text)


def clean_line(value: object, *, limit: int, what: str) -> str:
    """A subject or title: one line, not empty, at most ``limit`` characters."""
    if not isinstance(value, str) or _invisible(text := one_line(value)):
        raise InvalidInput(f"The {what} is empty.", code=f"empty_{what}")
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} is longer than {limit:,} characters.", code=f"{what}_too_long", limit=limit
        )
    return text


def clean_name(value: object, *, what: str = "name") -> str:
    """A person's or a service's name: refused, not repaired, when it hides or reorders text."""
    if isinstance(value, str) and any(
        unicodedata.category(ch) in {"Cc", "Zl", "Zp"} or ch in _BIDI for ch in value
    ):
        raise InvalidInput(
            f"The {what} holds a control character or a bidirectional override.",
            code=f"invalid_{what}",
            field=what,
        )
    try:
        return clean_line(value, limit=MAX_NAME, what=what)
    except InvalidInput as refused:
        refused.details.setdefault("field", what)
        raise
