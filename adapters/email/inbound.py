"""Replies by email: an SMTP endpoint (aiosmtpd) that turns a reply into ``PostMessage``.

A reply is accepted only when it is sent to a genuine reply address (HMAC-checked) and comes from the
address of the member that reply address belongs to; anything else is refused with 550 at RCPT time,
before any content is read, and nothing is posted. Quoted text is stripped; the engine checks the rest
(read-only, length) exactly as for any other channel. Mail to the assistant's addresses goes to
``assistant_inbound`` instead; with ``CONVENE_INBOUND_REQUIRE_DMARC`` set, a reply counts only with the
trusted relay's ``dmarc=pass``.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import logging
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from adapters.email import authentication
from adapters.email.assistant_inbound import AssistantMailbox
from adapters.email.replies import reply_text
from adapters.email.reply_address import parse_reply_address
from bot import access
from bot.commands import PostMessage
from bot.errors import DomainError
from bot.model import Actor

log = logging.getLogger(__name__)
MAX_MAIL_BYTES = 10 * 1024 * 1024


class ReplyHandler:
    """aiosmtpd handler: RCPT checks address and sender, DATA posts the reply."""

    def __init__(self, runtime: Any, config: dict[str, Any]) -> None:
        self.runtime = runtime
        self.config = config
        self.assistant = AssistantMailbox(runtime, config)  # assistant@… and assistant+<token>@…

    async def _member(self, address: str, sender: str) -> tuple[str, Actor] | None:
        parsed = parse_reply_address(self.config, address)
        if parsed is None:
            return None
        conversation_id, kind, member_id = parsed
        async with self.runtime.uow(read_only=True) as uow:
            members = await uow.conversations.members(conversation_id)
        member = access.reply_author(members, kind, member_id, sender)
        return (conversation_id, Actor(member.kind, member.id, member.name)) if member else None  # type: ignore[arg-type]

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.assistant.token_of(address) is not None:
            verdict = await self.assistant.rcpt(address, envelope.mail_from or "")
            if verdict.startswith("250"):
                envelope.rcpt_tos.append(address)
            return verdict
        if await self._member(address, envelope.mail_from or "") is None:
            return "550 5.7.1 This address does not take mail from you"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        raw = raw if isinstance(raw, bytes) else raw.encode()
        mine = [a for a in envelope.rcpt_tos if self.assistant.token_of(a) is not None]
        if mine:  # the assistant's addresses: one answer for the whole mail (one per address is moot)
            verdicts = [await self.assistant.data(raw, a, envelope.mail_from or "") for a in mine]
            envelope.rcpt_tos = [a for a in envelope.rcpt_tos if a not in mine]
            if not envelope.rcpt_tos:
                return next((v for v in verdicts if not v.startswith("250")), verdicts[0])
        message = email.message_from_bytes(
            raw if isinstance(raw, bytes) else raw.encode(), policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        if not authentication.accepted(message, self.config):
            return authentication.REFUSAL
        header_sender = parseaddr(str(message.get("From", "")))[1] or envelope.mail_from or ""
        text = reply_text(message)
        message_id = str(message.get("Message-ID") or "") or hashlib.sha256(raw).hexdigest()
        client_id = "mail:" + hashlib.sha256(message_id.encode()).hexdigest()[:40]
        refusals: list[str] = []
        for address in envelope.rcpt_tos:
            found = await self._member(address, header_sender)
            if found is None:
                refusals.append("550 5.7.1 This address does not take mail from you")
                continue
            conversation_id, author = found
            try:
                await self.runtime.bus.handle(
                    PostMessage(
                        conversation_id=conversation_id, author=author, text=text, client_id=client_id
                    )
                )
            except DomainError as error:
                log.info("reply by mail to %s refused: %s", conversation_id, error.code)
                refusals.append(f"550 5.7.1 {error.message}")
        if refusals and len(refusals) == len(envelope.rcpt_tos):
            return refusals[0]
        return "250 OK"


class InboundMail:
    """The SMTP server, on the service's own event loop (no thread), so replies go straight to the bus."""

    def __init__(self, runtime: Any, config: dict[str, Any]) -> None:
        self.runtime = runtime
        self.host = str(config.get("inbound_smtp_host") or "127.0.0.1")
        self.port = int(config.get("inbound_smtp_port") or 0)
        self.handler = ReplyHandler(runtime, config)
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self.server = await loop.create_server(
                lambda: SMTP(self.handler, data_size_limit=MAX_MAIL_BYTES, hostname="convene"),
                self.host,
                self.port,
            )
        except OSError as error:  # another process has the port (several workers): it serves the mail
            log.warning("inbound mail not started on %s:%s: %s", self.host, self.port, error)
            return
        port = self.server.sockets[0].getsockname()[1]
        # `convene serve` prints the address in its start-up block (adapters/web/banner.py)
        log.debug("reply-by-mail endpoint on %s:%s", self.host, port)

    @property
    def listening(self) -> tuple[str, int] | None:
        """Where the SMTP server listens, once started (None: not started, or another process has it)."""
        if self.server is None or not self.server.sockets:
            return None
        return self.host, int(self.server.sockets[0].getsockname()[1])

    @property
    def assistant_address(self) -> str:
        return str(self.handler.assistant.address)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
