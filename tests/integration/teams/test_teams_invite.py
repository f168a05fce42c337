"""``invite`` in Teams over the real wire (Bot Framework activities signed with the local JWKS): the
invitation form as an Adaptive Card with the inbox dialog's fields and the count of free times, the
count again on request, refusals on the card with nothing written, and the card of links with
"Send by email". The clock stands on Monday 23 November 2026, 08:00 UTC (09:00 Berlin)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage.invitations import InvitationRow

from .conftest import Teams
from .dialog import NOT_AN_AGENT, Card, Dialog, Press, Say, card_lines, choices

GOOD = {
    "guest_name": "Carl",
    "guest_email": "carl@customer.example",
    "subject": "Pricing call",
    "duration": "60",
    "members": "alice,bob",
    "start_date": "2026-11-24",
    "end_date": "2026-11-24",
    "day_start": "09:00",
    "day_end": "12:00",
    "timezone": "Europe/Berlin",
}
SATURDAY = {**GOOD, "start_date": "2026-11-28", "end_date": "2026-11-28"}
FORM = "Invite a customer to pick a time"
INPUTS = [
    "guest_name",
    "guest_email",
    "subject",
    "duration",
    "members",
    "meeting_type",
    "location",
    "conferencing",
    "description",
    "description_private",
    "guest_timezone",
    "add_to_calendar",
    "send_confirmation",
    "timezone_mode",
    "start_date",
    "end_date",
    "day_start",
    "day_end",
    "timezone",
    "send_email",
    "promoted",
]


async def invitations(teams: Teams) -> int:
    async with teams.runtime.storage.session() as s:
        return int((await s.execute(select(func.count()).select_from(InvitationRow))).scalar_one())


async def test_invite_opens_the_form_and_counts_again_with_the_cards_values(teams: Teams) -> None:
    [opened, counted, weekend, stranger] = await Dialog(teams).verify(
        [
            (Say("invite"), Card(first=FORM, inputs=INPUTS, buttons=["Invite", "Count free times"])),
            (
                Press("invite_form", GOOD, where="chat"),
                Card(first=FORM, lines=["5 free times in this time frame."]),
            ),
            (
                Press("invite_form", SATURDAY, where="chat"),
                Card(first=FORM, lines=["No free time: Alice, Bob have no free time in this frame."]),
            ),
            (Press("invite_form", {**GOOD, "members": "alice,zoe"}, where="chat"), Card(first=FORM)),
        ]
    )
    form = opened.answers[0]
    assert isinstance(form, dict)
    assert any(line.endswith("free times in this time frame.") for line in card_lines(form))
    members = next(e for e in form["body"] if e.get("id") == "members")
    assert members["isMultiSelect"] is True and members["value"] == "alice"  # the organiser by default
    assert {c["value"] for c in choices(form, "members")} >= {"alice", "bob"}
    assert [e["type"] for e in form["body"] if e.get("id") in ("start_date", "day_start")] == [
        "Input.Date",
        "Input.Time",
    ]
    promoted = choices(counted.answers[0], "promoted")  # type: ignore[arg-type]
    assert [c["title"] for c in promoted] == [
        f"Tue 24 Nov {h}" for h in ("09:00", "09:30", "10:00", "10:30", "11:00")
    ]
    assert "There is no team member called 'zoe'." in card_lines(stranger.answers[0])  # type: ignore[arg-type]
    assert weekend.status == 200 and await invitations(teams) == 0  # counting writes nothing


async def test_refusals_show_on_the_form_and_write_nothing(teams: Teams) -> None:
    await Dialog(teams).verify(
        [
            (
                Press("invite", {**GOOD, "guest_email": "carl-at-example"}, where="chat"),
                Card(first=FORM, error=True),
            ),
            (Press("invite", {**GOOD, "subject": " "}, where="chat"), Card(first=FORM, error=True)),
            (Press("invite", {**GOOD, "start_date": ""}, where="chat"), Card(first=FORM, error=True)),
        ]
    )
    [steps] = await Dialog(teams).verify(
        [(Press("invite", SATURDAY, where="chat"), Card(first=FORM, error=True))]
    )
    assert any(
        line.startswith("No time in this frame suits everyone") for line in card_lines(steps.answers[0])
    )  # type: ignore[arg-type]
    assert await invitations(teams) == 0


async def test_the_submitted_form_creates_the_invitation_and_shows_its_links(teams: Teams) -> None:
    chosen = "2026-11-24T08:00:00+00:00,2026-11-24T09:00:00+00:00"
    submit = Press("invite", {**GOOD, "send_email": "copy", "promoted": chosen}, where="chat", submit=True)
    [created] = await Dialog(teams).verify(
        [
            (
                submit,  # Action.Submit of older clients: the card comes as a reply in the chat
                Card(
                    first="Invitation “Pricing call” for Carl created: send these links yourself.",
                    buttons=["Send by email"],
                ),
            )
        ]
    )
    card = created.answers[0]
    assert isinstance(card, dict)
    lines = card_lines(card)[1:]
    link = lines[0].removeprefix("Pick any time: ")
    assert lines[1:] == [
        f"Tue 24 Nov 09:00: {link}/20261124T0800Z",
        f"Tue 24 Nov 10:00: {link}/20261124T0900Z",
    ]
    token = link.rsplit("/", 1)[1]
    assert await invitations(teams) == 1
    outbox = Path(teams.runtime.settings.data_dir) / "outbox"
    assert list(outbox.glob("invitation.*.eml")) == []  # "copy links": nothing mailed
    r = await teams.client.get(f"/api/invitations/{token}")
    assert (r.status, (await r.json())["invitation"]["subject"]) == (200, "Pricing call")
    invitation_id = card["actions"][0]["data"]["invitation_id"]
    await Dialog(teams).verify(
        [
            (
                Press("invite_send", {"invitation_id": invitation_id}, where="chat"),
                Card(
                    first="Sent to carl@customer.example with fresh links; the links on the card above no longer work."
                ),
            )
        ]
    )
    assert len(list(outbox.glob("invitation.*.eml"))) == 1
    assert (await teams.client.get(f"/api/invitations/{token}")).status == 404


async def test_someone_who_is_not_an_agent_gets_no_form(teams: Teams) -> None:
    await Dialog(teams).verify(
        [
            (Say("invite", by="mallory"), Card(first=NOT_AN_AGENT)),
            (Press("invite", GOOD, by="mallory", where="chat"), Card(first=NOT_AN_AGENT)),
        ]
    )
    assert await invitations(teams) == 0
