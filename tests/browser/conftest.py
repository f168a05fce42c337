"""Browser tests: the real app (dispatcher and job workers running) on 127.0.0.1, seeded with the demo
data, driven by headless Chromium through Playwright. Nothing leaves the machine."""

from __future__ import annotations

import html
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.web.app import make_app
from bot.bootstrap import Runtime, bootstrap
from bot.commands import IssueAgentToken

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    runtime: Runtime
    runner: web.AppRunner
    port: int
    site: web.TCPSite | None = None
    page_errors: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def listen(self) -> None:
        self.site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
        await self.site.start()

    async def drop(self) -> None:
        """What a crash or a network cut looks like from the browser: the port stops answering and
        every open connection (WebSockets, keep-alive HTTP) dies without a goodbye."""
        assert self.site is not None
        await self.site.stop()
        self.site = None
        for connection in self.runner.server.connections if self.runner.server else []:
            connection.force_close()

    async def login_link(self, slug: str) -> str:
        token = await self.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com", kind="login"))
        return f"{self.url}/inbox/login?token={token}"

    async def agent_token(self, slug: str) -> str:
        return str(await self.runtime.bus.handle(IssueAgentToken(f"{slug}@example.com")))


async def embedding_page(request: web.Request) -> web.Response:
    """``/test-site?agent=alice``: a page on the server's own origin (so it shares localStorage with
    /book/…) embedding the widget for an agent or a service; Playwright-fulfilled pages cannot be
    used, Chromium blocks their WebSockets to 127.0.0.1 (local network access checks). ``lang`` sets
    the page's ``<html lang>``; ``color``, ``position``, ``greeting`` and ``title`` the widget's look."""
    attrs = "".join(
        f' data-{key}="{html.escape(request.query[key])}"'
        for key in ("agent", "service", "color", "position", "greeting", "title")
        if key in request.query
    )
    lang = html.escape(request.query.get("lang", "en"))
    lang_attr = f' lang="{lang}"' if lang else ""  # lang= (empty): a page without a lang of its own
    body = (
        f'<!doctype html><html{lang_attr}><meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Test site</title><h1>Test site</h1><script src="/widget.js"{attrs} async></script>'
    )
    return web.Response(text=body, content_type="text/html")


@dataclass
class OtherSite:
    """Someone else's website on another origin (another port on 127.0.0.1): it serves whatever HTML a
    test puts in ``pages``, with no CSP of its own."""

    url: str
    pages: dict[str, str] = field(default_factory=dict)


@pytest.fixture
async def other_site() -> AsyncIterator[OtherSite]:
    site = OtherSite(f"http://127.0.0.1:{free_port()}")

    async def page(request: web.Request) -> web.Response:
        if request.path not in site.pages:
            raise web.HTTPNotFound()
        return web.Response(text=site.pages[request.path], content_type="text/html")

    app = web.Application()
    app.router.add_get("/{path:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(site.url.rsplit(":", 1)[1])).start()
    try:
        yield site
    finally:
        await runner.cleanup()


@pytest.fixture
def server_clock() -> Any:
    """The live server's clock: the real one (None), unless a test module overrides this fixture
    with a ``DrivenClock`` (working hours, say, that must not depend on when the suite runs)."""
    return None


@pytest.fixture
async def server(sqlite_url: str, make_settings: Any, server_clock: Any) -> AsyncIterator[LiveServer]:
    async with live_server(sqlite_url, make_settings, server_clock) as live:
        yield live


@asynccontextmanager
async def live_server(sqlite_url: str, make_settings: Any, clock: Any = None) -> AsyncIterator[LiveServer]:
    """The app with its workers on a free port, seeded with the demo data; ``clock``: a driven one."""
    from bot.cli import demo

    port = free_port()
    runtime = bootstrap(
        make_settings(
            sqlite_url,
            host="127.0.0.1",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            run_workers=True,
            worker_poll_seconds=0.05,
        ),
        clock=clock,
    )
    await demo(runtime)
    app = make_app(runtime, manage_workers=True)
    app.router.add_get("/test-site", embedding_page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()  # starts the outbox dispatcher and the job runner
    live = LiveServer(runtime, runner, port)
    await live.listen()
    try:
        yield live
    finally:
        await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing in CI: the browser tests must run there")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=15_000)  # generous for slow CI machines; waits end as soon as true
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def new_page(browser: Any, server: LiveServer, **context_options: Any) -> Any:
    """A fresh browser profile (its own localStorage); uncaught script errors fail the test.
    ``context_options`` go to Playwright's new_context (timezone_id, locale, …)."""
    context = await browser.new_context(**{"viewport": {"width": 1200, "height": 800}, **context_options})
    page = await context.new_page()
    watch_page(page, server)
    return page


def watch_page(page: Any, server: LiveServer) -> None:
    """Uncaught script errors and browser dialogs (alert, confirm) of this page fail the test."""
    page.on("pageerror", lambda error: server.page_errors.append(str(error)))

    async def on_dialog(dialog: Any) -> None:
        server.page_errors.append(f"a dialog opened: {dialog.message}")  # e.g. injected alert(1)
        await dialog.dismiss()

    page.on("dialog", on_dialog)


@pytest.fixture
def no_page_errors(server: LiveServer) -> Any:
    yield
    assert server.page_errors == []
