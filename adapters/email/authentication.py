"""Is an inbound mail really from its ``From`` address? Only a relay we trust can say so.

With ``inbound_require_dmarc`` on, a mail counts only when the topmost ``Authentication-Results``
header (RFC 8601) written by one of ``inbound_trusted_relays`` (its authserv-id, comma-separated)
reports ``dmarc=pass`` for the ``From`` domain. Headers naming any other authserv-id are ignored: anyone
can write one. The trusted relay must strip incoming headers that carry its own authserv-id (as
Postfix with OpenDMARC, rspamd and the large providers do). Replies by mail and the assistant address
both call ``accepted`` before they act on a mail.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

_DMARC = re.compile(r"(?:^|;)\s*dmarc\s*=\s*([a-z]+)\b([^;]*)", re.IGNORECASE)
_HEADER_FROM = re.compile(r"header\.from\s*=\s*([^\s;()]+)", re.IGNORECASE)
REFUSAL = "550 5.7.1 This mail could not be authenticated (DMARC)"


_YES, _NO = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off", "none"}


def _flag(config: dict[str, Any]) -> str:
    return str(config.get("inbound_require_dmarc") or "").strip().lower()


def trusted_relays(config: dict[str, Any]) -> set[str]:
    """The authserv-ids whose verdict counts. ``inbound_require_dmarc`` may itself name the one relay
    (``CONVENE_INBOUND_REQUIRE_DMARC=mx.example.com``), the short form for the common single-relay case."""
    raw = config.get("inbound_trusted_relays") or ""
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    relays = {str(i).strip().lower() for i in items if str(i).strip()}
    flag = _flag(config)
    if flag not in _YES | _NO:
        relays.add(flag)
    return relays


def required(config: dict[str, Any]) -> bool:
    return _flag(config) not in _NO


def dmarc_passed(message: EmailMessage, trusted: Collection[str]) -> bool:
    """``dmarc=pass`` for the From domain, in the topmost header of a trusted authserv-id."""
    sender_domain = parseaddr(str(message.get("From", "")))[1].rpartition("@")[2].lower()
    if not sender_domain or not trusted:
        return False
    for header in message.get_all("Authentication-Results") or []:
        authserv_id, _, results = str(header).partition(";")
        words = authserv_id.split()
        if not words or words[0].lower() not in trusted:
            continue  # written by someone we do not trust: it proves nothing
        found = _DMARC.search(";" + results)
        if found is None or found.group(1).lower() != "pass":
            return False
        domain = _HEADER_FROM.search(found.group(2))
        return domain is None or domain.group(1).strip("\"'").lower() == sender_domain
    return False


def accepted(message: EmailMessage, config: dict[str, Any]) -> bool:
    """True unless DMARC is required and the mail does not pass it through a trusted relay."""
    return not required(config) or dmarc_passed(message, trusted_relays(config))
