"""The customer's links: one to pick any free time, one per promoted slot. Shared by the API (which
returns them for "Copy links"), the invitation email and the pages that open them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.errors import InvalidInput

SLOT_FORMAT = "%Y%m%dT%H%MZ"  # 20261124T0800Z: short, URL-safe, unambiguous (UTC)


def slot_code(start: datetime) -> str:
    return start.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot_code(code: str) -> datetime:
    try:
        return datetime.strptime(code, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(
            "That is not a time slot of this invitation.", code="invalid_slot", field="slot"
        ) from None


def invitation_link(base_url: str, token: str, slot: datetime | None = None) -> str:
    link = f"{base_url.rstrip('/')}/invite/{token}"
    return f"{link}/{slot_code(slot)}" if slot is not None else link


def links(base_url: str, token: str, promoted: list[datetime]) -> dict[str, object]:
    return {
        "any": invitation_link(base_url, token),
        "promoted": [
            {
                "start": p.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "url": invitation_link(base_url, token, p),
            }
            for p in promoted
        ],
    }
