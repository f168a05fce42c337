"""Modals (``views.open`` / ``views.update``) and reading their submitted state. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from adapters.slack.blocks import input_block, plain

ASSIGN_VIEW = "assign_modal"
MEETING_VIEW = "meeting_modal"
DURATION_VIEW = "duration_modal"
SETTINGS_VIEW = "settings_modal"

ASSIGN_SERVICE = "assign_service"  # dispatch_action: picking a service refreshes the assignee list
ASSIGN_ASSIGNEE = "assign_assignee"
MEETING_DURATION = "meeting_duration_select"  # dispatch_action: picking a duration refreshes the slots
MEETING_SLOT = "meeting_slot"
MEETING_SUBJECT = "meeting_subject"
WHOLE_SERVICE = "*"
MAX_OPTIONS = 100  # Slack's limit for a static select
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class NextView:
    """A submission's answer that replaces the modal (``response_action: update``) instead of closing it."""

    view: dict[str, Any]


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text[:75]), "value": value[:150]}


def _select(
    action_id: str, options: list[dict[str, Any]], selected: str | None, placeholder: str
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder),
    }
    element["options"] = options or [option("(none)", "-")]
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _view(
    callback_id: str, title: str, meta: dict[str, Any], blocks: list[dict[str, Any]], submit: str
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "submit": plain(submit),
        "close": plain("Close"),
        "private_metadata": json.dumps(meta, separators=(",", ":")),
        "blocks": blocks,
    }


def assign_modal(
    meta: dict[str, Any],
    services: Sequence[tuple[str, str]],
    service: str | None,
    members: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """``services`` and ``members`` are (slug, name) pairs; members belong to the chosen service."""
    service_options = [option(name, slug) for slug, name in services]
    assignee_options = [option("The whole service", WHOLE_SERVICE)] + [option(n, s) for s, n in members]
    blocks = [
        input_block(
            "service",
            "Service",
            _select(ASSIGN_SERVICE, service_options, service, "Choose a service"),
            dispatch=True,
        ),
        # The block id carries the service, so Slack does not keep a stale choice from another service.
        input_block(
            f"assignee:{service or ''}",
            "Assignee",
            _select(ASSIGN_ASSIGNEE, assignee_options, WHOLE_SERVICE, "Choose someone"),
        ),
    ]
    return _view(ASSIGN_VIEW, "Assign conversation", {**meta, "service": service}, blocks, "Assign")


def meeting_modal(
    meta: dict[str, Any],
    *,
    title: str,
    durations: Sequence[int],
    duration: int,
    slots: Sequence[datetime],
    tz: str,
    window: tuple[date, date],
    subject: str | None,
) -> dict[str, Any]:
    """``subject`` None: a reschedule (no subject to ask); otherwise the engine's default subject,
    pre-filled (left empty, the engine fills it in again)."""
    zone = ZoneInfo(tz)
    slot_options = [
        option(f"{s.astimezone(zone):%a %d %b %H:%M}", s.isoformat()) for s in list(slots)[:MAX_OPTIONS]
    ]
    first, last = window
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "block_id": "window",
            "elements": [
                {"type": "mrkdwn", "text": f"Times in {tz}, {first:%a %d %b %Y} to {last:%a %d %b %Y}."}
            ],
        },
        input_block(
            "duration",
            "Duration",
            _select(
                MEETING_DURATION, [option(f"{d} min", str(d)) for d in durations], str(duration), "Duration"
            ),
            dispatch=True,
        ),
    ]
    if slot_options:
        blocks.append(
            input_block(
                f"slot:{duration}",
                f"Free slots ({tz})",
                _select(MEETING_SLOT, slot_options, None, "Pick a time"),
            )
        )
    else:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"No free slots until {last:%a %d %b}."}}
        )
    if subject is not None:
        element = {
            "type": "plain_text_input",
            "action_id": MEETING_SUBJECT,
            "max_length": 200,
            "initial_value": subject,
        }
        blocks.append(input_block("subject", "Subject", element, optional=True))
    return _view(MEETING_VIEW, title, {**meta, "tz": tz}, blocks, "Reschedule" if subject is None else "Book")


def duration_modal(meta: dict[str, Any], durations: Sequence[int], current: int | None) -> dict[str, Any]:
    options = [option(f"{d} min", str(d)) for d in durations]
    blocks = [
        input_block("duration", "New duration", _select(MEETING_DURATION, options, str(current), "Duration"))
    ]
    return _view(DURATION_VIEW, "Change duration", meta, blocks, "Change")


def settings_modal(meta: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A few plain fields; the engine validates them (``UpdateAgentSettings``) and explains refusals."""
    hours = settings.get("working_hours") or {}
    days = [d for d in WEEKDAYS if hours.get(d)]
    first = next((hours[d][0] for d in days), ["09:00", "17:00"])
    lunch = settings.get("lunch_break")
    durations = ", ".join(str(d) for d in settings.get("durations") or [30])

    def text(block_id: str, label: str, value: str, *, optional: bool = False) -> dict[str, Any]:
        element = {"type": "plain_text_input", "action_id": block_id, "initial_value": value}
        return input_block(block_id, label, element, optional=optional)

    day_options = [option(d.capitalize(), d) for d in WEEKDAYS]
    day_element: dict[str, Any] = {"type": "checkboxes", "action_id": "days", "options": day_options}
    chosen = [o for o in day_options if o["value"] in days]
    if chosen:
        day_element["initial_options"] = chosen
    blocks = [
        text("timezone", "Time zone", str(settings.get("timezone") or "")),
        text("durations", "Meeting lengths (minutes, comma-separated)", durations),
        input_block("days", "Working days", day_element),
        text("hours", "Working hours", f"{first[0]}-{first[1]}"),
        text("lunch", "Lunch break (empty: none)", f"{lunch[0]}-{lunch[1]}" if lunch else "", optional=True),
        text(
            "buffer_before", "Break before meetings (0, 15 or 30 min)", str(settings.get("buffer_before", 0))
        ),
        text("buffer_after", "Break after meetings (0, 15 or 30 min)", str(settings.get("buffer_after", 0))),
    ]
    return _view(SETTINGS_VIEW, "My calendar settings", meta, blocks, "Save")


# -- reading a submitted view -------------------------------------------------------------------------


def meta_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def value(view: dict[str, Any], block_prefix: str, action_id: str) -> str | None:
    """The chosen or typed value of the block whose id is ``block_prefix`` or starts with ``block_prefix:``."""
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        if block_id != block_prefix and not block_id.startswith(block_prefix + ":"):
            continue
        state = actions.get(action_id) or {}
        if state.get("selected_option"):
            return str(state["selected_option"]["value"])
        if isinstance(state.get("value"), str):
            return state["value"]
    return None


def block_id(view: dict[str, Any], block_prefix: str) -> str:
    for block in view.get("blocks") or []:
        bid = block.get("block_id", "")
        if bid == block_prefix or bid.startswith(block_prefix + ":"):
            return str(bid)
    return block_prefix


def checked(view: dict[str, Any], block: str, action_id: str) -> list[str]:
    state = (((view.get("state") or {}).get("values") or {}).get(block) or {}).get(action_id) or {}
    return [str(o["value"]) for o in state.get("selected_options") or []]


def _range(raw: str) -> list[str]:
    start, _, end = raw.replace(" ", "").partition("-")
    return [start, end]


def settings_from(view: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Translation only: text fields into the settings mapping; no rule is checked here."""

    def number(raw: str | None) -> Any:
        raw = (raw or "").strip()
        return int(raw) if raw.isdigit() else raw

    hours = _range(value(view, "hours", "hours") or "")
    lunch_raw = (value(view, "lunch", "lunch") or "").strip()
    durations = [number(d) for d in (value(view, "durations", "durations") or "").split(",") if d.strip()]
    settings = dict(current)
    settings.update(
        {
            "timezone": (value(view, "timezone", "timezone") or "").strip(),
            "durations": durations,
            "working_hours": {d: [hours] for d in checked(view, "days", "days")},
            "lunch_break": _range(lunch_raw) if lunch_raw else None,
            "buffer_before": number(value(view, "buffer_before", "buffer_before")),
            "buffer_after": number(value(view, "buffer_after", "buffer_after")),
        }
    )
    if settings.get("default_duration") not in durations:
        settings.pop("default_duration", None)  # the engine picks the default among the new lengths
    return settings
