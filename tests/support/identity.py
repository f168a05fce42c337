"""Guests whose address counts: proven, as if they had opened the one-time link (see bot/identity)."""

from __future__ import annotations

from typing import Any

from bot.commands import RegisterGuest
from bot.model import Guest


async def proven_guest(runtime: Any, name: str, email: str) -> Guest:
    """A guest who typed ``email`` and proved it earlier: Convene mails them like anyone else."""
    guest = (await runtime.bus.handle(RegisterGuest(name, email))).guest
    async with runtime.uow() as uow:
        guest.email_proven_at = runtime.clock.now()
        await uow.guests.save(guest)
        await uow.commit()
    assert isinstance(guest, Guest)
    return guest
