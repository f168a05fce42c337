"""Where a guest came from, recorded on their conversation when it starts: the website widget (and the
page it was embedded in), an agent's personal link (/chat or /book), an invitation to self-schedule,
the assistant (a calendar invitation), or an agent who started it. The contact panel shows it.

A page URL comes from the guest's browser, so it is only text to show: an http(s) URL, without its
fragment, at most ``MAX_URL`` characters (longer ones are cut, not refused: the guest did nothing wrong).
A page that is no web page (``about:srcdoc``, ``file:``) is not recorded; a value that is not text at
all is refused (400 ``invalid_page_url``).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from bot.errors import InvalidInput

WIDGET, PERSONAL_LINK, INVITATION = "widget", "personal_link", "invitation"
ASSISTANT, AGENT = "assistant", "agent"
KINDS = (WIDGET, PERSONAL_LINK, INVITATION, ASSISTANT, AGENT)
MAX_URL = 2000


def clean_page_url(value: object) -> str | None:
    """The page a guest's browser says it is on, fit to store and show; None when it is no web page."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(
            "The page_url is the address of a web page.", code="invalid_page_url", field="page_url"
        )
    if not value.strip():
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not text.isprintable():
        return None
    without_fragment = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, ""))
    return without_fragment[:MAX_URL]


def origin_of(service: str | None, agent: str | None) -> str:
    """A guest who writes to (or books with) a service came through the widget; to one agent, through
    that agent's personal link."""
    return WIDGET if service is not None or agent is None else PERSONAL_LINK
