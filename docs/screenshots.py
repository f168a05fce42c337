"""`make screenshots`: the pictures in the README, taken from the real app.

Starts Convene in this process on a temporary SQLite database with the demo data, drives headless
Chromium (/usr/bin/chromium) through a guest's chat, a booking and an agent's inbox, and writes PNGs into
docs/screenshots/: the widget closed (an agent answered meanwhile: the unread badge and the message's
preview beside the launcher) and open, the widget on a phone, the booking page, the confirmation page a
booking leads to (/booked/{token}), the inbox, and one email (the HTML part of the real mail the guest was sent). Each PNG is optimised and kept
under 300 KB.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import io
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's code, however the script is started

from aiohttp import web  # noqa: E402

from adapters.web.app import make_app  # noqa: E402
from bot.bootstrap import Runtime, bootstrap  # noqa: E402
from bot.cli import demo  # noqa: E402
from bot.commands import IssueAgentToken, PostMessage  # noqa: E402
from bot.model import Actor  # noqa: E402
from bot.settings import Settings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as in tests/browser/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 375, "height": 740}
LIMIT = 300_000  # bytes per PNG
ALICE = Actor("agent", "alice", "Alice")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def optimise(path: Path) -> None:
    """Lossless first; a 256-colour palette (fine for flat UI) only when that is still too big."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
    image.save(path, optimize=True)
    if path.stat().st_size > LIMIT:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"  wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


async def shot(page: Any, name: str, **options: Any) -> None:
    await page.wait_for_timeout(300)  # let transitions (the panel sliding in) finish before the picture
    path = OUT / f"{name}.png"
    await page.screenshot(path=str(path), **options)
    optimise(path)


async def start(folder: Path) -> tuple[Runtime, web.AppRunner, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/convene.db",
        data_dir=str(folder),
        host="127.0.0.1",
        port=port,
        public_url=url,
        mail_from="Acme Inc. <hello@acme.example>",
        mail_from_name="Acme Sales",
        inbound_smtp_port=0,
        worker_poll_seconds=0.05,
        log_level="WARNING",
    )
    runtime = bootstrap(settings)
    await runtime.storage.migrate()
    with contextlib.redirect_stdout(io.StringIO()):  # its sign-in links are not for this run's reader
        await demo(runtime)
    runner = web.AppRunner(make_app(runtime, manage_workers=True), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runtime, runner, url


async def settle(runtime: Runtime) -> None:
    while await runtime.dispatcher.dispatch_once():
        pass


async def guest_chat(browser: Any, runtime: Runtime, url: str) -> tuple[Any, Any]:
    context = await browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Berlin")
    page = await context.new_page()
    await page.goto(url + "/")
    await page.get_by_test_id("launcher").click()
    await page.get_by_test_id("name-input").fill("Ann")
    await page.get_by_test_id("email-input").fill("ann@example.org")
    await page.get_by_test_id("start-button").click()
    await page.get_by_test_id("message-input").fill("Hi! Do you ship anvils to Arizona?")
    await page.get_by_test_id("send-button").click()
    await page.get_by_test_id("message").filter(has_text="Arizona").wait_for()
    session = await page.evaluate(
        "() => JSON.parse(localStorage.getItem(`convene:${location.origin}:session`))"
    )
    async with runtime.uow(read_only=True) as uow:
        conversation = (await uow.conversations.list_for_guest(session["guest_id"]))[0]
    await runtime.bus.handle(
        PostMessage(
            conversation.id, ALICE, "We do! Same-day delivery to Arizona. Shall we book a short call?"
        )
    )
    await page.get_by_test_id("message").filter(has_text="Same-day").wait_for()
    return page, conversation


async def booking(browser: Any, runtime: Runtime, url: str) -> None:
    context = await browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Berlin")
    page = await context.new_page()
    await page.goto(url + "/book/alice?subject=Anvil%20demo")
    await page.get_by_test_id("slot").first.wait_for()
    await shot(page, "booking-page")
    await page.get_by_test_id("slot").first.click()
    await page.get_by_test_id("name").fill("Ben")
    await page.get_by_test_id("email").fill("ben@example.org")
    await page.get_by_test_id("note").fill("Please bring the price list for Arizona.")
    await page.get_by_test_id("schedule").click()
    await page.wait_for_url("**/booked/**")  # the confirmation's own address, which survives a reload
    await page.get_by_test_id("booking-confirmed").wait_for()
    await page.get_by_test_id("cal-google").wait_for()
    await page.wait_for_load_state("networkidle")
    await shot(page, "booking-confirmation")
    await context.close()


async def mail_shot(browser: Any, runtime: Runtime, folder: Path, to: str) -> None:
    await settle(runtime)
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted((folder / "outbox").glob("*.eml"))
    ]
    meeting_mails = [m for m in mails if to in str(m["To"]) and "meeting" in str(m["Subject"]).lower()]
    if not meeting_mails:
        print(f"  skipped email.png: no meeting mail to {to} in the outbox")
        return
    html = meeting_mails[-1].get_body(("html",)).get_content()  # type: ignore[union-attr]
    path = folder / "mail.html"
    path.write_text(html)
    context = await browser.new_context(viewport={"width": 720, "height": 480}, locale="en-GB")
    page = await context.new_page()
    await page.goto(path.as_uri())
    await shot(page, "email", full_page=True)
    await context.close()


async def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"screenshots need Chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.async_api import async_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="convene-screenshots-"))
    runtime, runner, url = await start(folder)
    print(f"Convene on {url} (data in {folder}); writing {OUT.relative_to(ROOT)}/")
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page, conversation = await guest_chat(browser, runtime, url)
            await shot(page, "widget-open")
            await page.get_by_test_id("launcher").click()  # closed, and a new answer arrives
            await runtime.bus.handle(
                PostMessage(conversation.id, ALICE, "Here is my booking link, pick any time.")
            )
            await page.get_by_test_id("unread-badge").wait_for()
            await page.get_by_test_id("launcher-preview").wait_for()  # the answer's preview beside it
            await shot(page, "widget-closed")
            await page.set_viewport_size(PHONE)
            await page.get_by_test_id("launcher").click()
            await shot(page, "widget-phone")

            await booking(browser, runtime, url)
            await mail_shot(browser, runtime, folder, "alice@example.com")

            token = await runtime.bus.handle(IssueAgentToken("alice@example.com", kind="login"))
            inbox = await (
                await browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Berlin")
            ).new_page()
            await inbox.goto(f"{url}/inbox/login?token={token}")
            await (
                inbox.get_by_test_id("connection-status")
                .and_(inbox.locator('[data-state="online"]'))
                .wait_for()
            )
            await inbox.get_by_test_id("conversation-item").filter(has_text="Ann").first.click()
            await inbox.get_by_test_id("message-text").filter(has_text="Arizona").first.wait_for()
            await shot(inbox, "inbox")
            await browser.close()
    finally:
        await runner.cleanup()
        await runtime.storage.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
