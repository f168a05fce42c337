"""The words of invitation notices in the conversation."""

from __future__ import annotations

from bot.invitations.model import Invitation


def invited(organizer: str, invitation: Invitation) -> str:
    return f"{organizer} invited {invitation.guest_name} to schedule '{invitation.subject}'"


def booked(invitation: Invitation, when: str) -> str:
    return f"{invitation.guest_name} booked '{invitation.subject}' for {when}"


def withdrawn(by: str, invitation: Invitation) -> str:
    return f"{by} withdrew the invitation to schedule '{invitation.subject}'"
