"""Which ``Authentication-Results`` headers make a mail count, behind the relay ``mx.convene.test``."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from adapters.email.authentication import dmarc_passed


@pytest.mark.parametrize(
    "headers, passed",
    [
        (["mx.convene.test; dmarc=pass header.from=example.com"], True),
        (
            ["mx.convene.test; spf=pass; dkim=pass; dmarc=pass (p=reject dis=none) header.from=example.com"],
            True,
        ),
        (["MX.Convene.Test 1; dmarc=pass"], True),  # a version number; header.from left out
        (["mx.convene.test; dmarc=fail header.from=example.com"], False),
        (["mx.convene.test; dmarc=pass header.from=example.net"], False),  # another domain passed
        (["mx.attacker.test; dmarc=pass header.from=example.com"], False),  # not our relay
        (["mx.convene.test; spf=pass"], False),
        ([], False),
    ],
)
def test_only_our_relays_dmarc_pass_for_the_senders_domain_counts(headers: list[str], passed: bool) -> None:
    message = EmailMessage()
    for header in headers:
        message["Authentication-Results"] = header
    assert dmarc_passed(message, "mx.convene.test", "alice@example.com") is passed
