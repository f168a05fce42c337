"""Helpers shared by the meeting tests: sign-ins, booking, the mails in the outbox folder."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Any

from icalendar import Calendar

from bot.commands import IssueAgentToken


async def guest(
    client: Any,
    name: str = "Ann",
    email_address: str | None = "ann@example.org",
    *,
    proven: bool = True,
    **extra: Any,
) -> dict[str, str]:
    """A guest session; by default the guest proved the address earlier, so every meeting mail reaches
    it (an unproven one gets only its own confirmations: tests/integration/test_proven_email.py)."""
    body = {"name": name, **extra}
    if email_address:
        body["email"] = email_address
    r = await client.post("/api/guest/sessions", json=body)
    assert r.status == 201, await r.text()
    created = await r.json()
    if proven and email_address:
        async with client.runtime.uow() as uow:
            found = await uow.guests.get(created["guest_id"])
            found.email_proven_at = client.runtime.clock.now()
            await uow.guests.save(found)
            await uow.commit()
    return {"Authorization": f"Bearer {created['token']}"}


async def agent(runtime: Any, slug: str) -> dict[str, str]:
    token = await runtime.bus.handle(IssueAgentToken(f"{slug}@example.com"))
    return {"Authorization": f"Bearer {token}"}


async def book(
    client: Any, headers: dict[str, str], start: str, *, subject: str = "Demo", **body: Any
) -> Any:
    body = {"agent": "alice", **body} if "service" not in body else body
    return await client.post(
        "/api/guest/meetings",
        json={"start": start, "duration": 30, "subject": subject, **body},
        headers=headers,
    )


async def drain(runtime: Any) -> None:
    """Run what is due (calendar writes, reminders) and deliver the outbox, as the workers would."""
    while await runtime.jobs.run_due():
        pass
    while await runtime.dispatcher.dispatch_once():
        pass


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    ics: Calendar
    method: str


def meeting_mails(runtime: Any) -> list[Mail]:
    folder = Path(runtime.settings.data_dir) / "outbox"
    found = []
    for path in sorted(folder.glob("meeting.*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        calendar = Calendar.from_ical(ics.get_payload(decode=True))
        found.append(
            Mail(
                to=str(message["To"]),
                subject=str(message["Subject"]),
                text=message.get_body(("plain",)).get_content(),
                html=message.get_body(("html",)).get_content(),
                ics=calendar,
                method=str(calendar["METHOD"]),
            )
        )
    return found


def vevent(calendar: Calendar) -> Any:
    return next(c for c in calendar.walk() if c.name == "VEVENT")


async def thread(client: Any, headers: dict[str, str], conversation_id: str) -> list[str]:
    r = await client.get(f"/api/guest/conversations/{conversation_id}/messages", headers=headers)
    return [m["text"] for m in (await r.json())["messages"] if m["author"]["kind"] == "system"]
