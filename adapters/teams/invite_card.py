"""The invitation form as an Adaptive Card (``invite`` in Teams) and the card with its links. Pure.

The inbox dialog's fields as ``Input.Text`` / ``Input.Date`` / ``Input.Time`` / ``Input.ChoiceSet``, each
input's id the name of the draft field it fills. Cards cannot follow a field as it changes, so the
count of free times is shown for what the card was built with, and "Count free times" counts again
with the values as they are now (the same engine code as the inbox's live count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.teams.cards import button, card, choice_set, error_line, plain

DURATIONS = (15, 30, 45, 60, 90, 120)
EMAIL, COPY = "email", "copy"
MEETING_TYPES = (("video", "Video"), ("phone", "Phone"), ("in_person", "In person"))
MAX_TEXT = 5000  # the engine's longest description, conferencing or location
ZONE_MODES = (
    ("customer", "The customer's own time zone (detected)"),
    ("fixed", "Fixed: the invitation's time zone"),
)


def _text(input_id: str, label: str, value: str, *, max_length: int = 300) -> dict[str, Any]:
    return {"type": "Input.Text", "id": input_id, "label": label, "value": value, "maxLength": max_length}


def _toggle(input_id: str, title: str, value: str) -> dict[str, Any]:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "true" if value == "true" else "false",
        "valueOn": "true",
        "valueOff": "false",
    }


def details(values: Mapping[str, str], pools: Sequence[str]) -> list[dict[str, Any]]:
    """Pools, and what the meeting is about: its type, where, how to join, a description the customer
    may not see, and the customer's zone (the invitation's times are shown in it)."""
    found: list[dict[str, Any]] = []
    if pools:
        found.append(
            _many(
                "pools",
                "Resource pools (any one free room)",
                [(p, p) for p in pools],
                values.get("pools", ""),
            )
        )
    found += [
        choice_set("meeting_type", "Meeting type", MEETING_TYPES, values.get("meeting_type") or "video"),
        _text("location", "Location", values.get("location", ""), max_length=MAX_TEXT),
        _text(
            "conferencing",
            "Conferencing (a video link or dial-in)",
            values.get("conferencing", ""),
            max_length=MAX_TEXT,
        ),
        {
            **_text(
                "description",
                "Description (in every member's email and the calendar event)",
                values.get("description", ""),
                max_length=MAX_TEXT,
            ),
            "isMultiline": True,
        },
        _toggle(
            "description_private",
            "Keep the description out of what the customer sees",
            values.get("description_private", "false"),
        ),
        _text(
            "guest_timezone",
            "Customer's time zone, if you know it (e.g. America/New_York)",
            values.get("guest_timezone", ""),
            max_length=64,
        ),
        *options(values),
    ]
    return found


def options(values: Mapping[str, str]) -> list[dict[str, Any]]:
    """Confirmation (both on unless the card was sent with them off) and the advanced time zone mode.
    "Add to calendar event" is also the advanced "customer on the calendar event" setting: one toggle."""
    return [
        plain("Confirmation", weight="bolder"),
        _toggle(
            "add_to_calendar",
            "Add to calendar event (the customer is an attendee)",
            values.get("add_to_calendar", "true"),
        ),
        _toggle(
            "send_confirmation",
            "Send confirmation email (with an .ics) to the customer",
            values.get("send_confirmation", "true"),
        ),
        plain("Advanced", weight="bolder"),
        choice_set(
            "timezone_mode",
            "Times on the customer's page",
            ZONE_MODES,
            values.get("timezone_mode") or "customer",
        ),
    ]


def _many(input_id: str, label: str, choices: Sequence[tuple[str, str]], value: str) -> dict[str, Any]:
    element = choice_set(input_id, label, choices, value)
    element["isMultiSelect"] = True
    return element


def invite_form(
    values: Mapping[str, str],
    *,
    agents: Sequence[tuple[str, str]],
    rooms: Sequence[tuple[str, str]],
    count: str,
    free: Sequence[tuple[str, str]] = (),
    error: str | None = None,
    field: str | None = None,
    pools: Sequence[str] = (),
) -> dict[str, Any]:
    """``values``: every field as the card shows it (multi-selects comma-joined); ``agents`` and
    ``rooms``: (value, title); ``pools``: names; ``free``: (ISO start, label) of the free times,
    offered to promote. ``error`` shows under the input ``field`` when the card has it, else at the end."""
    body: list[dict[str, Any]] = [
        plain("Invite a customer to pick a time", weight="bolder"),
        _text("guest_name", "Customer name", values.get("guest_name", ""), max_length=200),
        _text("guest_email", "Customer email", values.get("guest_email", ""), max_length=320),
        _text("subject", "Subject", values.get("subject", "")),
        choice_set(
            "duration", "Duration", [(str(d), f"{d} minutes") for d in DURATIONS], values.get("duration")
        ),
        _many("members", "Team members (all attend)", agents, values.get("members", "")),
    ]
    if rooms:
        body.append(_many("rooms", "Rooms (each must be free)", rooms, values.get("rooms", "")))
    body += details(values, pools)
    body += [
        {"type": "Input.Date", "id": "start_date", "label": "From", "value": values.get("start_date", "")},
        {"type": "Input.Date", "id": "end_date", "label": "Until", "value": values.get("end_date", "")},
        {
            "type": "Input.Time",
            "id": "day_start",
            "label": "Daily from",
            "value": values.get("day_start", ""),
        },
        {"type": "Input.Time", "id": "day_end", "label": "Daily until", "value": values.get("day_end", "")},
        _text("timezone", "Time zone", values.get("timezone", ""), max_length=64),
        plain(count, weight="bolder"),
        choice_set(
            "send_email",
            "Delivery",
            [(EMAIL, "Send by email"), (COPY, "Copy links and send them yourself")],
            values.get("send_email") or EMAIL,
        ),
    ]
    if free:
        body.append(
            _many("promoted", "Promote specific times (up to 10, optional)", free, values.get("promoted", ""))
        )
    at = next((i for i, e in enumerate(body) if field and e.get("id") == field), None)
    if at is None:
        body += error_line(error)
    else:
        body[at + 1 : at + 1] = error_line(error)
    return card(body, [button("Invite", "invite"), button("Count free times", "invite_form")])


def count_text(count: int | None, busy: Sequence[str] = (), problem: str | None = None) -> str:
    if problem:
        return problem
    if not count:
        who = ", ".join(busy)
        return (
            f"No free time: {who} {'has' if len(busy) == 1 else 'have'} no free time in this frame."
            if busy
            else ("No free time: the team is never free all at once in this frame.")
        )
    return f"{count} free time{'s' if count != 1 else ''} in this time frame."


def result_card(head: str, lines: Sequence[str], *, invitation_id: str, sent: bool) -> dict[str, Any]:
    """The links, one per line as plain text (ready to select and copy), and "Send by email"."""
    body = [plain(head, weight="bolder"), *(plain(line) for line in lines)]
    actions = [] if sent else [button("Send by email", "invite_send", invitation_id=invitation_id)]
    return card(body, actions)
