# ruff: noqa: F811 - pytest fixtures are imported by name and then requested as parameters
"""The organiser's connected calendar (the local fake Google and Microsoft 365 servers): the event they
made gets the conversation's link in its description, once, and nothing else of it changes."""

from __future__ import annotations

from typing import Any

from bot.assistant.commands import AcceptCalendarInvitation
from scheduling.itip import parse_message
from tests.integration.calendar_support import (  # noqa: F401 - fixtures
    connect,
    fake_authority,
    fake_google,
    fake_graph,
    loopback_only,
    product,
    product_url,
)
from tests.support.invitations import Invite, google_mail, outlook_mail

UID = "0400000082-office-test"


def invite(uid: str) -> Invite:
    return Invite(
        uid=uid,
        summary="Planning",
        start="20270329T070000Z",
        end="20270329T073000Z",
        organizer=("Alice", "alice@example.com"),
        attendees=[("Ann", "ann@example.org"), ("", "assistant@localhost")],
    )


async def accept(runtime: Any, mail: Any, message_id: str) -> str:
    invitation = parse_message(bytes(mail), floating_zone="Europe/Berlin")
    outcome = await runtime.bus.handle(
        AcceptCalendarInvitation(sender=invitation.sender, events=invitation.events, message_id=message_id)
    )
    while await runtime.jobs.run_due():
        pass
    return str(outcome.conversation_id)


async def test_the_organisers_google_event_gets_the_conversations_link_once(product: Any) -> None:
    runtime, google = product.runtime, product.google
    await connect(runtime, "alice")
    mine = {"id": "evt-1", "iCalUID": UID, "description": "Agenda: budget", "status": "confirmed"}
    google.events["primary"] = [mine, {"id": "other", "iCalUID": "someone-else", "description": ""}]

    conversation = await accept(runtime, google_mail(invite(UID), "assistant@localhost"), "<m1@google>")
    link = f"http://convene.test/inbox/c/{conversation}"
    assert mine["description"] == f"Agenda: budget\n\nConvene conversation: {link}"
    assert google.events["primary"][1]["description"] == ""  # only the event with that UID

    await runtime.jobs.run_due()  # nothing pending: the job completed
    async with runtime.uow() as uow:  # asked again (say, a retry): the line is there, nothing doubles
        from bot.assistant.office import request_link

        await request_link(uow, (await uow.assistant.meeting(UID, "")).id, runtime.clock.now())
        await uow.commit()
    await runtime.jobs.run_due()
    assert mine["description"].count("Convene conversation:") == 1


async def test_the_organisers_outlook_event_gets_the_link_in_its_html_body(product: Any) -> None:
    runtime, graph = product.runtime, product.graph
    await connect(runtime, "alice", "microsoft", external_user_id="user-alice")
    graph.created["AAMk-outlook"] = {
        "iCalUId": UID,
        "body": {"contentType": "html", "content": "<p>Agenda</p>"},
    }
    conversation = await accept(runtime, outlook_mail(invite(UID), "assistant@localhost"), "<m1@outlook>")
    content = graph.created["AAMk-outlook"]["body"]["content"]
    assert content == f"<p>Agenda</p><p>Convene conversation: http://convene.test/inbox/c/{conversation}</p>"


async def test_without_a_connected_calendar_nothing_is_written_anywhere(product: Any) -> None:
    runtime, google = product.runtime, product.google
    google.events["primary"] = [{"id": "evt-1", "iCalUID": UID, "description": "x"}]
    await accept(runtime, google_mail(invite(UID), "assistant@localhost"), "<m1@google>")
    assert google.events["primary"][0]["description"] == "x"
