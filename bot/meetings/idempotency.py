"""An ``Idempotency-Key`` names one request: repeating it with the same body returns the meeting
booked the first time; reusing it with a different body is refused (``idempotency_key_reused``,
422) instead of silently answering with a meeting the caller did not ask for.

The meeting row keeps a hash of the canonical request beside the key. A meeting booked before the
hash was stored has none, and any repeat of its key returns it, as it always did.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from bot.errors import DomainError
from bot.meetings.commands import BookMeeting
from bot.meetings.model import Meeting


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422


def request_hash(cmd: BookMeeting, start: datetime) -> str:
    """What the caller asked for, as given (defaults are not filled in), with the start in UTC."""
    canonical = {
        "start": start.isoformat(),
        "duration": cmd.duration,
        "subject": cmd.subject,
        "agent": cmd.agent,
        "service": cmd.service,
        "guest_id": cmd.guest_id,
        "conversation_id": cmd.conversation_id,
        "guest_timezone": cmd.guest_timezone,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def same_request(earlier: Meeting, digest: str) -> Meeting:
    """The earlier meeting, when this is the same request again; refused otherwise."""
    if earlier.request_hash is not None and earlier.request_hash != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different booking; use a new key for a new request.",
            field="Idempotency-Key",
        )
    return earlier
