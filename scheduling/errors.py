"""Refusals of the time library. Each carries a stable ``code`` that adapters map once."""

from __future__ import annotations


class SchedulingError(Exception):
    code = "scheduling_error"

    def __init__(self, code: str | None = None, message: str = "", **details: object) -> None:
        if code is not None:
            self.code = code
        self.message = message or self.code.replace("_", " ")
        self.details = details
        super().__init__(self.message)


class CalendarUnavailable(SchedulingError):
    """A calendar could not be read or written right now; never guess it is free."""

    code = "calendar_unavailable"


class CalendarDisconnected(CalendarUnavailable):
    """The grant is revoked or expired (``invalid_grant``); the agent must reconnect."""

    code = "calendar_disconnected"
