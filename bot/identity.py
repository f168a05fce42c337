"""A guest's email address counts only once proven.

An address a guest typed into the widget is a claim, not an identity: it never binds an agent's "add
this address" or a booking to that guest (``uow.membership.guest_by_email`` matches proven addresses
only), and Convene mails it only that guest's own meeting confirmations and proof links, at most
``UNPROVEN_PER_DAY`` a day, with the guest's words shown as quoted text. The address is proven by
redeeming a one-time emailed link (``RedeemEmailProof``), which also signs the guest in on that device.
An agent adding an unknown address creates a new guest and mails that link as an invitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from bot.commands import Command
from bot.errors import InvalidInput, NotFound, Unauthorized
from bot.events import Audience, Event, UnreadDigestReady
from bot.model import Guest
from bot.ports import Clock, UnitOfWork
from bot.tokens import new_token, token_hash

if TYPE_CHECKING:
    from bot.runtime import Runtime

PROOF_KIND = "email_proof"
PROOF_LIFETIME = timedelta(days=7)
UNPROVEN_PER_DAY = 3
DAY = timedelta(hours=24)
# What Convene may mail an address a guest typed but never proved: confirmations of what they did.
_CONFIRMATIONS = {"MeetingBooked", "MeetingRescheduled", "MeetingDurationChanged", "MeetingCancelled"}


@dataclass(frozen=True)
class EmailProofIssued(Event):
    """A one-time link to the guest's address: proves it (and invites, when an agent added it)."""

    secret_fields: ClassVar[tuple[str, ...]] = ("token",)

    conversation_id: str  # empty: to the mailbox only, never to the threads
    guest_id: str
    email: str
    token: str
    conversation: str = ""  # the conversation an agent invited the guest to (or the guest asked for)
    invited_by: str = ""  # the agent's name, for an invitation
    purpose: str = ""  # "continue": the guest asked to continue on another device (bot/returning)
    audience: Audience = Audience.EVERYONE  # its one addressee

    def direct_destinations(self) -> list[tuple[str, dict[str, Any]]]:
        return [("email", {"email": self.email, "role": "guest", "guest_id": self.guest_id})]


@dataclass(frozen=True)
class RequestEmailProof(Command):
    guest_id: str


@dataclass(frozen=True)
class RedeemEmailProof(Command):
    token: str


@dataclass(frozen=True)
class ProvenSession:
    guest: Guest
    token: str  # a guest bearer token for the device that opened the link
    conversation: str


async def issue_proof(
    uow: UnitOfWork,
    guest: Guest,
    now: datetime,
    *,
    conversation: str = "",
    by: str = "",
    lifetime: timedelta = PROOF_LIFETIME,
    purpose: str = "",
) -> None:
    """Inside the caller's transaction: the token and its mail commit together."""
    if not guest.email:
        raise InvalidInput("There is no email address to prove.", code="email_required")
    token = new_token()
    await uow.tokens.add(token_hash(token), PROOF_KIND, f"{guest.id}|{conversation}", now + lifetime)
    uow.record(
        EmailProofIssued(
            conversation_id="",
            guest_id=guest.id,
            email=guest.email,
            token=token,
            conversation=conversation,
            invited_by=by,
            purpose=purpose,
        )
    )


async def request_email_proof(cmd: RequestEmailProof, uow: UnitOfWork, clock: Clock) -> None:
    async with uow:
        guest = await uow.guests.get(cmd.guest_id)
        if guest is None:
            raise NotFound("No such guest.", code="unknown_guest")
        if guest.email_proven:
            return
        # The link opens the guest's latest conversation (its own page), not a site with an empty widget.
        latest = await uow.conversations.list_for_guest(guest.id)
        await issue_proof(uow, guest, clock.now(), conversation=latest[0].id if latest else "")
        await uow.commit()


async def redeem_email_proof(cmd: RedeemEmailProof, uow: UnitOfWork, clock: Clock) -> ProvenSession:
    async with uow:
        now = clock.now()
        subject = await uow.tokens.consume(token_hash(cmd.token or ""), PROOF_KIND, now)
        guest_id, _, conversation = (subject or "").partition("|")
        guest = await uow.guests.get(guest_id) if subject else None
        if guest is None:
            raise Unauthorized("This email link is invalid, used or expired.", code="invalid_email_link")
        if guest.email_proven_at is None and guest.email:
            # Another guest proved this address first: the link signs this device in as that guest (one
            # person, one guest). The guest that only typed it keeps its own conversations, unproven.
            first = await uow.membership.guest_by_email(guest.email)
            if first is not None and first.id != guest.id:
                guest = first
            else:
                guest.email_proven_at = now
                await uow.guests.save(guest)
        token = new_token()
        await uow.tokens.add(token_hash(token), "guest", guest.id, None)
        await uow.commit()
        return ProvenSession(guest, token, conversation)


def _addressee(event: Event, address: dict[str, Any]) -> str | None:
    """The guest a mail is for, or None when it is for an agent."""
    if isinstance(event, UnreadDigestReady):
        return event.person_id if event.person_kind == "guest" else None
    if address.get("role") != "guest":
        return None
    return str(address.get("guest_id") or getattr(event, "guest_id", "") or "") or None


@dataclass(frozen=True)
class MailPermit:
    quoted: bool  # the address is unproven: the guest's own words appear only as quoted text


async def may_mail(
    uow: UnitOfWork, event: Event, address: dict[str, Any], now: datetime
) -> MailPermit | None:
    """The email channel asks before mailing a guest. Proven addresses, and addresses an agent wrote
    down, get everything; an address the guest only typed gets confirmations of that guest's own
    bookings and proof links, at most ``UNPROVEN_PER_DAY`` in 24 hours. None: do not send."""
    guest_id = _addressee(event, address)
    if guest_id is None:
        return MailPermit(quoted=False)
    guest = await uow.guests.get(guest_id)
    email = str(address.get("email") or "").strip().lower()
    if guest is None or not guest.email or guest.email.strip().lower() != email:
        return None
    if guest.email_proven or guest.email_origin == "agent":
        return MailPermit(quoted=False)
    by = getattr(event, "by", None)
    own = event.type in _CONFIRMATIONS and by is not None and by.kind == "guest" and by.id == guest.id
    if not (own or isinstance(event, EmailProofIssued)):
        return None
    if await uow.guests.mails_since(guest.id, now - DAY) >= UNPROVEN_PER_DAY:
        return None
    await uow.guests.note_mail(guest.id, now)
    return MailPermit(quoted=True)


def register(runtime: Runtime) -> None:
    runtime.bus.register(RequestEmailProof, request_email_proof)
    runtime.bus.register(RedeemEmailProof, redeem_email_proof)
