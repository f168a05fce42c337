"""An invitation's confirmation and advanced settings as a dialogue table, on fakes: both toggles on by
default, and each one off changes exactly what it should at booking time.

"Add to calendar event" (``add_to_calendar``) is also the advanced "customer on the calendar event"
setting: one field. Off, the lead's, every member's and every room's calendar event and the members'
``.ics`` leave the customer out (and a private description may then show on them). "Send confirmation
email" (``send_confirmation``) off: the booking's mail goes to the team, not to the customer. The time
zone mode ("customer" | "fixed") is the customer page's; it changes nothing at booking.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.calendars.reconcile import event_spec
from bot.calendars.sources import require_profile
from bot.invitations.calendar_writes import Target, _spec
from bot.invitations.commands import BookInvitation
from bot.invitations.events import InvitationBooked
from bot.meetings.attendees import guest_on_event
from bot.meetings.events import MeetingBooked
from tests.support.fake_invitations import InvitationEngine
from tests.unit.test_invitation_dialogue import TUE_1000, engine, invite, refused

__all__ = ["engine"]  # the fixture, shared with the dialogue table it extends

CUSTOMER = "carl@customer.example"
ROOM = Target("local", None, "oslo", "UTC", "Oslo", "oslo@rooms.example.com")  # type: ignore[arg-type]


async def booked(engine: InvitationEngine, **changes: Any) -> dict[str, Any]:
    """Books Tuesday 10:00 of an invitation with ``changes``: what each side gets."""
    invitation = await invite(engine, rooms=("oslo",), description="Bring the budget", **changes)
    meeting = await engine.handle(BookInvitation(invitation.token, TUE_1000))
    events = [row["event"] for row in engine.state.outbox]
    lead_mail = next(e for e in events if isinstance(e, MeetingBooked))
    member_mail = next(e for e in events if isinstance(e, InvitationBooked))
    async with engine.uow(read_only=True) as uow:
        stored = await uow.invitations.get(invitation.id)
        guest = await uow.guests.get(meeting.guest_id)
        lead = event_spec(
            meeting,
            await require_profile(uow, "alice"),
            guest,
            with_guest=await guest_on_event(uow, meeting.id),
        )
        room = await _spec(uow, meeting, ROOM)
    return {
        "stored": (stored.add_to_calendar, stored.send_confirmation, stored.timezone_mode),
        "mailed": sorted(a["email"] for _, a in lead_mail.direct_destinations()),
        "lead_event": sorted(a.email for a in lead.attendees),
        "room_event": sorted(a.email for a in room.attendees),
        "room_description": room.description,
        "member_ics_has_customer": member_mail.guest_on_event,
        "lead_ics_has_customer": lead_mail.guest_on_event,
    }


async def test_both_confirmation_toggles_are_on_by_default_and_the_customer_gets_everything(
    engine: InvitationEngine,
) -> None:
    seen = await booked(engine)
    assert seen["stored"] == (True, True, "customer")
    assert seen["mailed"] == ["alice@example.com", CUSTOMER]
    assert seen["lead_event"] == ["alice@example.com", CUSTOMER]
    assert seen["room_event"] == ["alice@example.com", "bob@example.com", CUSTOMER]
    assert "Bring the budget" in seen["room_description"]
    assert seen["member_ics_has_customer"] and seen["lead_ics_has_customer"]


async def test_without_the_confirmation_email_the_customer_gets_no_booking_mail_but_stays_on_the_events(
    engine: InvitationEngine,
) -> None:
    seen = await booked(engine, send_confirmation=False)
    assert seen["stored"] == (True, False, "customer")
    assert seen["mailed"] == ["alice@example.com"]  # the lead; Bob's mail is InvitationBooked's
    assert CUSTOMER in seen["lead_event"] and CUSTOMER in seen["room_event"]
    assert seen["member_ics_has_customer"] and seen["lead_ics_has_customer"]


async def test_without_the_calendar_event_the_customer_is_on_no_event_but_still_gets_the_mail(
    engine: InvitationEngine,
) -> None:
    seen = await booked(engine, add_to_calendar=False)
    assert seen["stored"] == (False, True, "customer")
    assert seen["mailed"] == ["alice@example.com", CUSTOMER]
    assert seen["lead_event"] == ["alice@example.com"]
    assert seen["room_event"] == ["alice@example.com", "bob@example.com"]
    assert not seen["member_ics_has_customer"] and not seen["lead_ics_has_customer"]


@pytest.mark.parametrize(
    "add_to_calendar, shown", [(True, False), (False, True)], ids=["customer-on-event", "customer-off-event"]
)
async def test_a_private_description_shows_only_on_events_the_customer_is_not_on(
    engine: InvitationEngine, add_to_calendar: bool, shown: bool
) -> None:
    seen = await booked(engine, description_private=True, add_to_calendar=add_to_calendar)
    assert ("Bring the budget" in seen["room_description"]) is shown


async def test_a_fixed_time_zone_is_stored_and_changes_nothing_at_booking(engine: InvitationEngine) -> None:
    seen = await booked(engine, timezone_mode="fixed")
    assert seen["stored"] == (True, True, "fixed")
    assert seen["mailed"] == ["alice@example.com", CUSTOMER]
    assert CUSTOMER in seen["lead_event"]


BAD_OPTIONS = [
    ({"add_to_calendar": "yes"}, "invalid_boolean", "add_to_calendar"),
    ({"send_confirmation": 1}, "invalid_boolean", "send_confirmation"),
    ({"send_confirmation": None}, "invalid_boolean", "send_confirmation"),
    ({"timezone_mode": "local"}, "invalid_timezone_mode", "timezone_mode"),
    ({"timezone_mode": ""}, "invalid_timezone_mode", "timezone_mode"),
]


@pytest.mark.parametrize("changes, code, field", BAD_OPTIONS)
async def test_bad_options_are_refused_with_a_code_and_a_field_and_nothing_is_written(
    engine: InvitationEngine, changes: dict[str, Any], code: str, field: str
) -> None:
    before = (len(engine.state.messages), len(engine.state.guests), len(engine.state.conversations))
    error = await refused(invite(engine, **changes))
    assert (error.code, error.details.get("field"), error.status) == (code, field, 400)
    assert engine.state.__dict__.get("invitations", {}) == {}
    assert (len(engine.state.messages), len(engine.state.guests), len(engine.state.conversations)) == before
