"""Desktop notifications, the sound and the tab's unread count in headless Chromium, at 1280x800 and
375x740. The 'notifications' permission is granted in the Playwright context and an init script wraps
window.Notification to record what the inbox constructs (and AudioContext to count beeps); the
permission is asked only from the visible button; the notification preferences are saved from the
settings dialog."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from bot.commands import AssignConversation, CreateConversation, PostMessage
from bot.model import Actor
from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_inbox_keys_phone import shoot
from tests.browser.test_inbox_search import guest_conversation
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]
ALICE, BOB = Actor("agent", "alice", "Alice"), Actor("agent", "bob", "Bob")
WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 375, "height": 740}

RECORD = """
window.__notes = [];
window.__asked = 0;
window.__beeps = 0;
if (window.Notification) {
  const Real = window.Notification;
  window.Notification = new Proxy(Real, {
    construct(target, args) {
      window.__notes.push({ title: args[0], body: (args[1] || {}).body });
      document.documentElement.dataset.notes = String(window.__notes.length); // for expect(): no eval
      return Reflect.construct(target, args);
    },
    get(target, key) {
      if (key === "requestPermission") return (...a) => { window.__asked += 1; document.documentElement.dataset.asked = String(window.__asked); return target.requestPermission(...a); };
      return Reflect.get(target, key);
    },
  });
}
const oscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.__beeps += 1; return oscillator.call(this); };
"""


async def inbox_for(browser: Any, server: LiveServer, slug: str, size: dict[str, int], **options: Any) -> Any:
    page = await new_page(browser, server, viewport=size, **options)
    await page.add_init_script(RECORD)
    await page.goto(await server.login_link(slug))
    await expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    return page


async def notes(page: Any, count: int) -> list[dict[str, str]]:
    await expect(page.locator("html")).to_have_attribute("data-notes", str(count))
    found: list[dict[str, str]] = await page.evaluate("window.__notes")
    return found


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1280x800", "375x740"])
async def test_a_guest_message_a_mention_and_a_new_conversation_show_desktop_notifications(
    browser: Any, server: LiveServer, size: dict[str, int]
) -> None:
    page = await new_page(browser, server)
    ann = await guest_conversation(page, server, "Ann", ["Hello"])
    await server.runtime.bus.handle(AssignConversation(ann, "sales", "alice", BOB))
    inbox = await inbox_for(browser, server, "alice", size, permissions=["notifications"])
    await expect(inbox.get_by_test_id("notify-enable")).to_be_hidden()  # granted already: nothing to ask
    await expect(inbox).to_have_title("(1) Convene inbox")

    guest = Actor("guest", await guest_of(server, ann), "Ann")
    await server.runtime.bus.handle(PostMessage(ann, guest, "Is my parcel on its way?"))
    assert (await notes(inbox, 1))[0] == {"title": "New message from Ann", "body": "Is my parcel on its way?"}
    await expect(inbox).to_have_title("(2) Convene inbox")

    await server.runtime.bus.handle(PostMessage(ann, BOB, "@alice she called twice", internal=True))
    assert (await notes(inbox, 2))[1] == {"title": "Bob mentioned you", "body": "@alice she called twice"}
    await server.runtime.bus.handle(PostMessage(ann, BOB, "@carol not you, Alice", internal=True))

    await guest_conversation(page, server, "Ben", ["A question"])
    found = await notes(inbox, 3)  # Carol's mention was not Alice's: the third is Ben's
    assert found[2] == {"title": "New conversation", "body": "Ben started a conversation."}
    await expect(inbox).to_have_title("(3) Convene inbox")
    assert await inbox.evaluate("window.__beeps") >= 3  # a beep each, the sound being on

    await inbox.get_by_test_id("conversation-item").filter(has_text="Ann").click()
    await expect(inbox).to_have_title("(1) Convene inbox")  # Ann's are read now; Ben's one is left


async def test_a_conversation_i_create_myself_does_not_notify_me(browser: Any, server: LiveServer) -> None:
    inbox = await inbox_for(browser, server, "alice", WIDE, permissions=["notifications"])
    await inbox.get_by_test_id("new-conversation").click()  # the inbox's "+"
    await inbox.get_by_test_id("new-name").fill("Call Dan back")
    await inbox.get_by_test_id("new-emails").fill("dan@example.org")
    await inbox.get_by_test_id("new-create").click()
    await expect(inbox.get_by_test_id("conversation-title")).to_have_text("Call Dan back")
    await inbox.get_by_test_id("conversation-item").filter(has_text="Call Dan back").wait_for()
    # and one from Slack or Teams (the same command), while she looks at another conversation
    await server.runtime.bus.handle(CreateConversation(ALICE, "Quote for Eve", emails=("eve@example.org",)))
    await inbox.get_by_test_id("conversation-item").filter(has_text="Quote for Eve").wait_for()
    await guest_conversation(await new_page(browser, server), server, "Ben", ["A question"])
    assert await notes(inbox, 1) == [{"title": "New conversation", "body": "Ben started a conversation."}]


async def guest_of(server: LiveServer, conversation: str) -> str:
    async with server.runtime.uow(read_only=True) as uow:
        found = await uow.conversations.get(conversation)
    assert found is not None
    return found.guest_id


async def test_the_permission_is_asked_only_from_the_visible_button_and_the_sound_turns_off(
    browser: Any, server: LiveServer
) -> None:
    inbox = await inbox_for(browser, server, "alice", WIDE)
    button = inbox.get_by_test_id("notify-enable")
    assert await inbox.evaluate("Notification.permission") == "default"  # not granted in this context
    await expect(button).to_be_visible()
    assert await inbox.evaluate("window.__asked") == 0  # never on load
    await assert_accessible(inbox)
    await button.click()
    await expect(inbox.locator("html")).to_have_attribute("data-asked", "1")

    sound = inbox.get_by_test_id("sound-toggle")
    await expect(sound).to_have_attribute("aria-pressed", "true")
    await sound.click()
    await expect(sound).to_have_attribute("aria-pressed", "false")
    await expect(sound).to_have_text("Sound off")
    beeps = await inbox.evaluate("window.__beeps")
    page = await new_page(browser, server)
    await guest_conversation(page, server, "Cleo", ["Hi"])
    await expect(inbox).to_have_title("(1) Convene inbox")
    assert await inbox.evaluate("window.__beeps") == beeps  # off: silent
    await inbox.reload()
    await expect(inbox.get_by_test_id("sound-toggle")).to_have_attribute("aria-pressed", "false")  # kept


async def test_the_settings_dialog_saves_the_notification_preferences(
    browser: Any, server: LiveServer
) -> None:
    inbox = await inbox_for(browser, server, "alice", WIDE)
    await inbox.get_by_test_id("settings-open").click()
    dialog = inbox.get_by_test_id("settings-dialog")
    await expect(dialog.get_by_test_id("pref-unread_email")).to_be_checked()
    await expect(dialog.get_by_test_id("pref-slack-mention")).not_to_be_checked()
    await expect(dialog.get_by_test_id("pref-teams-snooze_ended")).to_be_checked()  # on by default
    await assert_accessible(inbox)
    await dialog.get_by_test_id("preferences").scroll_into_view_if_needed()
    await shoot(inbox, "settings-preferences", sizes=[WIDE, PHONE])
    await inbox.set_viewport_size(WIDE)
    await dialog.get_by_test_id("pref-slack-mention").check()
    await dialog.get_by_test_id("pref-teams-guest_message").check()
    await dialog.get_by_test_id("pref-unread_email").uncheck()
    await dialog.get_by_test_id("settings-save").click()
    await expect(dialog.get_by_test_id("settings-saved")).to_be_visible()
    async with server.runtime.uow(read_only=True) as uow:
        stored = await uow.preferences.get("alice")
    assert stored is not None
    assert stored["slack"]["mention"] and stored["teams"]["guest_message"] and not stored["unread_email"]
    await inbox.reload()
    await inbox.get_by_test_id("settings-open").click()
    await expect(inbox.get_by_test_id("pref-slack-mention")).to_be_checked()
    await expect(inbox.get_by_test_id("pref-unread_email")).not_to_be_checked()
