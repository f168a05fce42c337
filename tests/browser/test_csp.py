"""Our pages under a strict Content-Security-Policy: every HTML page sends it, and Chromium reports no
violation while a guest chats and opens scheduling on the demo site, books on the personal link, and
an agent signs in and works in the inbox. A violation means something inline (a script, a style
attribute, an event handler) crept back into a page or into the DOM our scripts build."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import expect

from adapters.web.security_headers import CONTENT_SECURITY_POLICY
from tests.browser.conftest import LiveServer, OtherSite, new_page
from tests.browser.test_chat import conversation, guest_says, start_chat, thread_message

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
STATIC = Path(__file__).parents[2] / "adapters" / "web" / "static"

# Collects every securitypolicyviolation in the page, Shadow DOMs included (the event is composed).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
  `${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile || location.href}:${e.lineNumber}`
), true);
"""


class CspWatch:
    """What the browser said about the policy on one page, across its navigations."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.documents: dict[str, Any] = {}  # HTML URL -> its response

    @classmethod
    async def on(cls, page: Any) -> CspWatch:
        watch = cls()
        await page.expose_function("__cspViolation", watch._violation)
        await page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", watch._console)
        page.on("response", watch._response)
        return watch

    def _violation(self, text: str) -> None:
        self.violations.append(text)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.documents[response.url] = response

    async def assert_strict(self, pages: int) -> None:
        assert self.violations == []
        assert len(self.documents) >= pages, self.documents.keys()
        for url, response in self.documents.items():
            headers = await response.all_headers()  # .headers leaves security headers out
            policy = headers.get("content-security-policy", "")
            assert policy == CONTENT_SECURITY_POLICY, f"{url} sends {policy!r}"
            assert "unsafe-" not in policy
            for directive in (
                "default-src 'self'",
                "frame-ancestors 'none'",
                "object-src 'none'",
                "base-uri 'none'",
            ):
                assert directive in policy, f"{url} lacks {directive}"


async def test_every_page_sends_a_strict_policy_and_breaks_none_of_it(
    browser: Any, server: LiveServer
) -> None:
    # The demo site with the widget: its stylesheet in the Shadow DOM, the chat, the scheduling view.
    guest = await new_page(browser, server, locale="en-GB", timezone_id="Europe/Berlin")
    watch = await CspWatch.on(guest)
    await start_chat(guest, server, "Ann")
    await guest_says(guest, "Hello, <b onmouseover=alert(1) style='color:red'>anvils</b>?")
    await guest.get_by_test_id("schedule-meeting").click()
    await expect(guest.get_by_test_id("booking-slot").first).to_be_visible()
    shell = guest.get_by_test_id("launcher").locator("xpath=..")
    assert await shell.evaluate("e => getComputedStyle(e).position") == "fixed"  # widget.css applied

    # Alice's personal booking page: the slot picker and its own stylesheet.
    await guest.goto(server.url + "/book/alice?subject=Anvils")
    await guest.get_by_test_id("slot").first.click()
    await expect(guest.get_by_test_id("schedule")).to_be_enabled()
    assert (
        await guest.locator("main").evaluate("e => getComputedStyle(e).maxWidth") == "1060px"
    )  # book.css applied

    # The page Google's consent screen sends an agent back to.
    await guest.goto(server.url + "/calendar/google/connect")
    await expect(guest.locator("h1")).to_have_text("Google Calendar was not connected")
    assert await guest.locator("body").evaluate("e => getComputedStyle(e).maxWidth") != "none"

    # The inbox: the sign-in form, a sign-in link, a conversation, the settings.
    agent = await new_page(browser, server, locale="en-GB")
    agent_watch = await CspWatch.on(agent)
    await agent.goto(server.url + "/inbox")
    await expect(agent.get_by_test_id("login-form")).to_be_visible()
    await agent.goto(await server.login_link("alice"))
    await expect(agent.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    await conversation(agent, "Ann").click()
    await expect(thread_message(agent, "anvils")).to_contain_text("<b onmouseover")  # text, never markup
    await agent.get_by_test_id("settings-open").click()
    await expect(agent.get_by_test_id("settings-timezone")).to_have_value("Europe/Berlin")

    await watch.assert_strict(pages=3)  # /, /book/alice, /calendar/google/connect
    await agent_watch.assert_strict(pages=2)  # /inbox, /inbox/login


@pytest.mark.parametrize("path", sorted(p.name for p in STATIC.glob("*.html")))
def test_html_files_carry_no_inline_script_style_or_handler(path: str) -> None:
    """The browser test sees what a run touches; this sees every line of every page we ship."""
    text = (STATIC / path).read_text()
    assert "<style" not in text
    assert not re.search(r"\sstyle\s*=", text)
    assert not re.search(r"\son[a-z]+\s*=", text)
    assert not re.search(r"javascript:", text, re.I)
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.S):
        assert script.strip() == "", f"inline script in {path}"


def test_scripts_set_styles_through_the_cssom_only() -> None:
    """``el(tag, {style: …})``, ``setAttribute("style", …)`` and HTML strings are refused by the CSP;
    ``node.style.x = …`` is not."""
    for file in sorted(STATIC.rglob("*.js")):
        text = re.sub(r"new Intl\.\w+\([^)]*\)", "", file.read_text())  # Intl's own `style` option
        assert not re.search(r"\bstyle\s*:\s*[\"'`]", text), file
        assert not re.search(r"setAttribute\(\s*[\"']style", text), file
        assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", text), file


@pytest.mark.parametrize("path", ["/", "/book/alice", "/inbox"])
async def test_no_page_of_ours_can_be_framed_by_another_website(
    browser: Any, server: LiveServer, other_site: OtherSite, path: str
) -> None:
    """Clickjacking: a page elsewhere must not lay our buttons under its own."""
    other_site.pages["/frame"] = (
        f'<!doctype html><title>Framer</title><iframe src="{server.url}{path}"></iframe>'
    )
    page = await new_page(browser, server)
    async with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text):
        await page.goto(other_site.url + "/frame")
    framed = page.frame_locator("iframe")
    await expect(framed.locator("body")).not_to_contain_text("ACME")  # the demo site's words
    await expect(framed.locator("[data-testid]")).to_have_count(0)


async def test_every_html_answer_of_the_router_carries_the_policy(server: LiveServer) -> None:
    """Walks every GET route (path parameters filled with demo values), so a page added later cannot
    be forgotten; static HTML files count too."""
    sample = {"slug": "alice", "agent": "alice", "filename": "demo.html"}
    paths = {"/static/demo.html", "/static/book.html", "/static/inbox.html"}
    for resource in server.runner.app.router.resources():
        info = resource.get_info()
        template = info.get("path") or info.get("formatter")
        if template and any(route.method == "GET" for route in resource):
            paths.add(re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: sample.get(m.group(1), "x"), template))
    pages = []
    async with aiohttp.ClientSession() as http:
        for path in sorted(paths - {"/api/guest/ws", "/api/agent/ws"}):
            async with http.get(server.url + path, allow_redirects=False) as response:
                if response.content_type == "text/html":
                    pages.append(path)
                    assert response.headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, path
                    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert {"/", "/inbox", "/inbox/login", "/book/alice", "/calendar/google/connect"} <= set(pages)
