"""The conversation's picture in headless Chromium: an agent chooses a picture in the inbox, zooms and
moves the square crop, saves it and sees it in the header and the list; the guest of the renamed
conversation sees it in the widget's header; the agent deletes it after confirming and both go back to
initials. The dialog (a picture dropped on it) fits 1280x800 and 375x740."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, new_page
from tests.browser.test_chat import conversation, guest_says, open_inbox, open_widget, start_chat

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_page_errors")]


AVATAR = re.compile(r"/avatars/[0-9a-f-]+-[0-9a-f]{12}\.png$")


def png(size: tuple[int, int] = (300, 150)) -> bytes:
    """Left half red, right half blue: which part was cropped shows in the uploaded pixels."""
    image = Image.new("RGB", size, (220, 30, 30))
    image.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def renamed_conversation_of(page: Any, server: LiveServer, title: str) -> str:
    """Ann starts a chat in the widget; Alice renames it (so Ann's title is the conversation's own)."""
    await start_chat(page, server, "Ann")
    await guest_says(page, "Hello")
    headers = {"Authorization": f"Bearer {await server.agent_token('alice')}"}
    listed = await (await page.request.get(server.url + "/api/agent/conversations", headers=headers)).json()
    cid: str = listed["conversations"][0]["id"]
    r = await page.request.post(
        server.url + f"/api/agent/conversations/{cid}/rename", data={"title": title}, headers=headers
    )
    assert r.ok
    return cid


async def test_an_agent_crops_a_picture_the_guest_sees_it_and_the_agent_deletes_it(
    browser: Any, server: LiveServer
) -> None:
    guest = await new_page(browser, server)
    await renamed_conversation_of(guest, server, "Launch plan")
    inbox = await open_inbox(browser, server, "alice")
    await conversation(inbox, "Launch plan").click()
    header_avatar = inbox.get_by_test_id("conversation-avatar-image")
    await expect(header_avatar).to_have_text("LP")  # initials before any picture

    await inbox.get_by_test_id("conversation-avatar").click()
    dialog = inbox.get_by_test_id("picture-dialog")
    await expect(dialog).to_be_visible()
    await expect(inbox.get_by_test_id("picture-delete")).to_be_hidden()  # nothing to delete yet
    await inbox.get_by_test_id("picture-file").set_input_files(
        files=[{"name": "team.png", "mimeType": "image/png", "buffer": png()}]
    )
    canvas = inbox.get_by_test_id("picture-canvas")
    await expect(canvas).to_be_focused()
    await inbox.get_by_test_id("picture-zoom").fill("2")
    box = await canvas.bounding_box()
    await inbox.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await inbox.mouse.down()
    await inbox.mouse.move(
        box["x"] + box["width"] - 2, box["y"] + box["height"] / 2, steps=5
    )  # to the left half
    await inbox.mouse.up()
    await canvas.press("ArrowLeft")  # the keyboard moves it too
    await inbox.get_by_test_id("picture-save").click()
    await expect(dialog).to_be_hidden()
    await expect(header_avatar).to_have_attribute("src", AVATAR)
    src = await header_avatar.get_attribute("src")
    await expect(
        conversation(inbox, "Launch plan").get_by_test_id("conversation-item-avatar")
    ).to_have_attribute("src", src)
    await expect(inbox.get_by_test_id("message").filter(has_text="Alice changed the picture.")).to_have_count(
        1
    )
    uploaded = Image.open(io.BytesIO(await (await inbox.request.get(src)).body())).convert("RGB")
    assert uploaded.size == (256, 256)
    red, _, blue = uploaded.getpixel((128, 128))
    assert red > 150 > blue  # zoomed in and dragged to the red half: the crop is what was uploaded

    # Live, in the widget Ann still has open; then again after a reload.
    await expect(guest.get_by_test_id("widget-avatar")).to_have_attribute("src", src)
    await guest.reload()
    await open_widget(guest, server)
    await expect(guest.get_by_test_id("widget-title")).to_have_text("Launch plan")
    await expect(guest.get_by_test_id("widget-avatar")).to_have_attribute("src", src)

    await inbox.get_by_test_id("conversation-avatar").click()
    await inbox.get_by_test_id("picture-delete").click()
    await expect(inbox.get_by_test_id("picture-delete-keep")).to_be_focused()
    await inbox.get_by_test_id("picture-delete-confirm").click()
    await expect(dialog).to_be_hidden()
    await expect(header_avatar).to_have_text("LP")
    await expect(inbox.get_by_test_id("message").filter(has_text="Alice removed the picture.")).to_have_count(
        1
    )
    await expect(guest.get_by_test_id("widget-title")).to_have_text("Launch plan")
    await expect(guest.get_by_test_id("widget-avatar")).to_have_count(0)  # live


@pytest.mark.parametrize("width, height", [(1280, 800), (375, 740)])
async def test_the_picture_dialog_fits_the_screen(
    browser: Any, server: LiveServer, width: int, height: int, tmp_path: Path
) -> None:
    guest = await new_page(browser, server)
    await renamed_conversation_of(guest, server, "Launch plan")
    inbox = await new_page(browser, server, viewport={"width": width, "height": height})
    await inbox.goto(await server.login_link("alice"))
    await expect(inbox.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
    await conversation(inbox, "Launch plan").click()
    await inbox.get_by_test_id("conversation-avatar").click()
    dropped = await inbox.evaluate_handle(  # a file dropped on the zone, as a desktop drag would
        """(b64) => {
          const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "team.png", { type: "image/png" });
          const transfer = new DataTransfer();
          transfer.items.add(file);
          return transfer;
        }""",
        base64.b64encode(png()).decode(),
    )
    await inbox.get_by_test_id("picture-drop").dispatch_event("drop", {"dataTransfer": dropped})
    await expect(inbox.get_by_test_id("picture-canvas")).to_be_visible()
    for part in ("picture-canvas", "picture-zoom", "picture-save", "picture-close"):
        await expect(inbox.get_by_test_id(part)).to_be_in_viewport()
    assert await inbox.evaluate("document.documentElement.scrollWidth") <= width
    folder = Path(os.environ.get("CONVENE_SCREENSHOTS", tmp_path))
    await inbox.screenshot(path=str(folder / f"conversation-picture-{width}.png"))
