"""Every link a mail puts in front of a person, in one place, so each one can be checked to open the right
thing on any device: an agent's inbox on the conversation, a guest's own conversation page (``/c/{id}``,
which also lets a browser that is not signed in continue with a one-time link), a meeting's page.

No guest link points at the demo site: ``/`` is a sample shop, and a guest sent there sees an empty widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.email_digest import unsubscribe_signature
from bot.links import inbox_link, is_deep_path


def base_url(config: dict[str, Any]) -> str:
    return str(config.get("public_url") or "").rstrip("/")


def conversation_link(config: dict[str, Any], conversation_id: str, member_kind: str) -> str:
    """Agents open the inbox; guests the conversation's own page, where a signed-in guest reads and
    answers it (and one on another device continues with their email: adapters/web/returning_api)."""
    if member_kind == "agent":
        return inbox_link(base_url(config), conversation_id)
    return f"{base_url(config)}/c/{conversation_id}"


@dataclass(frozen=True)
class MeetingLinks:
    manage: str  # where the reader sees the meeting and can move or cancel it
    manage_label: str
    conversation: str  # the meeting's conversation


def meeting_links(
    config: dict[str, Any],
    *,
    meeting_id: str,
    conversation_id: str,
    reader_kind: str,
    manage_link: str | None = None,
) -> MeetingLinks:
    """The links of a meeting mail. A guest with a signed manage link (``/booked/{token}``, issued per
    mail by bot.meetings.manage_links) reschedules or cancels there; otherwise a guest manages a meeting
    in its conversation (``/c/{id}``, the widget's meetings), an agent in the inbox."""
    conversation = conversation_link(config, conversation_id, reader_kind)
    if manage_link:
        return MeetingLinks(
            manage=manage_link, manage_label="Reschedule or cancel", conversation=conversation
        )
    return MeetingLinks(
        manage=conversation, manage_label="View or change the meeting", conversation=conversation
    )


def login_link(config: dict[str, Any], token: str, next_path: str | None = None) -> str:
    """A one-time sign-in link; ``next_path``: the inbox deep link to land on (bot.links)."""
    link = f"{base_url(config)}/inbox/login?token={token}"
    if is_deep_path(next_path):  # back to the conversation the agent was asked to sign in for
        link += f"&{urlencode({'next': next_path})}"
    return link


def proof_link(config: dict[str, Any], token: str, conversation: str = "") -> str:
    """A one-time link that proves an address: on the conversation's page when there is one (it signs
    the browser in and shows that conversation), else on the guest page of the site."""
    page = f"/c/{conversation}" if conversation else "/"
    return f"{base_url(config)}{page}?email_link={token}"


def unsubscribe_link(config: dict[str, Any], kind: str, person_id: str) -> str:
    """The signed link that turns unread-message emails off for one person (adapters/web/unsubscribe)."""
    signature = unsubscribe_signature(str(config.get("secret_key") or ""), kind, person_id)
    return f"{base_url(config)}/unsubscribe/unread?{urlencode({'kind': kind, 'id': person_id, 'sig': signature})}"
