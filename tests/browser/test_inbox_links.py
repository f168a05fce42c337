"""Deep links into the inbox in headless Chromium: the link in a real ``.eml`` (the sign-in mail of an
agent who followed a deep link while signed out) and the "Open in inbox" button of a Slack card (as
the fake Slack Web API recorded it) open the conversation, scrolled to the message; the older
``#c=``, ``#…`` and ``#conversation=`` forms still open."""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import expect

from adapters.web.app import make_app
from adapters.web.limits import LIMITS
from bot.bootstrap import bootstrap
from tests.browser.conftest import LiveServer, free_port, new_page
from tests.browser.test_chat import open_inbox
from tests.browser.test_inbox_search import guest_conversation
from tests.integration.slack.conftest import SECRET, USERS
from tests.integration.slack.fake_slack import FakeSlack, signature_headers

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


async def messages_of(server: LiveServer, cid: str) -> list[Any]:
    async with server.runtime.uow(read_only=True) as uow:
        return list(await uow.messages.list(cid))


async def sign_in_mail_link(server: LiveServer, to: str) -> str:
    await server.runner.app[LIMITS].settle()  # the answer's background work: the link is issued
    await server.runtime.dispatcher.handed_delivered()  # what this process delivers from memory
    while await server.runtime.dispatcher.dispatch_once():
        pass
    folder = Path(server.runtime.settings.data_dir) / "outbox"
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in folder.glob("*.eml")
    ]
    texts = [
        m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for m in mails
        if to in str(m["To"]) and m["Subject"] == "Your Convene sign-in link"
    ]
    # The demo's own links went out at start-up; the form's is the one that leads somewhere.
    links = [
        link for text in texts for link in re.findall(r"http://\S+/inbox/login\?\S+", text) if "next=" in link
    ]
    assert len(links) == 1, texts
    return links[0]


async def test_a_deep_link_followed_while_signed_out_opens_after_the_emailed_sign_in(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server)
    texts = ["Where is my order?"] + [f"filler line {i}" for i in range(30)] + ["The last line"]
    cid = await guest_conversation(page, server, "Ann", texts)
    wanted = next(m for m in await messages_of(server, cid) if m.text == "Where is my order?")
    deep = f"{server.url}/inbox/c/{cid}/m/{wanted.id}"

    await page.goto(deep)
    await page.get_by_test_id("login-email").fill("alice@example.com")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("login-sent")).to_be_visible()

    link = await sign_in_mail_link(server, "alice@example.com")
    assert f"next=%2Finbox%2Fc%2F{cid}%2Fm%2F{wanted.id}" in link
    elsewhere = await new_page(browser, server)  # another browser: only the mailed link knows the way
    await elsewhere.goto(link)
    await expect(elsewhere).to_have_url(deep)
    await expect(elsewhere.get_by_test_id("conversation-title")).to_have_text("Ann")
    found = elsewhere.locator('[data-testid="message"][data-found="true"]')
    await expect(found.get_by_test_id("message-text")).to_have_text("Where is my order?")
    await expect(found).to_be_in_viewport()


async def test_a_one_time_link_lands_on_the_deep_link_followed_before_signing_in(
    browser: Any, server: LiveServer
) -> None:
    page = await new_page(browser, server)
    cid = await guest_conversation(page, server, "Ben", ["Hello there"])
    await page.goto(f"{server.url}/inbox/c/{cid}")
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    await page.goto(await server.login_link("alice"))  # a link without next: the browser remembered
    await expect(page).to_have_url(f"{server.url}/inbox/c/{cid}")
    await expect(page.get_by_test_id("conversation-title")).to_have_text("Ben")


@pytest.mark.parametrize("form", ["#c={cid}", "#{cid}", "#conversation={cid}"])
async def test_the_older_link_forms_still_open_the_conversation(
    browser: Any, server: LiveServer, form: str
) -> None:
    page = await new_page(browser, server)
    cid = await guest_conversation(page, server, "Cleo", ["An old link"])
    inbox = await open_inbox(browser, server, "alice")
    await inbox.goto(server.url + "/inbox" + form.format(cid=cid))
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text("Cleo")
    await expect(inbox).to_have_url(f"{server.url}/inbox/c/{cid}")  # and now shows the one form


# ---- Slack ---------------------------------------------------------------------------------------


@pytest.fixture
async def slack_server(sqlite_url: str, make_settings: Any) -> AsyncIterator[tuple[LiveServer, FakeSlack]]:
    from bot.cli import demo

    fake = FakeSlack()
    fake.users.update(USERS)
    await fake.start()
    port = free_port()
    runtime = bootstrap(
        make_settings(
            sqlite_url,
            host="127.0.0.1",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            run_workers=True,
            worker_poll_seconds=0.05,
            slack_bot_token="xoxb-test",
            slack_signing_secret=SECRET,
            slack_api_url=fake.url + "/api/",
            extra={"slack_min_interval": 0},
        )
    )
    await demo(runtime)
    runner = web.AppRunner(make_app(runtime, manage_workers=True), access_log=None)
    await runner.setup()
    live = LiveServer(runtime, runner, port)
    await live.listen()
    try:
        yield live, fake
    finally:
        await runner.cleanup()
        await fake.stop()


async def slash(server: LiveServer, fake: FakeSlack, user: str, text: str) -> None:
    form = {
        "token": "legacy", "team_id": "T1", "team_domain": "test", "channel_id": "CSALES",
        "channel_name": "sales", "user_id": user, "user_name": user.lower(), "command": "/convene",
        "text": text, "api_app_id": "A1", "response_url": f"{fake.url}/respond/1", "trigger_id": "t-1",
    }  # fmt: skip
    body = urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(SECRET, body)}
    async with aiohttp.ClientSession() as session:
        async with session.post(server.url + "/slack/events", data=body.encode(), headers=headers) as r:
            assert r.status == 200


async def test_the_open_in_inbox_button_of_a_slack_card_opens_the_conversation(
    slack_server: tuple[LiveServer, FakeSlack], browser: Any
) -> None:  # the server first: the browser closes its sockets before the server stops
    server, fake = slack_server
    await slash(server, fake, "UALICE", "link-channel sales")
    page = await new_page(browser, server)
    cid = await guest_conversation(page, server, "Dora", ["A quote, please"])
    card = None
    for _ in range(500):  # the workers post the card; the dispatcher is driven here too: no sleeping
        roots = [a for a in fake.of("chat.postMessage") if "thread_ts" not in a and a.get("blocks")]
        if roots:
            card = roots[0]
            break
        await server.runtime.dispatcher.handed_delivered()  # what this process delivers from memory
        await server.runtime.dispatcher.dispatch_once()
    assert card is not None
    blocks = card["blocks"] if isinstance(card["blocks"], list) else json.loads(card["blocks"])
    [url] = [e["url"] for b in blocks if b["type"] == "actions" for e in b["elements"] if e.get("url")]
    assert url == f"{server.url}/inbox/c/{cid}"
    inbox = await open_inbox(browser, server, "alice")
    await inbox.goto(url)
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text("Dora")
    await expect(inbox.get_by_test_id("contact-panel")).to_be_visible()
