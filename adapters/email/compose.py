"""The mails Convene writes about conversations: one member's mail about a conversation (text and HTML,
a link in, a reply address), the unread-message digest and the sign-in mail.

Kept apart from the channel that sends them, so other mail writers (meetings, the assistant) build
on the same pieces without importing the channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from adapters.email.headers import business_name, header_text, mailbox
from adapters.email.letter import Letter, fill
from adapters.email.links import conversation_link, login_link, proof_link, unsubscribe_link
from adapters.email.reply_address import REPLY_MARKER, mail_domain, reply_address
from adapters.email.times import moment
from bot import identity
from bot.events import LoginLinkIssued, UnreadDigestReady

__all__ = [
    "conversation_link",
    "conversation_mail",
    "digest_mail",
    "login_mail",
    "proof_mail",
    "unsubscribe_link",
]


def conversation_mail(
    config: dict[str, Any],
    *,
    to_name: str,
    to_email: str,
    subject: str,
    paragraphs: Sequence[str],
    conversation_id: str,
    member_kind: str,
    member_id: str,
    message_key: str | None = None,
    footer: Sequence[str] = (),
    footer_link: tuple[str, str] | None = None,
) -> EmailMessage:
    """A mail about a conversation, for one member: text + HTML, a link in, and a reply address.
    ``message_key`` makes the Message-ID stable, so a redelivered mail is recognisably the same one."""
    link = conversation_link(config, conversation_id, member_kind)
    domain = mail_domain(config)
    message = EmailMessage()
    message["To"] = mailbox(to_name, to_email)
    message["Subject"] = header_text(subject)
    message["Reply-To"] = reply_address(config, conversation_id, member_kind, member_id)
    message["References"] = f"<conversation-{conversation_id}@{domain}>"  # one thread per conversation
    message["Auto-Submitted"] = "auto-generated"
    if message_key:
        message["Message-ID"] = f"<{message_key}@{domain}>"
    letter = Letter(
        business=business_name(config),
        greeting=f"Hello {to_name},",
        paragraphs=[*paragraphs, "Reply to this email to answer in the conversation, or open it here:"],
        button=("Open the conversation", link),
        marker=REPLY_MARKER,
        footer=footer,
        footer_link=footer_link,
    )
    return fill(message, letter)


def digest_mail(config: dict[str, Any], event: UnreadDigestReady) -> EmailMessage:
    """One person's unread messages, every conversation with its own link, and a one-click way out
    (``List-Unsubscribe``). A mail about one conversation can be answered by mail, like any other."""
    count = sum(len(c["messages"]) + int(c.get("more") or 0) for c in event.conversations)
    noun = "message" if count == 1 else "messages"
    single = len(event.conversations) == 1
    where = f"“{event.conversations[0]['title']}”" if single else f"{len(event.conversations)} conversations"
    unsubscribe = unsubscribe_link(config, event.person_kind, event.person_id)
    stamp = "".join(ch for ch in event.sent_at if ch.isdigit())[:14]
    key = f"digest-{event.person_kind}-{event.person_id}-{stamp}"
    why = [f"You get this email because you have unread messages at {business_name(config)}."]
    stop = ("Stop these emails", unsubscribe)
    if single:
        item = event.conversations[0]
        paragraphs = [f"you have {count} unread {noun} in {where}:", *_listing(item, event.timezone)]
        message = conversation_mail(
            config,
            to_name=event.name,
            to_email=event.email,
            subject=f"{count} new {noun} in {item['title']}",
            paragraphs=paragraphs,
            conversation_id=item["conversation_id"],
            member_kind=event.person_kind,
            member_id=event.person_id,
            message_key=key,
            footer=why,
            footer_link=stop,
        )
    else:
        # Several conversations: a heading and a link for each (no reply address: which one would it be?)
        letter = Letter(
            business=business_name(config),
            greeting=f"Hello {event.name},",
            paragraphs=[f"you have {count} unread {noun} in {where}."],
            sections=[
                (
                    item["title"],
                    conversation_link(config, item["conversation_id"], event.person_kind),
                    _listing(item, event.timezone),
                )
                for item in event.conversations
            ],
            footer=why,
            footer_link=stop,
        )
        message = EmailMessage()
        message["To"] = mailbox(event.name, event.email)
        message["Auto-Submitted"] = "auto-generated"
        message["Subject"] = header_text(f"{count} new {noun} in {where}")
        message["Message-ID"] = f"<{key}@{mail_domain(config)}>"
        fill(message, letter)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: a POST to the link
    return message


def _listing(item: dict[str, Any], timezone: str) -> list[str]:
    lines = []
    for message in item["messages"]:
        when = moment(datetime.fromisoformat(message["created_at"]), timezone or "UTC")
        lines.append(f"{message['author']} ({when}):\n{message['text']}")
    if item.get("more"):
        lines.append(f"… and {item['more']} more.")
    return lines


def login_mail(config: dict[str, Any], event: LoginLinkIssued) -> EmailMessage:
    business = business_name(config)
    message = EmailMessage()
    message["To"] = mailbox(event.name, event.email)
    message["Subject"] = header_text(f"Your {business} sign-in link")
    letter = Letter(
        business=business,
        greeting=f"Hello {event.name},",
        paragraphs=[f"sign in to your {business} inbox with this link."],
        button=("Sign in to the inbox", login_link(config, event.token, event.next_path)),
        footer=["The link works once, for 30 minutes. If you did not ask for it, ignore this email."],
    )
    return fill(message, letter)


def proof_mail(config: dict[str, Any], event: identity.EmailProofIssued) -> EmailMessage:
    """Convene's own words only: the address may belong to someone who never asked for this."""
    link = proof_link(config, event.token, event.conversation)
    lifetime = "7 days"
    message = EmailMessage()
    message["To"] = event.email
    if event.purpose == "continue":  # bot/returning: the guest asked, on another device
        lifetime = "30 minutes"
        message["Subject"] = "Continue your conversation"
        lead, action = (
            "Someone asked to continue a conversation with this address. If it was you, open it here:",
            "Continue the conversation",
        )
    elif event.invited_by:
        message["Subject"] = "You are invited to a conversation"
        lead = f"“{header_text(event.invited_by)}” added this address to a conversation. Open it here:"
        action = "Open the conversation"
    else:
        message["Subject"] = "Confirm your email address"
        lead, action = (
            "Someone entered this address in a chat. If it was you, confirm it here:",
            "Confirm the address",
        )
    letter = Letter(
        business=business_name(config),
        greeting="Hello,",
        paragraphs=[lead],
        button=(action, link),
        footer=[f"The link works once, for {lifetime}. If you did not expect this, ignore it."],
    )
    return fill(message, letter)
