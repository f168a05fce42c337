"""Block Kit: the root card, thread lines, ephemeral lists. Pure functions from values to JSON.

Everything people typed is escaped (``&``, ``<``, ``>``), so a guest cannot mention ``@channel`` or
forge a link in an agent's workspace."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.links import inbox_link
from bot.meetings.model import Meeting

MAX_PREVIEW = 300

# action ids: the listeners and the tests speak these names
ASSIGN_TO_ME = "assign_to_me"
ASSIGN_OPEN = "assign_open"
SCHEDULE = "meeting_schedule"
RESCHEDULE = "meeting_reschedule"
CHANGE_DURATION = "meeting_duration"
CANCEL = "meeting_cancel"
OPEN_INBOX = "open_inbox"
RESOLVE = "conversation_resolve"
REOPEN = "conversation_reopen"


def esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def preview(text: str, limit: int = MAX_PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150] or " ", "emoji": True}


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, dispatch: bool = False, optional: bool = False
) -> dict[str, Any]:
    """A modal's input: its label, its element, and whether changing it tells the app (``dispatch``)."""
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if dispatch:
        block["dispatch_action"] = True
    if optional:
        block["optional"] = True
    return block


def button(
    text: str, action_id: str, value: str, *, style: str | None = None, **extra: Any
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    element.update(extra)
    return element


def when(start: datetime, tz: str) -> str:
    local = start.astimezone(ZoneInfo(tz))
    return f"{local:%a %d %b %H:%M} ({tz})"


def root_card(card: dict[str, Any], public_url: str) -> tuple[str, list[dict[str, Any]]]:
    """``card`` is the state kept on the thread binding: guest, email, service, assignee, last, meeting."""
    cid = card["conversation_id"]
    guest = esc(card.get("guest") or "Guest")
    email = f" · {esc(card['email'])}" if card.get("email") else ""
    meeting = card.get("meeting")
    next_meeting = "—"
    if meeting:
        next_meeting = f"{esc(meeting['when'])}, {meeting['duration']} min"
    fields = [
        {"type": "mrkdwn", "text": f"*Service*\n{esc(card.get('service') or '—')}"},
        {"type": "mrkdwn", "text": f"*Assignee*\n{esc(card.get('assignee') or 'Unassigned')}"},
        {"type": "mrkdwn", "text": f"*Next meeting*\n{next_meeting}"},
        {"type": "mrkdwn", "text": f"*Status*\n{esc(status_text(card))}"},
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{guest}*{email}"}},
        {"type": "section", "fields": fields},
    ]
    if card.get("last"):
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"> {esc(preview(card['last']))}"}]}
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": f"card:{cid}",
            "elements": [
                button("Assign to me", ASSIGN_TO_ME, cid, style="primary"),
                button("Assign…", ASSIGN_OPEN, cid),
                button("Schedule meeting", SCHEDULE, cid),
                status_button(card, cid),
                button("Open in inbox", OPEN_INBOX, cid, url=inbox_link(public_url, cid)),
                *(meeting_buttons(str(meeting["id"])) if meeting and meeting.get("id") else []),
            ],
        }
    )
    fallback = f"{card.get('guest') or 'Guest'} · {card.get('service') or '—'} · {card.get('assignee') or 'Unassigned'}"
    return fallback, blocks


def status_text(card: dict[str, Any]) -> str:
    """The card's status (bot/status): open, resolved, or snoozed until a time in the snoozer's zone."""
    status = card.get("status") or "open"
    if status == "snoozed":
        return f"Snoozed until {card['snoozed_until']}" if card.get("snoozed_until") else "Snoozed"
    return "Resolved" if status == "resolved" else "Open"


def status_button(card: dict[str, Any], cid: str) -> dict[str, Any]:
    """Resolve while it is open; Reopen once it is resolved or snoozed."""
    if (card.get("status") or "open") == "open":
        return button("Resolve", RESOLVE, cid)
    return button("Reopen", REOPEN, cid)


def thread_line(author_kind: str, author_name: str, text: str, *, internal: bool, via: str = "") -> str:
    if author_kind == "system":
        return f"_{esc(text)}_"
    who = f"*{esc(author_name)}*{f' ({via})' if via else ''}"
    if internal:
        return f":lock: Internal note — {who}: {esc(text)}"
    return f"{who}: {esc(text)}"


def inbox_blocks(rows: Sequence[Any], public_url: str) -> list[dict[str, Any]]:
    if not rows:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "No open conversations for you."}}]
    blocks: list[dict[str, Any]] = []
    for row in rows[:15]:  # Slack allows 50 blocks per message
        cid = row.conversation.id
        unread = f" · {row.unread} unread" if row.unread else ""
        last = f"\n> {esc(preview(row.last_text, 150))}" if row.last_text else ""
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{esc(row.guest_name)}* · `{cid}`{unread}{last}"},
            }
        )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Assign to me", ASSIGN_TO_ME, cid),
                    button("Open in inbox", OPEN_INBOX, cid, url=inbox_link(public_url, cid)),
                ],
            }
        )
    return blocks


def meetings_blocks(meetings: Sequence[Meeting], tz: str) -> list[dict[str, Any]]:
    if not meetings:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "No upcoming meetings."}}]
    blocks: list[dict[str, Any]] = []
    for meeting in meetings[:15]:
        mid = str(meeting.id)
        subject = esc(meeting.subject or "Meeting")
        line = f"*{subject}* · {when(meeting.start, tz)} · {meeting.duration} min"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line}})
        blocks.append({"type": "actions", "elements": meeting_buttons(mid)})
    return blocks


def meeting_buttons(meeting_id: str) -> list[dict[str, Any]]:
    return [
        button("Reschedule", RESCHEDULE, meeting_id),
        button("Change duration", CHANGE_DURATION, meeting_id),
        button("Cancel meeting", CANCEL, meeting_id, style="danger", confirm=cancel_confirm()),
    ]


def cancel_confirm() -> dict[str, Any]:
    return {
        "title": plain("Cancel this meeting?"),
        "text": {"type": "mrkdwn", "text": "The guest is told and the calendar event is removed."},
        "confirm": plain("Cancel meeting"),
        "deny": plain("Keep it"),
        "style": "danger",
    }


def metadata(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))


def direct_notice(
    headline: str, text: str, conversation_id: str, message_id: str, public_url: str
) -> tuple[str, list[dict[str, Any]]]:
    """A direct message to one agent (bot.notices): what happened, what was written, a way in."""
    body = f"*{esc(headline)}*" + (f"\n> {esc(preview(text))}" if text else "")
    link = inbox_link(public_url, conversation_id, message_id or None)
    return headline, [
        {"type": "section", "text": {"type": "mrkdwn", "text": body}},
        {"type": "actions", "elements": [button("Open in inbox", OPEN_INBOX, conversation_id, url=link)]},
    ]
