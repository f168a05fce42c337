"""Adaptive Cards the bot shows. Pure functions from plain values to card JSON.

User-supplied text (guest names, messages, subjects) goes into ``TextRun`` elements, which Teams never
parses as markdown: it shows exactly as written. Buttons are ``Action.Execute`` (Universal Actions: the
refreshed card comes back in the invoke response) with an ``Action.Submit`` fallback for older clients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.4"

COMMANDS = [
    ("help", "What I can do"),
    ("inbox", "Your open conversations"),
    ("assign <conversation> <agent|service>", "Assign a conversation"),
    ("resolve [conversation]", "Resolve a conversation (in its thread: that one)"),
    ("reopen [conversation]", "Put a resolved or snoozed conversation back in the inbox"),
    ("meetings", "Your upcoming meetings"),
    ("link [start=dd.mm.yyyy] [end=dd.mm.yyyy] [subject=…]", "Your personal booking link"),
    ("settings", "Your calendar settings"),
    ("link-channel <service>", "Post this service's new conversations in this channel"),
    ("new <name> [emails…]", "A new conversation with these people"),
    ("invite", "Invite a customer to pick a time with your team"),
]


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "body": body,
    }
    if actions:
        result["actions"] = actions
    return result


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": content}


def plain(
    text: str, *, weight: str | None = None, size: str | None = None, color: str | None = None
) -> dict[str, Any]:
    """Text exactly as given (no markdown)."""
    run: dict[str, Any] = {"type": "TextRun", "text": text}
    if weight:
        run["weight"] = weight
    if size:
        run["size"] = size
    if color:
        run["color"] = color
    return {"type": "RichTextBlock", "inlines": [run]}


def facts(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    # FactSet values are plain text in Teams, like TextRun.
    return {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in pairs]}


def button(title: str, action: str, **data: Any) -> dict[str, Any]:
    payload = {"action": action, **data}
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": action,
        "data": payload,
        "fallback": {"type": "Action.Submit", "title": title, "data": payload},
    }


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def error_line(error: str | None) -> list[dict[str, Any]]:
    return [plain(error, color="attention", weight="bolder")] if error else []


@dataclass(frozen=True)
class ConversationView:
    conversation_id: str
    guest_name: str
    guest_email: str | None
    service_name: str
    assignee_name: str | None
    last_message: str | None
    inbox_url: str
    next_meeting: str | None = None
    meeting_id: str | None = None
    status: str = "open"  # open | snoozed | resolved (bot/status)
    snoozed_until: str | None = None  # for people, in the assignee's zone


def conversation_card(view: ConversationView, *, error: str | None = None) -> dict[str, Any]:
    cid = view.conversation_id
    pairs = [
        ("Guest", view.guest_name + (f" <{view.guest_email}>" if view.guest_email else "")),
        ("Service", view.service_name),
        ("Assignee", view.assignee_name or "nobody yet"),
    ]
    if view.next_meeting:
        pairs.append(("Next meeting", view.next_meeting))
    pairs.append(("Status", status_text(view)))
    body: list[dict[str, Any]] = [
        plain(f"Conversation with {view.guest_name}", weight="bolder", size="medium")
    ]
    body.append(facts(pairs))
    if view.last_message:
        body.append(plain(view.last_message))
    body += error_line(error)
    actions = [
        button("Assign to me", "assign_me", conversation_id=cid),
        button("Assign…", "assign_form", conversation_id=cid),
        button("Resolve", "resolve", conversation_id=cid)
        if view.status == "open"
        else button("Reopen", "reopen", conversation_id=cid),
    ]
    if view.meeting_id:
        actions.append(button("Reschedule", "schedule_form", conversation_id=cid, meeting_id=view.meeting_id))
        actions.append(
            button("Cancel meeting", "cancel_form", conversation_id=cid, meeting_id=view.meeting_id)
        )
    else:
        actions.append(button("Schedule meeting", "schedule_form", conversation_id=cid))
    actions.append(open_url("Open in inbox", view.inbox_url))
    return card(body, actions)


def status_text(view: ConversationView) -> str:
    if view.status == "snoozed":
        return f"Snoozed until {view.snoozed_until}" if view.snoozed_until else "Snoozed"
    return "Resolved" if view.status == "resolved" else "Open"


def help_card(intro: str | None = None) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if intro:
        body.append(plain(intro))
    body.append(plain("Mention me with one of these:", weight="bolder"))
    body.append(facts(COMMANDS))
    return card(body)


def text_card(text: str, *, error: bool = False) -> dict[str, Any]:
    return card([plain(text, color="attention" if error else None)])


def choice_set(
    input_id: str, label: str, choices: Sequence[tuple[str, str]], value: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "choices": [{"title": title, "value": val} for val, title in choices],
    }
    if value is not None:
        element["value"] = value
    return element


def assign_form(
    conversation_id: str,
    services: Sequence[tuple[str, str]],
    members: Sequence[tuple[str, str]],
    *,
    service: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    body = [
        plain("Assign this conversation", weight="bolder"),
        choice_set("service", "Service", services, service),
        choice_set("assignee", "Member", [("", "The whole service"), *members], ""),
        *error_line(error),
    ]
    return card(
        body,
        [
            button("Assign", "assign", conversation_id=conversation_id),
            button("Back", "show_card", conversation_id=conversation_id),
        ],
    )


def schedule_form(
    conversation_id: str,
    durations: Sequence[int],
    slots: Sequence[tuple[str, str]],
    *,
    timezone: str,
    window: tuple[date, date],
    meeting_id: str | None = None,
    duration: int | None = None,
    subject: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """``subject``: the engine's default subject, pre-filled when booking (empty: the engine's again)."""
    verb = "reschedule" if meeting_id else "book"
    title = "Reschedule the meeting" if meeting_id else "Schedule a meeting"
    data: dict[str, Any] = {"conversation_id": conversation_id}
    if meeting_id:
        data["meeting_id"] = meeting_id
    body = [
        plain(title, weight="bolder"),
        plain(f"Times in {timezone}, {window[0]:%a %d %b %Y} to {window[1]:%a %d %b %Y}."),
        choice_set(
            "duration",
            "Duration",
            [(str(d), f"{d} minutes") for d in durations],
            str(duration or durations[0]),
        ),
    ]
    if slots:
        body.append(choice_set("slot", "Free time", slots, slots[0][0]))
    else:
        body.append(plain(f"No free time until {window[1]:%a %d %b}."))
    if subject is not None and not meeting_id:
        body.append(
            {"type": "Input.Text", "id": "subject", "label": "Subject", "value": subject, "maxLength": 200}
        )
    body += error_line(error)
    actions = [button("Show times for this duration", "schedule_form", **data)]
    if slots:
        actions.insert(0, button(title.split(" ")[0], verb, **data))
    actions.append(button("Back", "show_card", conversation_id=conversation_id))
    return card(body, actions)


def cancel_form(
    conversation_id: str, meeting_id: str, when: str, *, error: str | None = None
) -> dict[str, Any]:
    return card(
        [plain(f"Cancel the meeting on {when}?", weight="bolder"), *error_line(error)],
        [
            button("Yes, cancel it", "cancel", conversation_id=conversation_id, meeting_id=meeting_id),
            button("No, keep it", "show_card", conversation_id=conversation_id),
        ],
    )


def inbox_card(rows: Sequence[tuple[str, str, str, int]], inbox_url: str) -> dict[str, Any]:
    """rows: (conversation id, guest name, last text, unread)."""
    if not rows:
        return card([plain("No open conversations assigned to you.")], [open_url("Open inbox", inbox_url)])
    body: list[dict[str, Any]] = [plain("Your conversations", weight="bolder")]
    for cid, guest, last, unread in rows:
        badge = f" ({unread} unread)" if unread else ""
        body.append(plain(f"{guest}{badge} · {cid[:8]}", weight="bolder"))
        if last:
            body.append(plain(last))
    return card(body, [open_url("Open inbox", inbox_url)])


def meetings_card(rows: Sequence[tuple[str, str, str, str | None]]) -> dict[str, Any]:
    """rows: (meeting id, when, who/subject, conversation id)."""
    if not rows:
        return card([plain("No upcoming meetings.")])
    body: list[dict[str, Any]] = [plain("Your upcoming meetings", weight="bolder")]
    for meeting_id, when, what, cid in rows:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [plain(f"{when} · {what}")],
            }
        )
        body.append(
            {
                "type": "ActionSet",
                "actions": [
                    button("Reschedule", "schedule_form", meeting_id=meeting_id, conversation_id=cid or ""),
                    button(
                        "Change duration", "duration_form", meeting_id=meeting_id, conversation_id=cid or ""
                    ),
                    button("Cancel", "cancel_form", meeting_id=meeting_id, conversation_id=cid or ""),
                ],
            }
        )
    return card(body)


def duration_form(
    meeting_id: str, durations: Sequence[int], current: int | None, *, error: str | None = None
) -> dict[str, Any]:
    return card(
        [
            plain("Change the meeting's duration", weight="bolder"),
            choice_set(
                "duration",
                "Duration",
                [(str(d), f"{d} minutes") for d in durations],
                str(current or durations[0]),
            ),
            *error_line(error),
        ],
        [button("Change", "change_duration", meeting_id=meeting_id)],
    )


def settings_card(values: dict[str, Any], *, error: str | None = None, saved: bool = False) -> dict[str, Any]:
    durations = ",".join(str(d) for d in values.get("durations", [30]))
    lunch = values.get("lunch_break") or ["", ""]
    body = [
        plain("Your calendar settings", weight="bolder"),
        {"type": "Input.Text", "id": "timezone", "label": "Time zone", "value": values.get("timezone", "")},
        {
            "type": "Input.Text",
            "id": "durations",
            "label": "Durations (minutes, comma-separated)",
            "value": durations,
        },
        choice_set(
            "buffer_before",
            "Break before meetings",
            [("0", "none"), ("15", "15 minutes"), ("30", "30 minutes")],
            str(values.get("buffer_before", 0)),
        ),
        choice_set(
            "buffer_after",
            "Break after meetings",
            [("0", "none"), ("15", "15 minutes"), ("30", "30 minutes")],
            str(values.get("buffer_after", 0)),
        ),
        {
            "type": "Input.Text",
            "id": "lunch_break",
            "label": "Lunch break (HH:MM-HH:MM, empty for none)",
            "value": "-".join(lunch) if lunch[0] else "",
        },
    ]
    if saved:
        body.append(plain("Saved.", color="good"))
    body += error_line(error)
    return card(body, [button("Save", "save_settings")])
