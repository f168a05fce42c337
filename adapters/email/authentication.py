"""Who really sent a mail: the ``Authentication-Results`` of our trusted relay (RFC 8601).

With ``CONVENE_INBOUND_REQUIRE_DMARC`` set to the relay's authserv-id (``mx.example.com``), a mail
counts only when that relay's header says ``dmarc=pass`` for the From domain. Headers from anyone else
are ignored: a sender can write any header it likes, but not one above our relay's.
"""

from __future__ import annotations

import re
from email.message import Message

_DMARC = re.compile(r"\bdmarc\s*=\s*(\w+)(?:[^;]*?header\.from\s*=\s*([\w.-]+))?", re.IGNORECASE)


def dmarc_passed(message: Message, trusted_relay: str, sender: str) -> bool:
    domain = sender.rpartition("@")[2].lower()
    for header in message.get_all("Authentication-Results", []):
        authserv, _, results = str(header).partition(";")
        words = authserv.split()
        if not words or words[0].lower() != trusted_relay.lower():
            continue
        for match in _DMARC.finditer(results):
            verdict, header_from = match.group(1).lower(), (match.group(2) or domain).lower()
            if verdict == "pass" and header_from == domain:
                return True
    return False
