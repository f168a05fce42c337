"""Replies by mail with CONVENE_INBOUND_REQUIRE_DMARC: only a mail whose trusted relay reports
``dmarc=pass`` for its From domain is posted. Real SMTP: aiosmtplib to the inbound server on 127.0.0.1.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller

from adapters.email.reply_address import reply_address
from bot.bootstrap import bootstrap
from bot.cli import demo
from bot.commands import StartConversation
from tests.integration.test_email import Collect, free_port, tick
from tests.support.identity import proven_guest

RELAY = "mx.convene.test"


@pytest.fixture
async def dmarc_runtime(sqlite_url: str, make_settings: Any, clock: Any) -> Any:
    controller = Controller(Collect(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = make_settings(
        sqlite_url,
        run_workers=False,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_tls="none",
        mail_from="Convene <convene@mail.convene.test>",
        inbound_smtp_port=free_port(),
        inbound_require_dmarc=True,
        inbound_trusted_relays=f"{RELAY}, other-relay.example",
    )
    runtime = bootstrap(settings, clock=clock)
    await demo(runtime)
    await runtime.start_workers()
    await tick(runtime)
    try:
        yield runtime
    finally:
        await runtime.stop()
        controller.stop()


async def reply(runtime: Any, results: list[str], sender: str = "ann@example.org") -> tuple[str, int]:
    """(the conversation, how many messages it has after Ann's reply by mail)."""
    ann = await proven_guest(runtime, "Ann", "ann@example.org")
    cid = (await runtime.bus.handle(StartConversation(ann.id, "Hi", agent="alice"))).conversation.id
    mail = EmailMessage()
    for header in results:
        mail["Authentication-Results"] = header
    mail["From"] = sender
    mail["To"] = reply_address(runtime.config, cid, "guest", ann.id)
    mail["Subject"] = "Re: your conversation"
    mail["Message-ID"] = "<r1@example.org>"
    mail.set_content("Thanks!")
    try:
        await aiosmtplib.send(
            mail,
            hostname="127.0.0.1",
            port=runtime.settings.inbound_smtp_port,
            start_tls=False,
            use_tls=False,
        )
    except aiosmtplib.SMTPDataError as error:
        assert error.code == 550
    async with runtime.uow(read_only=True) as uow:
        return cid, len(await uow.messages.list(cid))


PASS = f"{RELAY}; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass (p=reject) header.from=example.org"


@pytest.mark.parametrize(
    "results, posted",
    [
        ([PASS], True),
        ([], False),  # no verdict at all
        ([PASS.replace("dmarc=pass", "dmarc=fail")], False),
        ([PASS.replace(RELAY, "mx.attacker.example")], False),  # anyone can write the header
        ([PASS.replace("header.from=example.org", "header.from=attacker.example")], False),  # another domain
        ([PASS.replace("dmarc=pass", "dmarc=fail"), PASS], False),  # the topmost trusted verdict counts
        ([PASS.replace(RELAY, "mx.attacker.example"), PASS], True),  # untrusted ones above are ignored
        (["other-relay.example 1; dmarc=pass header.from=example.org"], True),
    ],
)
async def test_a_reply_by_mail_is_posted_only_with_a_trusted_dmarc_pass(
    dmarc_runtime: Any, results: list[str], posted: bool
) -> None:
    _, count = await reply(dmarc_runtime, results)
    assert count == (3 if posted else 2)  # the system notice, "Hi", and the reply when accepted
