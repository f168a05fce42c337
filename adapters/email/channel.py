"""The ``email`` channel: mail through SMTP when configured, otherwise ``.eml`` files under ./var/outbox/.

Every mail about a conversation has a plain-text and an HTML part, a link into the conversation and a
``Reply-To`` address for that conversation and member; replies come back through ``inbound_mail``.
When to mail is decided by the engine (``bot/email_digest``); this module only writes the mail.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from adapters.email import calendar_mail
from adapters.email.compose import digest_mail, login_mail, proof_mail
from adapters.email.headers import finish
from adapters.email.reply_address import mail_domain, reply_address
from bot import access, identity
from bot.assistant.events import ASSISTANT_EVENT_TYPES
from bot.delivery_failures import PermanentDeliveryError
from bot.events import Event, LoginLinkIssued, UnreadDigestReady
from bot.model import Binding
from bot.private_files import private_dir, write_private

log = logging.getLogger(__name__)


class Mailer:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.folder = Path(config.get("data_dir") or "./var") / "outbox"

    async def send(self, message: EmailMessage) -> None:
        finish(message, self.config, mail_domain(self.config))  # From (the business), Date, Message-ID
        if self.config.get("smtp_host"):
            import aiosmtplib

            tls = self.config.get("smtp_tls", "starttls")
            try:
                await aiosmtplib.send(
                    message,
                    hostname=self.config["smtp_host"],
                    port=int(self.config.get("smtp_port") or 587),
                    username=self.config.get("smtp_user") or None,
                    password=self.config.get("smtp_password") or None,
                    use_tls=tls == "tls",
                    start_tls=tls == "starttls",
                )
            except aiosmtplib.SMTPRecipientsRefused as error:
                refusals = error.recipients
                # 5xx for every recipient: the address does not exist, and asking again will not change
                # it. A 4xx (greylisting, a full mailbox) is retried like a network error.
                if refusals and all(500 <= r.code < 600 for r in refusals):
                    detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refusals)
                    raise PermanentDeliveryError(f"SMTP refused every recipient ({detail})") from error
                raise
            return
        private_dir(self.folder)  # mail holds sign-in links and conversations: the owner's only
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        path = self.folder / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        write_private(tmp, bytes(message))
        tmp.rename(path)  # a reader never sees half a mail; a resend of the same mail replaces it


class EmailChannel:
    name = "email"

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.mailer = Mailer(config)
        self.inbound: Any = None  # the reply endpoint, when inbound_smtp_port is set

    async def start(self, runtime: Any) -> None:
        if int(self.config.get("inbound_smtp_port") or 0) > 0 and self.inbound is None:
            from adapters.email.inbound import InboundMail

            self.inbound = InboundMail(runtime, self.config)
            await self.inbound.start()

    async def stop(self) -> None:
        if self.inbound is not None:
            await self.inbound.stop()
            self.inbound = None

    async def _permit(self, event: Event, address: dict[str, Any]) -> identity.MailPermit | None:
        """The engine says whether this guest address may be mailed (proven, or within its limit)."""
        storage, clock = self.config.get("storage"), self.config.get("clock")
        if storage is None or clock is None:  # a bare channel (no engine): nothing to a guest by default
            return identity.MailPermit(quoted=False) if address.get("role") != "guest" else None
        async with storage.unit_of_work() as uow:
            permit = await identity.may_mail(uow, event, address, clock.now())
            await uow.commit()
        return permit

    async def deliver(self, event: Event, binding: Binding) -> dict[str, Any] | None:
        if binding.address.get("role") == "guest" and not access.reaches(event, "guest"):
            return None  # the engine says this is for agents only
        mails_guest = binding.address.get("role") == "guest" or (
            isinstance(event, UnreadDigestReady) and event.person_kind == "guest"
        )
        if mails_guest and binding.id.startswith("direct-"):
            permit = await self._permit(event, binding.address)
            if permit is None:
                log.info(
                    "no %s mail to an unproven guest address (not theirs to get, or over the limit)",
                    event.type,
                )
                return None
            binding.address = {**binding.address, "quoted": permit.quoted}
        if isinstance(event, identity.EmailProofIssued):
            await self.mailer.send(proof_mail(self.config, event))
        elif isinstance(event, LoginLinkIssued):
            await self.mailer.send(login_mail(self.config, event))
        elif isinstance(event, UnreadDigestReady):
            await self.mailer.send(digest_mail(self.config, event))
        elif event.type in ASSISTANT_EVENT_TYPES:  # mails of the assistant (issue 13), one person each
            from adapters.email.assistant_mail import render

            await self.mailer.send(render(self.config, event))  # type: ignore[arg-type]
        elif event.type == "InvitationSent":  # to the invited customer only (issue 12)
            if binding.id.startswith("direct-"):
                from adapters.email.invitation_mail import render_invitation_mail

                await self.mailer.send(render_invitation_mail(self.config, event))  # type: ignore[arg-type]
        elif event.type == "InvitationBooked":  # to the team members besides the lead
            if binding.id.startswith("direct-"):
                from adapters.email.invitation_mail import render_member_mail

                await self.mailer.send(render_member_mail(event, binding.address, self.config))  # type: ignore[arg-type]
        elif event.type == "CalendarConnectionBroken":  # to the agent, whose slots are withheld
            await self.mailer.send(calendar_mail.calendar_disconnected_mail(event, self.config))
        elif event.type.startswith("Meeting") or event.type == "ReminderDue":
            if binding.id.startswith("direct-"):  # each side's own mailbox, once (not thread bindings)
                from adapters.email.meeting_mail import render_meeting_mail

                address = binding.address
                url = str(self.config.get("public_url") or "")
                mail = render_meeting_mail(
                    event,
                    address["email"],
                    address.get("name") or "",
                    url,
                    quoted=bool(address.get("quoted")),
                    config=self.config,
                    member=(address["agent"], address.get("timezone") or "")
                    if address.get("role") == "member"
                    else None,
                    manage_link=await self._manage_link(event, address, url),
                )
                if not address.get("quoted"):  # an unproven address: no way in to answer as that guest
                    self._reply_to(mail, event, address)
                await self.mailer.send(mail)
        return None

    async def _manage_link(self, event: Event, address: dict[str, Any], url: str) -> str | None:
        """The guest's own link to reschedule or cancel, in the mails the engine says carry one
        (bot.meetings.manage_links.carries_manage_link); each mail gets its own token."""
        from bot.errors import NotFound
        from bot.meetings.manage_links import carries_manage_link, issue_manage_token, manage_url

        storage = self.config.get("storage")
        if storage is None or not url or not getattr(event, "guest_id", ""):
            return None
        if not carries_manage_link(event.type, str(address.get("role") or "")):
            return None

        meeting_id, guest_id = getattr(event, "meeting_id", ""), getattr(event, "guest_id", "")
        try:
            async with storage.unit_of_work() as uow:
                token = await issue_manage_token(uow, meeting_id, guest_id)
                await uow.commit()
        except NotFound:  # the meeting is gone (or never was this guest's): the mail goes without it
            return None
        return manage_url(url, token)

    def _reply_to(self, mail: EmailMessage, event: Event, address: dict[str, Any]) -> None:
        """Meeting mails can be answered by mail too, as the agent or the guest of the conversation."""
        member = ("agent", getattr(event, "agent", "")) if address.get("role") == "agent" else None
        if address.get("role") == "member":  # a team member besides the lead answers as themselves
            member = ("agent", address.get("agent") or "")
        member = member or ("guest", getattr(event, "guest_id", ""))
        if "Reply-To" not in mail and member[1] and event.conversation_id and self.config.get("secret_key"):
            mail["Reply-To"] = reply_address(self.config, event.conversation_id, *member)


def plugin(config: dict[str, Any]) -> EmailChannel:
    return EmailChannel(config)
