"""The ``/convene invite`` modal: the inbox dialog's fields as Slack blocks, its live slot count, and
reading a submitted or changed view back into the fields of an ``InvitationDraft``. Pure functions.

Every block id is the name of the draft field it fills, so an engine refusal (``code`` + ``field``)
lands on the block it is about. Inputs that change the slot count dispatch their action
(``INVITE_CHANGED``), and the handler answers with ``views.update`` and the new count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adapters.slack.blocks import esc, input_block, plain

INVITE_VIEW = "invite_modal"
INVITE_CHANGED = "invite_changed"  # every dispatching input: a change refreshes the count
INVITE_SEND = "invite_send_email"  # the result's "Send by email" button
INVITE_RESULT_VIEW = "invite_result"
DURATIONS = (15, 30, 45, 60, 90, 120)
MAX_OPTIONS = 100
EMAIL, COPY = "email", "copy"
PRIVATE = "private"  # the description_private checkbox's value
# The "Confirmation" checkboxes (both ticked at first) and the customer page's time zone mode.
ADD_TO_CALENDAR, SEND_CONFIRMATION = "add_to_calendar", "send_confirmation"
ZONE_MODES = (
    ("customer", "The customer's own time zone (detected)"),
    ("fixed", "Fixed: the invitation's time zone"),
)
MEETING_TYPES = (("video", "Video"), ("phone", "Phone"), ("in_person", "In person"))
MAX_TEXT = 3000  # Slack's longest plain_text_input (the engine allows more; the API and inbox take it)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text[:75]), "value": value[:150]}


def _text(
    action_id: str, value: str, *, dispatch: bool = False, multiline: bool = False, max_length: int = 0
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "initial_value": value}
    if multiline:
        element["multiline"] = True
    if max_length:
        element["max_length"] = max_length
    if dispatch:
        element["dispatch_action_config"] = {"trigger_actions_on": ["on_enter_pressed"]}
    return element


def count_text(count: int | None, busy: Sequence[str] = (), problem: str | None = None) -> str:
    """What the count line says: the number of free times, who has none, or what to fix first."""
    if problem:
        return f":warning: {problem}"
    if count is None:
        return "_Counting free times…_"
    if count:
        return f"*{count} free time{'s' if count != 1 else ''}* in this time frame."
    if busy:
        return f"*No free time:* {esc(', '.join(busy))} {'has' if len(busy) == 1 else 'have'} no free time in this frame."
    return "*No free time:* the team is never free all at once in this frame."


def invite_modal(
    meta: dict[str, Any],
    *,
    organizer_user: str,
    timezone: str,
    today: date,
    rooms: Sequence[tuple[str, str]],
    count: str,
    free: Sequence[datetime] = (),
    pools: Sequence[str] = (),
) -> dict[str, Any]:
    """``rooms``: (id, name); ``pools``: the resource pools' names; ``free``: the slots found so far,
    offered for promoting."""
    dispatch = {"action_id": INVITE_CHANGED}
    blocks: list[dict[str, Any]] = [
        input_block("guest_name", "Customer name", _text("guest_name", "")),
        input_block("guest_email", "Customer email", _text("guest_email", "")),
        input_block("subject", "Subject", _text("subject", "")),
        input_block(
            "duration",
            "Duration",
            {
                **dispatch,
                "type": "static_select",
                "options": [_option(f"{d} min", str(d)) for d in DURATIONS],
                "initial_option": _option("30 min", "30"),
            },
            dispatch=True,
        ),
        input_block(
            "members",
            "Team members (all attend)",
            {**dispatch, "type": "multi_users_select", "initial_users": [organizer_user]},
            dispatch=True,
        ),
    ]
    if rooms:
        blocks.append(
            input_block(
                "rooms",
                "Rooms (each must be free)",
                {
                    **dispatch,
                    "type": "multi_static_select",
                    "options": [_option(n, i) for i, n in rooms][:MAX_OPTIONS],
                },
                dispatch=True,
                optional=True,
            )
        )
    if pools:
        element = {
            **dispatch,
            "type": "multi_static_select",
            "options": [_option(p, p) for p in pools][:MAX_OPTIONS],
        }
        blocks.append(
            input_block("pools", "Resource pools (any one free room)", element, dispatch=True, optional=True)
        )
    blocks += details_blocks()
    blocks += [
        input_block(
            "start_date",
            "From",
            {**dispatch, "type": "datepicker", "initial_date": today.isoformat()},
            dispatch=True,
        ),
        input_block(
            "end_date",
            "Until",
            {**dispatch, "type": "datepicker", "initial_date": (today + timedelta(days=7)).isoformat()},
            dispatch=True,
        ),
        input_block(
            "day_start",
            "Daily from",
            {**dispatch, "type": "timepicker", "initial_time": "09:00"},
            dispatch=True,
        ),
        input_block(
            "day_end",
            "Daily until",
            {**dispatch, "type": "timepicker", "initial_time": "17:00"},
            dispatch=True,
        ),
        input_block("timezone", "Time zone", _text(INVITE_CHANGED, timezone, dispatch=True), dispatch=True),
        {"type": "section", "block_id": "count", "text": {"type": "mrkdwn", "text": count}},
        input_block(
            "send_email",
            "Delivery",
            {
                "type": "radio_buttons",
                "action_id": "send_email",
                "options": [
                    _option("Send by email", EMAIL),
                    _option("Copy links and send them yourself", COPY),
                ],
                "initial_option": _option("Send by email", EMAIL),
            },
        ),
    ]
    if free:
        zone = ZoneInfo(timezone)
        options = [_option(f"{s.astimezone(zone):%a %d %b %H:%M}", s.isoformat()) for s in free[:MAX_OPTIONS]]
        element = {
            "type": "multi_static_select",
            "action_id": "promoted",
            "options": options,
            "max_selected_items": 10,
        }
        blocks.append(input_block("promoted", "Promote specific times (optional)", element, optional=True))
    return {
        "type": "modal",
        "callback_id": INVITE_VIEW,
        "title": plain("Invite to schedule"),
        "submit": plain("Invite"),
        "close": plain("Close"),
        "private_metadata": json.dumps(meta, separators=(",", ":")),
        "blocks": blocks,
    }


def details_blocks() -> list[dict[str, Any]]:
    """What the meeting is about: its type, where, how to join, a description the customer may not
    see, and the customer's zone (the invitation's times are shown in it). None of it changes the
    count, so none of it dispatches."""
    kinds = [_option(label, value) for value, label in MEETING_TYPES]
    private = _option("Keep the description out of what the customer sees", PRIVATE)
    return [
        input_block(
            "meeting_type",
            "Meeting type",
            {
                "type": "static_select",
                "action_id": "meeting_type",
                "options": kinds,
                "initial_option": kinds[0],
            },
        ),
        input_block("location", "Location", _text("location", "", max_length=MAX_TEXT), optional=True),
        input_block(
            "conferencing",
            "Conferencing (a video link or dial-in)",
            _text("conferencing", "", multiline=True, max_length=MAX_TEXT),
            optional=True,
        ),
        input_block(
            "description",
            "Description (in every member's email and the calendar event)",
            _text("description", "", multiline=True, max_length=MAX_TEXT),
            optional=True,
        ),
        input_block(
            "description_private",
            "Description privacy",
            {"type": "checkboxes", "action_id": "description_private", "options": [private]},
            optional=True,
        ),
        input_block(
            "guest_timezone",
            "Customer's time zone, if you know it (e.g. America/New_York)",
            _text("guest_timezone", "", max_length=64),
            optional=True,
        ),
        *options_blocks(),
    ]


def options_blocks() -> list[dict[str, Any]]:
    """Confirmation (both on) and the advanced time zone mode. "Add to calendar event" is also the
    advanced "customer on the calendar event" setting (and so sees its description): one checkbox."""
    confirmation = [
        _option("Add to calendar event (the customer is an attendee)", ADD_TO_CALENDAR),
        _option("Send confirmation email (with an .ics) to the customer", SEND_CONFIRMATION),
    ]
    modes = [_option(label, value) for value, label in ZONE_MODES]
    return [
        input_block(
            "confirmation",
            "Confirmation",
            {
                "type": "checkboxes",
                "action_id": "confirmation",
                "options": confirmation,
                "initial_options": confirmation,
            },
            optional=True,
        ),
        input_block(
            "timezone_mode",
            "Advanced: times on the customer's page",
            {
                "type": "radio_buttons",
                "action_id": "timezone_mode",
                "options": modes,
                "initial_option": modes[0],
            },
        ),
    ]


def fields_of(view: dict[str, Any]) -> dict[str, Any]:
    """The view's current values by block id: text, the chosen value(s), dates and times as typed."""
    found: dict[str, Any] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for state in actions.values():
            kind = state.get("type")
            if kind == "multi_users_select":
                found[block_id] = list(state.get("selected_users") or [])
            elif kind in ("multi_static_select", "checkboxes"):
                found[block_id] = [o["value"] for o in state.get("selected_options") or []]
            elif kind == "datepicker":
                found[block_id] = state.get("selected_date")
            elif kind == "timepicker":
                found[block_id] = state.get("selected_time")
            elif state.get("selected_option"):
                found[block_id] = state["selected_option"]["value"]
            else:
                found[block_id] = state.get("value")
    return found


def result_view(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The modal once the invitation exists: the same links, where they are sure to be seen."""
    return {
        "type": "modal",
        "callback_id": INVITE_RESULT_VIEW,
        "title": plain("Invitation created"),
        "close": plain("Done"),
        "blocks": blocks,
    }


def result_blocks(
    subject: str, guest: str, lines: Sequence[str], sent: bool, invitation_id: str
) -> list[dict[str, Any]]:
    """The links, ready to paste (one code block), and the choice to send them by email instead."""
    head = f"Invitation *{esc(subject)}* for {esc(guest)} " + (
        "sent by email." if sent else "created: send these links yourself."
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "```" + "\n".join(lines) + "```"}},
    ]
    if not sent:
        button = {
            "type": "button",
            "action_id": INVITE_SEND,
            "text": plain("Send by email"),
            "value": invitation_id,
        }
        blocks.append({"type": "actions", "block_id": "invite_result", "elements": [button]})
    return blocks
