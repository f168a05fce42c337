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
    message["From"] = "Alice <alice@example.com>"
    for header in headers:
        message["Authentication-Results"] = header
    assert dmarc_passed(message, {"mx.convene.test"}) is passed


@pytest.mark.parametrize(
    "config, required, relays",
    [
        ({}, False, set()),
        ({"inbound_require_dmarc": "false"}, False, set()),
        (
            {"inbound_require_dmarc": "true", "inbound_trusted_relays": "mx.a.test, MX.B.test"},
            True,
            {"mx.a.test", "mx.b.test"},
        ),
        ({"inbound_require_dmarc": "mx.convene.test"}, True, {"mx.convene.test"}),  # the one-relay short form
        ({"inbound_require_dmarc": True, "inbound_trusted_relays": "mx.a.test"}, True, {"mx.a.test"}),
    ],
)
def test_the_setting_says_whether_dmarc_is_required_and_whose_verdict_counts(
    config: dict[str, object], required: bool, relays: set[str]
) -> None:
    from adapters.email import authentication

    assert authentication.required(config) is required
    assert authentication.trusted_relays(config) == relays
