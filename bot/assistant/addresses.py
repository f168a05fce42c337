"""The assistant's addresses: ``assistant@<domain>`` for everyone, ``assistant+<token>@<domain>`` per
conversation. The token is 128 random bits in lower-case hex, so mail servers that fold case keep it."""

from __future__ import annotations

import secrets
from email.utils import parseaddr

TOKEN_BYTES = 16  # 128 bits


def new_address_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def conversation_address(assistant_address: str, token: str) -> str:
    local, _, domain = assistant_address.partition("@")
    return f"{local}+{token}@{domain}"


def address_token(address: str, assistant_address: str) -> str | None:
    """``""`` for the assistant address itself, the token for a conversation's own address, else None."""
    wanted_local, _, wanted_domain = assistant_address.lower().partition("@")
    local, _, domain = parseaddr(address)[1].lower().partition("@")
    if domain != wanted_domain:
        return None
    if local == wanted_local:
        return ""
    base, plus, token = local.partition("+")
    if (
        plus
        and base == wanted_local
        and len(token) == 2 * TOKEN_BYTES
        and all(c in "0123456789abcdef" for c in token)
    ):
        return token
    return None
