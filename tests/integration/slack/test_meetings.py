"""Meetings through Slack: the guest books → the thread hears of it; the agent reschedules, changes,
cancels and books from the thread with buttons and modals; the guest sees every notice."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.identity import NOT_AN_AGENT

from .conftest import SALES, SlackDriver
from .dialog import (
    Click,
    Expect,
    Scene,
    Step,
    card_text,
    guest_sees,
    guest_writes,
    link_sales,
    slack_root_ts,
    verify_dialog,
)

TUESDAY_10_BERLIN = "2026-11-24T09:00:00Z"  # the clock starts Monday 23 Nov 2026, 08:00 UTC


@pytest.fixture
async def taken(slack: SlackDriver) -> tuple[dict[str, str], str, str]:
    """Ann wrote to Sales and Alice took the conversation: (guest headers, conversation id, thread ts)."""
    await link_sales(slack)
    g, cid = await guest_writes(slack)
    await slack.settle()
    thread_ts = slack_root_ts(slack)
    await slack.click("UALICE", "assign_to_me", cid, message_ts=thread_ts)
    await slack.settle()
    return g, cid, thread_ts


async def guest_books(slack: SlackDriver, g: dict[str, str], cid: str, start: str = TUESDAY_10_BERLIN) -> str:
    """Ann books with Alice; the engine puts it in the conversation Alice took (cid: for the reader)."""
    r = await slack.client.post(
        "/api/guest/meetings",
        json={"agent": "alice", "start": start, "duration": 30, "subject": "Quote"},
        headers=g,
    )
    assert r.status == 201, await r.text()
    body = await r.json()
    return str(body.get("id") or body["meeting"]["id"])


def last_line(slack: SlackDriver, thread_ts: str) -> str:
    return slack.fake.thread(SALES, thread_ts)[-1]


async def test_guest_books_then_agent_reschedules_from_the_thread(slack: SlackDriver, taken: Any) -> None:
    g, cid, thread_ts = taken
    meeting_id = await guest_books(slack, g, cid)
    await slack.settle()
    assert last_line(slack, thread_ts).startswith(
        "_Meeting booked: Quote, Tue 24 Nov 2026 10:00–10:30 (Europe/Berlin)"
    )
    card = slack.fake.of("chat.update")[-1]["blocks"]
    assert "Tue 24 Nov 10:00 (Europe/Berlin), 30 min" in card_text(card)
    reschedule = next(
        e
        for b in card
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "meeting_reschedule"
    )
    assert reschedule["value"] == meeting_id

    # Reschedule on the card → a modal of Alice's free slots in her zone → pick one → submit.
    await slack.click("UALICE", "meeting_reschedule", meeting_id, message_ts=thread_ts)
    await slack.settle()
    view = slack.last_view()
    assert view["callback_id"] == "meeting_modal"
    slot_block = next(b for b in view["blocks"] if b["block_id"].startswith("slot:"))
    assert slot_block["label"]["text"] == "Free slots (Europe/Berlin)"
    labels = [o["text"]["text"] for o in slot_block["element"]["options"]]
    assert "Tue 24 Nov 10:00" not in labels  # her own meeting's time is not free
    assert "Tue 24 Nov 11:00" in labels
    new_start = next(
        o["value"] for o in slot_block["element"]["options"] if o["text"]["text"] == "Tue 24 Nov 11:00"
    )
    r = await slack.submit("UALICE", view, {"duration": "30", "slot": new_start})
    assert r.status == 200 and await r.text() == ""
    await slack.settle()

    notice = "Meeting rescheduled by Alice: Quote, now Tue 24 Nov 2026 11:00–11:30 (Europe/Berlin)"
    assert last_line(slack, thread_ts).startswith("_" + notice)
    assert any(t.startswith(notice) for _, _, t in await guest_sees(slack, g, cid))
    assert "Tue 24 Nov 11:00 (Europe/Berlin), 30 min" in card_text(slack.fake.of("chat.update")[-1]["blocks"])


async def test_cancel_asks_first_then_tells_everyone(slack: SlackDriver, taken: Any) -> None:
    g, cid, thread_ts = taken
    meeting_id = await guest_books(slack, g, cid)
    await slack.settle()
    await slack.command("UALICE", "meetings")
    await slack.settle()
    [listing] = [
        a for a in slack.fake.of("chat.postEphemeral") if a["text"].startswith("Your upcoming meetings")
    ]
    buttons = {e["action_id"]: e for b in listing["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert set(buttons) == {"meeting_reschedule", "meeting_duration", "meeting_cancel"}
    assert buttons["meeting_cancel"]["confirm"]["confirm"]["text"] == "Cancel meeting"  # Slack asks first

    await slack.click("UALICE", "meeting_cancel", meeting_id)
    await slack.settle()
    assert slack.fake.ephemerals("UALICE")[-1] == "Meeting cancelled; the guest has been told."
    assert last_line(slack, thread_ts).startswith("_Meeting cancelled by Alice: Quote")
    assert any(t.startswith("Meeting cancelled by Alice") for _, _, t in await guest_sees(slack, g, cid))
    card = slack.fake.of("chat.update")[-1]["blocks"]
    assert "*Next meeting*\n—" in card_text(card)
    assert "meeting_cancel" not in [
        e["action_id"] for b in card if b["type"] == "actions" for e in b["elements"]
    ]


async def test_agent_books_from_the_card_and_a_taken_slot_is_refused_in_the_modal(
    slack: SlackDriver, taken: Any
) -> None:
    g, cid, thread_ts = taken
    await slack.click("UALICE", "meeting_schedule", cid, message_ts=thread_ts)
    await slack.settle()
    view = slack.last_view()
    slot_block = next(b for b in view["blocks"] if b["block_id"].startswith("slot:"))
    first = slot_block["element"]["options"][0]["value"]
    r = await slack.submit("UALICE", view, {"duration": "30", "slot": first, "subject": "Demo"})
    assert await r.text() == ""
    await slack.settle()
    assert last_line(slack, thread_ts).startswith("_Meeting booked: Demo")

    # The same, now taken, slot from a modal opened before: the engine's refusal shows in the modal.
    r = await slack.submit("UALICE", view, {"duration": "30", "slot": first, "subject": "Demo again"})
    answer = await r.json()
    assert answer["response_action"] == "errors"
    [(block, message)] = answer["errors"].items()
    assert block.startswith("slot:") and message
    await slack.settle()
    assert sum("Demo again" in t for _, _, t in await guest_sees(slack, g, cid)) == 0


REFUSED = Expect(told=[NOT_AN_AGENT], calls=["users.info", "chat.postEphemeral"], guest_sees=None)


@pytest.mark.parametrize(
    "user, says, expect",
    [
        ("USTRANGER", Click("meeting_reschedule", "{meeting}"), REFUSED),  # no modal opens
        ("USTRANGER", Click("meeting_duration", "{meeting}"), REFUSED),
        ("USTRANGER", Click("meeting_cancel", "{meeting}"), REFUSED),
        ("USTRANGER", Click("meeting_schedule"), REFUSED),
        # Carol (Support) may not see a Sales meeting: the engine's own sentence, nothing changes.
        ("UCAROL", Click("meeting_cancel", "{meeting}"), Expect(told=["No such meeting."], guest_sees=None)),
        (
            "UCAROL",
            Click("meeting_reschedule", "{meeting}"),
            Expect(told=["No such meeting."], guest_sees=None),
        ),
        (
            "UALICE",
            Click("meeting_reschedule", "{meeting}"),
            Expect(told=[], calls=["views.open"], guest_sees=None),
        ),
        (
            "UALICE",
            Click("meeting_duration", "{meeting}"),
            Expect(told=[], calls=["views.open"], guest_sees=None),
        ),
        (
            "UALICE",
            Click("meeting_cancel", "{meeting}"),
            Expect(
                told=["Meeting cancelled; the guest has been told."],
                thread_ends="_Meeting cancelled by Alice: Quote…",
            ),
        ),
    ],
)
async def test_who_may_change_a_meeting_from_slack(
    slack: SlackDriver, taken: Any, user: str, says: Step, expect: Expect
) -> None:
    g, cid, thread_ts = taken
    meeting = await guest_books(slack, g, cid)
    await slack.settle()
    await verify_dialog(slack, Scene(guest=g, cid=cid, ts=thread_ts, meeting=meeting), [(user, says, expect)])


@pytest.mark.parametrize(
    "timezone, error",
    [("Europe/London", None), ("Mars/Olympus", "timezone")],
)
async def test_settings_modal(slack: SlackDriver, timezone: str, error: str | None) -> None:
    await slack.command("UALICE", "settings")
    await slack.settle()
    view = slack.last_view()
    assert view["callback_id"] == "settings_modal"
    values = {
        "timezone": timezone,
        "durations": "30, 60",
        "days": "mon,tue,wed,thu,fri",
        "hours": "08:00-16:00",
        "lunch": "",
        "buffer_before": "15",
        "buffer_after": "0",
    }
    r = await slack.submit("UALICE", view, values)
    await slack.settle()
    async with slack.runtime.uow(read_only=True) as uow:
        settings = (await uow.agents.get("alice")).settings
    if error is None:
        assert await r.text() == ""
        assert settings["timezone"] == "Europe/London"
        assert settings["durations"] == [30, 60] and settings["buffer_before"] == 15
        assert settings["working_hours"]["mon"] == [["08:00", "16:00"]]
        assert settings["lunch_break"] is None
    else:
        answer = await r.json()
        assert answer["response_action"] == "errors" and error in answer["errors"]
        assert settings["timezone"] == "Europe/Berlin"
