"""Refusals of the engine. Each has a stable ``code`` and a sentence for people; adapters map them once."""

from __future__ import annotations

from scheduling.errors import SchedulingError


class DomainError(Exception):
    code = "invalid_request"
    status = 400  # a hint for HTTP adapters; other channels ignore it

    def __init__(self, message: str = "", *, code: str | None = None, **details: object) -> None:
        if code is not None:
            self.code = code
        self.message = message or self.code.replace("_", " ").capitalize() + "."
        self.details = details
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "invalid_input"


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class NotAMember(DomainError):
    code = "not_a_member"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class SlotTaken(Conflict):
    code = "slot_taken"


class Unavailable(DomainError):
    code = "unavailable"
    status = 503


# Refusals because of what the thing already is (taken, cancelled), not because of what was asked.
CONFLICTS = frozenset({"slot_taken", "meeting_cancelled"})


def from_scheduling(error: SchedulingError) -> DomainError:
    """The time library raises its own errors; the engine speaks one vocabulary to adapters."""
    status = 503 if error.code in {"calendar_unavailable", "calendar_disconnected"} else 400
    if error.code in CONFLICTS:
        status = 409
    result = DomainError(error.message, code=error.code, **error.details)
    result.status = status
    return result
