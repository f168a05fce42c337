"""``/convene …``: the text after the command, parsed into one request (or a usage message). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

USAGE = """*Usage:* `/convene <command>`
• `help` — this message
• `inbox` — my open conversations
• `assign <conversation-id> @user` or `assign <conversation-id> <service>`
• `resolve <conversation-id>` / `reopen <conversation-id>` — done for now, or back in the inbox
• `meetings` — my upcoming meetings (reschedule, change duration, cancel)
• `link [start=dd.mm.yyyy] [end=dd.mm.yyyy] [subject=…]` — my booking link
• `settings` — my calendar settings
• `link-channel <service>` — post this service's new conversations into this channel
• `new <name> [emails…]` — a new conversation with these people
• `invite` — invite a customer to pick a time with my team (the links to copy, or an email)"""

MAILTO = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")  # how Slack sends an address someone typed
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CONVERSATION_ID = re.compile(r"^[0-9a-fA-F-]{8,36}$")


class Usage(Exception):
    """Bad input: the reply is the reason plus the usage text."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def text(self) -> str:
        return f"{self.reason}\n\n{USAGE}" if self.reason else USAGE


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Inbox:
    pass


@dataclass(frozen=True)
class Assign:
    conversation_id: str
    user_id: str | None  # a Slack user mention …
    service: str | None  # … or a whole service


@dataclass(frozen=True)
class Status:
    """``resolve`` or ``reopen`` one conversation (the id on its card and in ``inbox``)."""

    action: str  # "resolve" | "reopen"
    conversation_id: str


@dataclass(frozen=True)
class Meetings:
    pass


@dataclass(frozen=True)
class BookingLink:
    start: date | None
    end: date | None
    subject: str | None

    def url(self, public_url: str, agent_slug: str) -> str:
        query = {}
        if self.start:
            query["start"] = f"{self.start:%d.%m.%Y}"
        if self.end:
            query["end"] = f"{self.end:%d.%m.%Y}"
        if self.subject:
            query["subject"] = self.subject
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{public_url}/book/{agent_slug}{suffix}"


@dataclass(frozen=True)
class SettingsModal:
    pass


@dataclass(frozen=True)
class InviteModal:
    pass


@dataclass(frozen=True)
class LinkChannel:
    service: str


@dataclass(frozen=True)
class NewConversation:
    name: str
    emails: tuple[str, ...]


Request = (
    Help
    | Inbox
    | Assign
    | Status
    | Meetings
    | BookingLink
    | SettingsModal
    | LinkChannel
    | NewConversation
    | InviteModal
)


def parse(text: str) -> Request:
    words = text.split()
    if not words or words[0].lower() == "help":
        return Help()
    name, args = words[0].lower(), words[1:]
    if name in ("inbox", "meetings", "settings", "invite"):
        if args:
            raise Usage(f"`{name}` takes no arguments.")
        plain: dict[str, Request] = {
            "inbox": Inbox(),
            "meetings": Meetings(),
            "settings": SettingsModal(),
            "invite": InviteModal(),
        }
        return plain[name]
    if name == "assign":
        return _assign(args)
    if name in ("resolve", "reopen"):
        if len(args) != 1 or not CONVERSATION_ID.match(args[0]):
            raise Usage(f"`{name}` needs a conversation id, like `{name} 0b7a0f6e-…` (it is on the card).")
        return Status(name, args[0])
    if name == "link":
        return _link(text.split(None, 1)[1] if len(words) > 1 else "")
    if name == "link-channel":
        if len(args) != 1 or not SLUG.match(args[0]):
            raise Usage("`link-channel` needs one service, like `link-channel sales`.")
        return LinkChannel(args[0])
    if name == "new":
        return new_conversation(args)
    raise Usage(f"I don't know `{name[:40]}`.")


def _assign(args: list[str]) -> Assign:
    if len(args) != 2 or not CONVERSATION_ID.match(args[0]):
        raise Usage("`assign` needs a conversation id and @someone or a service.")
    mention = MENTION.match(args[1])
    if mention:
        return Assign(args[0], mention.group(1), None)
    if SLUG.match(args[1]):
        return Assign(args[0], None, args[1])
    raise Usage("Assign to @someone or to a service, like `sales`.")


def _date(key: str, value: str) -> date:
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        raise Usage(f"`{key}` must be a date like 24.12.2026, not `{value[:20]}`.") from None


def _link(rest: str) -> BookingLink:
    values: dict[str, str] = {}
    # subject= takes the rest of the line, so a subject may contain spaces.
    if "subject=" in rest:
        rest, subject = rest.split("subject=", 1)
        values["subject"] = subject.strip()
    for word in rest.split():
        key, sep, value = word.partition("=")
        if not sep or key not in ("start", "end") or key in values:
            raise Usage(f"I don't understand `{word[:40]}` in `link`.")
        values[key] = value
    start = _date("start", values["start"]) if "start" in values else None
    end = _date("end", values["end"]) if "end" in values else None
    if start and end and end < start:
        raise Usage("`end` comes before `start`.")
    return BookingLink(start, end, values.get("subject") or None)


def new_conversation(args: list[str]) -> NewConversation:
    """``new <name> [emails…]``: words with an ``@`` are addresses, the others the name (Teams too)."""
    emails = [MAILTO.sub(r"\1", w) for w in args if "@" in w]
    name = " ".join(w for w in args if "@" not in w)
    if not name:
        raise Usage("`new` needs a name, like `new Launch plans ann@example.org`.")
    return NewConversation(name, tuple(emails))
