"""The Teams app package: manifest.json plus two icons, zipped, ready for "Upload a custom app".

Icons are drawn here with the standard library (a PNG is a few zlib-compressed rows), so the package
needs no binary files in the repository.
"""

from __future__ import annotations

import io
import json
import struct
import uuid
import zipfile
import zlib
from typing import Any
from urllib.parse import urlparse

from adapters.teams.cards import COMMANDS

SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.schema.json"
BRAND = (0x2B, 0x57, 0x9A)  # Convene blue


def png(size: int, pixel: Any) -> bytes:
    """A ``size``×``size`` RGBA PNG; ``pixel(x, y)`` gives (r, g, b, a)."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _in_ring(x: int, y: int, size: int, outer: float, inner: float) -> bool:
    c = (size - 1) / 2
    d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
    return bool(inner * size <= d <= outer * size)


def color_icon() -> bytes:
    """192×192, full colour: a white ring (two people meeting) on the brand colour."""
    return png(192, lambda x, y: (255, 255, 255, 255) if _in_ring(x, y, 192, 0.34, 0.22) else (*BRAND, 255))


def outline_icon() -> bytes:
    """32×32, white on transparent, as Teams requires for the outline icon."""
    return png(32, lambda x, y: (255, 255, 255, 255) if _in_ring(x, y, 32, 0.45, 0.3) else (0, 0, 0, 0))


def manifest(app_id: str, url: str, *, name: str = "Convene", version: str = "1.0.0") -> dict[str, Any]:
    host = urlparse(url).hostname
    if not host or urlparse(url).scheme != "https":
        raise ValueError("the public URL must be https://host (Teams only calls bots over HTTPS)")
    # Teams lists at most ten commands: "reopen" (resolve's pair, in the help card) is left out of the list.
    commands = [
        {"title": usage.split(" ")[0], "description": text}
        for usage, text in COMMANDS
        if not usage.startswith("reopen")
    ]
    base = url.rstrip("/")
    return {
        "$schema": SCHEMA,
        "manifestVersion": "1.16",
        "version": version,
        "id": str(uuid.UUID(app_id)),
        "packageName": "com.convene.teams",
        "developer": {
            "name": name,
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": name, "full": f"{name}: guest conversations and meetings"},
        "description": {
            "short": "Answer guests, assign conversations and book meetings from Teams.",
            "full": (
                "Every guest conversation of a service becomes a thread in the service's channel, with a card "
                "to assign it and schedule meetings. Replies in the thread reach the guest."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*BRAND),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["team", "personal", "groupchat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["team", "personal", "groupchat"], "commands": commands[:10]},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
        "webApplicationInfo": {"id": app_id, "resource": f"api://{host}/{app_id}"},
        # Resource-specific consent: the bot reads replies in its threads without being @mentioned.
        "authorization": {
            "permissions": {
                "resourceSpecific": [
                    {"name": "ChannelMessage.Read.Group", "type": "Application"},
                    {"name": "TeamMember.Read.Group", "type": "Application"},
                ]
            }
        },
    }


def package(app_id: str, url: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(app_id, url), indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()
