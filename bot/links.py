"""The one form of a link into the agent inbox, built here for every channel (mail, Slack, Teams,
calendar events) so they all open the same page: ``/inbox/c/{conversation}`` and, pointing at one
message, ``/inbox/c/{conversation}/m/{message}``. The inbox page still opens the older forms
(``/inbox#c=…``, ``/inbox#…``, ``/inbox#conversation=…``) that earlier mails carry."""

from __future__ import annotations

import re
from urllib.parse import quote

# A path the inbox may go to after signing in: only a deep link, never another site or page.
_DEEP_PATH = re.compile(r"^/inbox/c/[A-Za-z0-9-]{1,64}(/m/[A-Za-z0-9-]{1,64})?$")


def inbox_path(conversation_id: str, message_id: str | None = None) -> str:
    path = f"/inbox/c/{quote(str(conversation_id), safe='')}"
    if message_id:
        path += f"/m/{quote(str(message_id), safe='')}"
    return path


def inbox_link(base_url: str, conversation_id: str, message_id: str | None = None) -> str:
    """The absolute deep link an agent follows from any channel."""
    return f"{str(base_url or '').rstrip('/')}{inbox_path(conversation_id, message_id)}"


def is_deep_path(path: object) -> bool:
    """Whether ``path`` is a deep link into the inbox (where a sign-in may lead)."""
    return isinstance(path, str) and _DEEP_PATH.match(path) is not None
