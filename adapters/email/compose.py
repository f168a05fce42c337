"""The mails Convene writes about conversations: one member's mail about a conversation (text and HTML,
a link in, a reply address), the unread-message digest and the sign-in mail.

Kept apart from the channel that sends them, so other mail writers (meetings, the assistant) build
on the same pieces without importing the channel.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

from adapters.email.headers import header_text, mailbox
from adapters.email.reply_address import REPLY_MARKER, mail_domain, reply_address
from bot import identity
from bot.email_digest import unsubscribe_signature
from bot.events import LoginLinkIssued, UnreadDigestReady
from bot.links import inbox_link, is_deep_path


def conversation_link(config: dict[str, Any], conversation_id: str, member_kind: str) -> str:
    """Agents open the inbox; guests the conversation's own page, where a signed-in guest reads and
    answers it (and one on another device continues with their email: adapters/web/returning_api)."""
    base = str(config.get("public_url") or "").rstrip("/")
    if member_kind == "agent":
        return inbox_link(base, conversation_id)
    return f"{base}/c/{conversation_id}"


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
    text = [REPLY_MARKER, "", f"Hello {to_name},", "", *paragraphs, ""]
    text += ["Reply to this email to answer in the conversation, or open it here:", link, ""]
    message.set_content("\n".join(text))
    body = "".join(f"<p>{_html(p)}</p>" for p in paragraphs)
    message.add_alternative(
        f'<p style="color:#888">{_html(REPLY_MARKER)}</p><p>Hello {_html(to_name)},</p>{body}'
        f'<p>Reply to this email to answer in the conversation, or <a href="{_html(link)}">'
        "open the conversation</a>.</p>",
        subtype="html",
    )
    return message


def unsubscribe_link(config: dict[str, Any], kind: str, person_id: str) -> str:
    """The signed link that turns unread-message emails off for one person (adapters/web/unsubscribe)."""
    base = str(config.get("public_url") or "").rstrip("/")
    signature = unsubscribe_signature(str(config.get("secret_key") or ""), kind, person_id)
    return f"{base}/unsubscribe/unread?{urlencode({'kind': kind, 'id': person_id, 'sig': signature})}"


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
    if single:
        item = event.conversations[0]
        paragraphs = [f"you have {count} unread {noun} in {where}:", *_listing(item)]
        paragraphs.append(f"To stop these emails: {unsubscribe}")
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
        )
    else:
        message = _digest_of_many(config, event, f"you have {count} unread {noun} in {where}.", unsubscribe)
        message["Subject"] = header_text(f"{count} new {noun} in {where}")
        message["Message-ID"] = f"<{key}@{mail_domain(config)}>"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: a POST to the link
    return message


def _listing(item: dict[str, Any]) -> list[str]:
    lines = []
    for message in item["messages"]:
        when = datetime.fromisoformat(message["created_at"]).strftime("%d.%m.%Y %H:%M UTC")
        lines.append(f"{message['author']} ({when}):\n{message['text']}")
    if item.get("more"):
        lines.append(f"… and {item['more']} more.")
    return lines


def _digest_of_many(
    config: dict[str, Any], event: UnreadDigestReady, opening: str, unsubscribe: str
) -> EmailMessage:
    """Several conversations: a heading and a link for each (no reply address: which one would it be?)."""
    text = [f"Hello {event.name},", "", opening, ""]
    parts = [f"<p>Hello {_html(event.name)},</p><p>{_html(opening)}</p>"]
    for item in event.conversations:
        link = conversation_link(config, item["conversation_id"], event.person_kind)
        lines = _listing(item)
        text += [f"== {item['title']} ==", f"Open it here: {link}", "", *lines, ""]
        parts.append(f'<h3><a href="{_html(link)}">{_html(item["title"])}</a></h3>')
        parts += [f"<p>{_html(line)}</p>" for line in lines]
    text += ["To stop these emails:", unsubscribe, ""]
    parts.append(f'<p style="color:#888"><a href="{_html(unsubscribe)}">Stop these emails</a></p>')
    message = EmailMessage()
    message["To"] = mailbox(event.name, event.email)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(text))
    message.add_alternative("".join(parts), subtype="html")
    return message


def login_mail(config: dict[str, Any], event: LoginLinkIssued) -> EmailMessage:
    link = f"{config['public_url']}/inbox/login?token={event.token}"
    if is_deep_path(event.next_path):  # back to the conversation the agent was asked to sign in for
        link += f"&{urlencode({'next': event.next_path})}"
    message = EmailMessage()
    message["To"] = mailbox(event.name, event.email)
    message["Subject"] = "Your Convene sign-in link"
    message.set_content(
        f"Hello {event.name},\n\nsign in to your Convene inbox:\n{link}\n\nThe link works once, for 30 minutes.\n"
    )
    message.add_alternative(
        f'<p>Hello {_html(event.name)},</p><p><a href="{_html(link)}">Sign in to your Convene inbox</a></p>'
        "<p>The link works once, for 30 minutes.</p>",
        subtype="html",
    )
    return message


def _html(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def proof_mail(config: dict[str, Any], event: identity.EmailProofIssued) -> EmailMessage:
    """Convene's own words only: the address may belong to someone who never asked for this."""
    link = f"{config['public_url']}/?email_link={event.token}"
    lifetime = "7 days"
    message = EmailMessage()
    message["To"] = event.email
    if event.purpose == "continue":  # bot/returning: the guest asked, on another device
        lifetime = "30 minutes"
        page = f"/c/{event.conversation}" if event.conversation else "/"
        link = f"{config['public_url']}{page}?email_link={event.token}"
        message["Subject"] = "Continue your conversation"
        lead = "Someone asked to continue a conversation with this address. If it was you, open it here:"
    elif event.invited_by:
        message["Subject"] = "You are invited to a conversation"
        lead = f"“{header_text(event.invited_by)}” added this address to a conversation. Open it here:"
    else:
        message["Subject"] = "Confirm your email address"
        lead = "Someone entered this address in a chat. If it was you, confirm it here:"
    text = f"Hello,\n\n{lead}\n{link}\n\nThe link works once, for {lifetime}. If you did not expect this, ignore it.\n"
    message.set_content(text)
    message.add_alternative(
        f'<p>Hello,</p><p>{_html(lead)}</p><p><a href="{_html(link)}">{_html(link)}</a></p>'
        f"<p>The link works once, for {lifetime}. If you did not expect this, ignore it.</p>",
        subtype="html",
    )
    return message
