"""Mail to the assistant: calendar invitations (iTIP over mail) become one command each.

``assistant@<domain>`` takes invitations from agents only: anyone else is refused with 550 at RCPT
time, before any content is read (behind a trusted relay, whose envelope may be rewritten by
forwarding, after DATA on the From header and the relay's DMARC verdict). A conversation's own ``assistant+<token>@<domain>`` takes mail from
that conversation's members only: an invitation adds a meeting; anything else is a message, posted as
that member exactly like a reply by email. The adapter authenticates (envelope, From header, DMARC
when required), parses (``scheduling/itip.py``) and sends one command; the engine decides the rest.
A mail we cannot read is answered with a mail that says why; the server keeps running.
"""

from __future__ import annotations

import email.policy
import hashlib
import logging
from email.parser import BytesHeaderParser
from typing import Any

from adapters.email import authentication
from adapters.email.replies import reply_text
from bot.assistant.addresses import address_token
from bot.assistant.commands import (
    AcceptCalendarInvitation,
    CancelCalendarEvent,
    ExplainRefusedInvitation,
    RecordAttendeeReply,
)
from bot.commands import PostMessage
from bot.errors import DomainError, Forbidden
from bot.model import Actor
from scheduling.itip import Invitation, InvitationError, email_of, parse_message, read_message

log = logging.getLogger(__name__)
REFUSED_STRANGER = "550 5.7.1 The assistant takes invitations only from members of the team"
REFUSED_NON_MEMBER = "550 5.7.1 This conversation takes mail only from its members"
COMMANDS = {"REQUEST": AcceptCalendarInvitation, "CANCEL": CancelCalendarEvent, "REPLY": RecordAttendeeReply}
# Refusals about who is asking: answered at the SMTP level. Everything else is explained by mail.
SMTP_REFUSALS = {"organizer_not_an_agent", "sender_not_organizer", "sender_not_attendee", "not_a_member"}


def smtp_line(text: str) -> str:
    """One printable ASCII line: SMTP replies allow nothing else."""
    plain = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("\n", " ")
    return plain.encode("ascii", "replace").decode()[:400]


class AssistantMailbox:
    def __init__(self, runtime: Any, config: dict[str, Any]) -> None:
        self.runtime = runtime
        self.address = str(config.get("assistant_address") or "")
        self.config = config
        self.dmarc = authentication.required(config)  # behind a relay that checks DMARC (README)

    def token_of(self, address: str) -> str | None:
        """ "" for the assistant itself, a token for a conversation's own address, None for other mail."""
        return address_token(address, self.address) if self.address else None

    async def _agent(self, email: str) -> Any:
        async with self.runtime.uow(read_only=True) as uow:
            return await uow.agents.get_by_email(email) if email else None

    async def _member(self, token: str, sender: str) -> tuple[str, Actor] | None:
        async with self.runtime.uow(read_only=True) as uow:
            link = await uow.assistant.conversation_by_token(token)
            if link is None:
                return None
            members = await uow.conversations.members(link.conversation_id)
        member = next((m for m in members if (m.email or "").lower() == sender.lower()), None)
        if member is None:
            return None
        return link.conversation_id, Actor(member.kind, member.id, member.name)

    async def rcpt(self, address: str, sender: str) -> str:
        token = self.token_of(address)
        if self.dmarc and token is not None:
            # Behind our relay the envelope may be rewritten (forwarding, SRS): the From header and the
            # relay's DMARC verdict decide, after DATA, with the same 550s.
            return "250 OK"
        if token == "":
            return "250 OK" if await self._agent(email_of(sender)) is not None else REFUSED_STRANGER
        if token and await self._member(token, email_of(sender)) is not None:
            return "250 OK"
        return REFUSED_NON_MEMBER

    async def data(self, raw: bytes, address: str, envelope_sender: str) -> str:
        try:
            return await self._data(raw, address, envelope_sender)
        except Exception:  # a bug or an outage: the sending server keeps the mail and tries again later
            log.exception("assistant mail to %s failed", address)
            return "451 4.3.0 The assistant could not take this mail just now; please try again later"

    async def _data(self, raw: bytes, address: str, envelope_sender: str) -> str:
        token = self.token_of(address) or ""
        # The headers alone say who it is from, even when the body is too large to read.
        message = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        sender = email_of(message.get("From", "")) or email_of(envelope_sender)
        if self.dmarc and not authentication.dmarc_passed(
            message, authentication.trusted_relays(self.config)
        ):  # type: ignore[arg-type]
            return "550 5.7.1 This mail did not pass DMARC at our relay"
        explain = ExplainRefusedInvitation(
            to="" if _automatic(message) else sender,
            subject=str(message.get("Subject", "")),
            code="",
            reason="",
            message_id=str(message.get("Message-ID", "")).strip(),
        )
        agent = await self._agent(sender)
        try:
            invitation = parse_message(raw, floating_zone=agent.timezone if agent else "UTC")
        except InvitationError as error:
            if error.code == "not_an_invitation" and token:
                return await self._post(read_message(raw), raw, token, sender)
            if agent is None and (not token or await self._member(token, sender) is None):
                return REFUSED_STRANGER if not token else REFUSED_NON_MEMBER
            return await self._explain(explain, error.code, error.message)
        return await self._command(invitation, token, sender, explain)

    async def _command(
        self, invitation: Invitation, token: str, sender: str, explain: ExplainRefusedInvitation
    ) -> str:
        command = COMMANDS.get(invitation.method)
        if command is None:
            return await self._explain(
                explain,
                "unsupported_method",
                f"The assistant cannot act on a calendar “{invitation.method}”.",
            )
        try:
            await self.runtime.bus.handle(
                command(
                    sender=sender, events=invitation.events, message_id=invitation.message_id, token=token
                )
            )
        except DomainError as error:
            log.info("assistant refused %s from %s: %s", invitation.method, sender, error.code)
            if isinstance(error, Forbidden) or error.code in SMTP_REFUSALS:
                return f"550 5.7.1 {smtp_line(error.message)}"
            return await self._explain(explain, error.code, error.message)
        return "250 OK"

    async def _explain(self, explain: ExplainRefusedInvitation, code: str, reason: str) -> str:
        from dataclasses import replace

        await self.runtime.bus.handle(replace(explain, code=code, reason=reason))
        return "250 OK"

    async def _post(self, message: Any, raw: bytes, token: str, sender: str) -> str:
        """Plain mail to a conversation's own address: the member's words, posted as that member."""

        found = await self._member(token, sender)
        if found is None:
            return REFUSED_NON_MEMBER
        conversation_id, author = found
        message_id = str(message.get("Message-ID") or "") or hashlib.sha256(raw).hexdigest()
        client_id = "mail:" + hashlib.sha256(message_id.encode()).hexdigest()[:40]
        try:
            await self.runtime.bus.handle(
                PostMessage(
                    conversation_id=conversation_id,
                    author=author,
                    text=reply_text(message),
                    client_id=client_id,
                )
            )
        except DomainError as error:
            return f"550 5.7.1 {smtp_line(error.message)}"
        return "250 OK"


def _automatic(message: Any) -> bool:
    """Mail from machines (bounces, auto-replies) is never answered: no loops between robots."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    return (
        auto != "no"
        or bool(message.get("X-Autoreply"))
        or str(message.get("Precedence", "")).lower()
        in {
            "bulk",
            "junk",
            "list",
        }
    )
