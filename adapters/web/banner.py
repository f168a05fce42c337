"""The block ``convene serve`` prints once it listens: where the demo site and the inbox are, where mail
goes and which addresses receive it. One block, printed once (by the first worker only), so a first run
reads as a short list of links rather than a log."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def startup_banner(runtime: Any, host: str, port: int) -> str:
    settings = runtime.settings
    local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    base = settings.public_url.rstrip("/") or local
    lines = [
        f"Convene is running on {local}" + (f" (public URL {base})" if base != local else ""),
        f"  demo site   {base}/        a sample shop page with the chat widget: chat as a guest there",
        f"  inbox       {base}/inbox   for agents (a sign-in link: convene agent login-link EMAIL)",
    ]
    email = runtime.channels.get("email")
    if email is not None:
        if settings.smtp_host:
            lines.append(f"  mail out    through SMTP {settings.smtp_host}:{settings.smtp_port}")
        else:
            folder = Path(settings.data_dir) / "outbox"
            lines.append(f"  mail out    written to {folder}/ as .eml files (CONVENE_SMTP_HOST sends it)")
        inbound = getattr(email, "inbound", None)
        where = getattr(inbound, "listening", None)
        if where:
            lines.append(f"  assistant   {inbound.assistant_address}  (invite it to a calendar event)")
            lines.append(
                f"  replies     reply+…@{settings.mail_domain_name}  (mail in: SMTP on {where[0]}:{where[1]})"
            )
    others = [name for name in runtime.channels if name not in ("web", "email")]
    if others:
        lines.append(f"  channels    {', '.join(others)}")
    lines.append("Stop with Ctrl+C.")
    return "\n".join(lines)


def is_first_worker() -> bool:
    """Several workers (``bot.supervisor``) share a port: only the first one prints the block."""
    return os.environ.get("CONVENE_WORKER_INDEX", "0") in ("", "0")
