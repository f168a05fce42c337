"""How a reply by mail finds its way back: Reply-To addresses per conversation and member,
``reply+<conversation>.<a|g>-<member>.<hmac>@<domain>``, and the marker line above which a reply is read.

The HMAC (with the secret key) makes the address unforgeable: knowing a conversation id is not enough
to write into it by mail. Everything is lower-case, so mail servers that fold case do not break it.
"""

from __future__ import annotations

import hashlib
import hmac
from email.utils import parseaddr
from typing import Any

PREFIX = "reply+"
KINDS = {"agent": "a", "guest": "g"}
SIGNATURE_LENGTH = 24  # hex digits: 96 bits
# Written at the top of every mail that can be answered (``channel``); the inbound side reads a reply
# only above it (``inbound``). Both sides import it from here, so neither imports the other for it.
REPLY_MARKER = "-- Reply above this line --"


def _signature(secret: str, conversation_id: str, kind: str, member_id: str) -> str:
    digest = hmac.new(secret.encode(), f"{conversation_id}.{kind}.{member_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:SIGNATURE_LENGTH]


def mail_domain(config: dict[str, Any]) -> str:
    configured = config.get("mail_domain") or ""
    if configured:
        return str(configured)
    address = parseaddr(str(config.get("mail_from") or ""))[1]
    return address.rpartition("@")[2] or "localhost"


def reply_address(config: dict[str, Any], conversation_id: str, kind: str, member_id: str) -> str:
    signature = _signature(str(config["secret_key"]), conversation_id, kind, member_id)
    return f"{PREFIX}{conversation_id}.{KINDS[kind]}-{member_id}.{signature}@{mail_domain(config)}"


def parse_reply_address(config: dict[str, Any], address: str) -> tuple[str, str, str] | None:
    """(conversation id, member kind, member id) for a genuine reply address; None for anything else."""
    local = parseaddr(address)[1].rpartition("@")[0].lower()
    if not local.startswith(PREFIX):
        return None
    parts = local[len(PREFIX) :].split(".")
    if len(parts) != 3:
        return None
    conversation_id, member, signature = parts
    letter, _, member_id = member.partition("-")
    kind = next((k for k, v in KINDS.items() if v == letter), None)
    if kind is None or not member_id or not conversation_id:
        return None
    expected = _signature(str(config["secret_key"]), conversation_id, kind, member_id)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return conversation_id, kind, member_id
