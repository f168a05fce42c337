"""Which failed deliveries are worth retrying, and when the outbox gives up.

A network error (refused connection, timeout, a platform that is down or answers 5xx) says nothing about
the notice: it is retried with backoff for as long as it takes. A failure that the same payload will
always meet again — a channel raising ``PermanentDeliveryError``, or a programming or data error such as
the ``ValueError`` a mail header with a line break raises — is tried ``MAX_ATTEMPTS`` times (in case it
was a passing state after all) and then becomes a dead letter: logged once, counted in ``/metrics``,
listed by ``convene outbox failed`` and sent again by ``convene outbox retry ID``.
"""

from __future__ import annotations

import json

MAX_ATTEMPTS = 5

# Errors that no retry can mend: the same event renders the same way every time.
_NEVER_BETTER = (ValueError, TypeError, LookupError, AttributeError, AssertionError, NotImplementedError)


class PermanentDeliveryError(Exception):
    """Raised by a channel when the destination refused this notice for good (an address that does not
    exist, a payload the platform rejects); the outbox stops retrying it after ``MAX_ATTEMPTS``."""


def is_permanent(error: BaseException) -> bool:
    if isinstance(error, PermanentDeliveryError):
        return True
    if isinstance(error, OSError | TimeoutError | json.JSONDecodeError):
        return False  # the network, or a proxy's error page where JSON was expected
    return isinstance(error, _NEVER_BETTER)


def reason(channel: str, error: BaseException) -> str:
    return f"{channel}: {type(error).__name__}: {error}"[:500]
